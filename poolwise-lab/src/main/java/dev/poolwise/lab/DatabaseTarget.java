package dev.poolwise.lab;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Where the workload connects: host, port, database and credentials, taken from a JDBC URL
 * ({@code jdbc:postgresql://host:port/db?user=…&password=…}) or a {@code DATABASE_URL}
 * ({@code postgresql://user:pw@host:port/db}). Credentials are kept apart from the URL so that
 * {@link #jdbcUrl()} and {@link #toString()} can be printed; the password is never printed.
 *
 * @param host the one host (multi-host URLs are refused: a load test targets one server)
 * @param port the port
 * @param database the database name
 * @param username the role, or null for the driver's default
 * @param password the password, or null
 * @param parameters the remaining driver parameters (no credentials, no Prisma pool parameters)
 */
record DatabaseTarget(String host, int port, String database, String username, String password,
    Map<String, String> parameters) {

  static final int DEFAULT_PORT = 5432;

  /** DATABASE_URL parameters that configure a client-side pool (Prisma's), not the driver. */
  private static final Set<String> POOL_ONLY_PARAMETERS = Set.of("connection_limit", "pool_timeout", "pgbouncer",
      "schema", "socket_timeout", "connect_timeout", "statement_cache_size");

  DatabaseTarget {
    parameters = Map.copyOf(parameters);
  }

  /**
   * Parses a JDBC URL or a DATABASE_URL. Error messages never quote the user-info part of the URL.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  static DatabaseTarget parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("--url is empty; give a JDBC URL (jdbc:postgresql://host:5432/db) or a"
          + " DATABASE_URL (postgresql://user:password@host:5432/db)");
    }
    String rest;
    boolean databaseUrl;
    if (url.startsWith("jdbc:postgresql://")) {
      rest = url.substring("jdbc:postgresql://".length());
      databaseUrl = false;
    } else if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
      rest = url.substring(url.indexOf("://") + 3);
      databaseUrl = true;
    } else {
      throw new IllegalArgumentException("--url must start with jdbc:postgresql://, postgresql:// or postgres://"
          + " (the lab drives PostgreSQL only)");
    }
    String username = null;
    String password = null;
    int slash = indexOfAny(rest, "/?");
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String pathAndQuery = slash < 0 ? "" : rest.substring(slash);
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      if (!databaseUrl) {
        throw new IllegalArgumentException("a JDBC URL takes credentials as ?user=…&password=…, not before the host");
      }
      String userInfo = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = userInfo.indexOf(':');
      username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    if (authority.contains(",")) {
      throw new IllegalArgumentException("--url names several hosts; the lab loads exactly one server");
    }
    String host;
    int port = DEFAULT_PORT;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("--url has an IPv6 host without its closing ']'");
      }
      host = authority.substring(1, close);
      String after = authority.substring(close + 1);
      if (after.startsWith(":")) {
        port = port(after.substring(1));
      }
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      if (colon >= 0) {
        port = port(authority.substring(colon + 1));
      }
    }
    if (host.isEmpty()) {
      host = "localhost";
    }
    String path = pathAndQuery;
    String query = "";
    int question = pathAndQuery.indexOf('?');
    if (question >= 0) {
      path = pathAndQuery.substring(0, question);
      query = pathAndQuery.substring(question + 1);
    }
    String database = path.startsWith("/") ? decode(path.substring(1)) : "";
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key = decode(equals < 0 ? pair : pair.substring(0, equals));
      String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
      switch (key.toLowerCase(Locale.ROOT)) {
        case "user" -> username = value;
        case "password" -> password = value;
        default -> {
          if (!(databaseUrl && POOL_ONLY_PARAMETERS.contains(key))) {
            parameters.put(key, value);
          }
        }
      }
    }
    if (database.isEmpty()) {
      database = username != null ? username : "postgres";
    }
    return new DatabaseTarget(host, port, database, username, password, parameters);
  }

  /** Whether the host is this machine (a name that resolves to a loopback address, or a loopback literal). */
  boolean isLoopback() {
    return Loopback.isLoopback(host);
  }

  /** {@code jdbc:postgresql://host:port/db?params}, without credentials. */
  String jdbcUrl() {
    return jdbcUrl(host, port, database, parameters);
  }

  /** This target's database and parameters, reached through another host and port (PgBouncer). */
  static String jdbcUrl(String host, int port, String database, Map<String, String> parameters) {
    String hostPart = host.contains(":") ? "[" + host + "]" : host;
    StringBuilder url = new StringBuilder("jdbc:postgresql://").append(hostPart).append(':').append(port).append('/')
        .append(database);
    if (!parameters.isEmpty()) {
      StringJoiner query = new StringJoiner("&", "?", "");
      parameters.forEach((key, value) -> query.add(key + "=" + java.net.URLEncoder.encode(value, StandardCharsets.UTF_8)));
      url.append(query);
    }
    return url.toString();
  }

  /** Driver properties carrying the credentials. */
  Properties connectionProperties(String applicationName) {
    Properties properties = new Properties();
    if (username != null) {
      properties.setProperty("user", username);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("ApplicationName", applicationName);
    return properties;
  }

  /** host:port/database, safe to print. */
  String describe() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database
        + (username != null ? " as " + username : "");
  }

  @Override
  public String toString() {
    return "DatabaseTarget[" + describe() + ", password=" + (password == null ? "none" : "<hidden>") + "]";
  }

  private static int port(String digits) {
    try {
      int port = Integer.parseInt(digits);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("--url has a port that is not a number between 1 and 65535");
  }

  private static int indexOfAny(String text, String characters) {
    for (int i = 0; i < text.length(); i++) {
      if (characters.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--url has a malformed %-escape; percent-encode special characters in the"
          + " user name and password");
    }
  }
}
