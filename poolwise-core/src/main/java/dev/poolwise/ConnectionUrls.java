package dev.poolwise;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a JDBC URL or a {@code DATABASE_URL} into builder settings. See {@code docs/configuration.md}.
 *
 * <p>Two forms:
 * <ul>
 *   <li>{@code postgresql://} / {@code postgres://} — the {@code DATABASE_URL} of Heroku, Prisma, libpq and
 *       friends. Poolwise parses it completely: credentials go to the builder (never into the JDBC URL),
 *       Prisma's parameters are translated, and any other parameter must be one the PostgreSQL driver knows.
 *   <li>{@code jdbc:<driver>:…} — any driver's URL. Only Poolwise's own parameters are taken out of the
 *       {@code ?} query; everything else is the driver's business and stays in the URL untouched.
 * </ul>
 *
 * <p>Secrets: no error message quotes the whole URL or anything from the user-info part of it. Messages
 * quote only the part that is wrong (a parameter, a host, a port), and only when that part cannot be a
 * password. A {@code DATABASE_URL} with an {@code @} after the host is refused without quoting anything,
 * because the usual cause is a password with an unencoded {@code /}, {@code ?}, {@code #} or {@code @}, and
 * then every "part" a parser would find is a piece of that password.
 *
 * <p>The URL is parsed completely before the builder is touched, so a rejected URL changes nothing.
 */
final class ConnectionUrls {

  /** PostgreSQL's port, used for every host of a {@code DATABASE_URL} that does not name one. */
  static final int DEFAULT_PORT = 5432;

  /**
   * The longest timeout a URL may give, in seconds. Longer "timeouts" are typos or attempts to switch the
   * timer off, and beyond about 292 years a {@code Duration} no longer fits the pool's nanosecond clock.
   */
  static final long MAX_TIMEOUT_SECONDS = 86_400;

  static final String SSLMODES = "disable, allow, prefer, require, verify-ca, verify-full";

  /** Parameters Poolwise understands in every URL: they configure the pool, not the driver. */
  static final List<String> POOL_PARAMETERS = List.of("connection_limit", "pool_timeout");

  /** Further parameters translated for PostgreSQL (also recognised in {@code jdbc:postgresql:} URLs). */
  static final List<String> POSTGRES_TRANSLATED_PARAMETERS =
      List.of("connect_timeout", "socket_timeout", "schema", "application_name", "pgbouncer", "fleet");

  /**
   * Every parameter a {@code DATABASE_URL} may carry besides the driver's own: the pool ones, the translated
   * ones, {@code sslmode} (validated here, since a typo would silently weaken TLS) and libpq's
   * {@code user}/{@code password}.
   */
  static final List<String> DATABASE_URL_PARAMETERS = List.of("connection_limit", "pool_timeout", "connect_timeout",
      "socket_timeout", "schema", "application_name", "sslmode", "pgbouncer", "fleet", "user", "password");

  /** Prisma-only parameters that have no direct counterpart, with what to use instead. */
  private static final Map<String, String> PRISMA_HINTS = Map.of(
      "sslaccept", "Prisma's sslaccept has no pgjdbc counterpart: use sslmode=verify-full (sslaccept=strict) or"
          + " sslmode=require (sslaccept=accept_invalid_certs)",
      "sslidentity", "Prisma's sslidentity (a PKCS#12 bundle) has no pgjdbc counterpart: use sslcert and sslkey",
      "statement_cache_size", "Prisma's statement_cache_size has no direct counterpart: with PgBouncer use"
          + " pgbouncer=true, otherwise pgjdbc's preparedStatementCacheQueries",
      "host", "a Unix-domain socket path (Prisma's host=…) is not supported by pgjdbc without extra libraries;"
          + " connect over TCP",
      "max_connection_lifetime", "set the builder's maxLifetime (poolwise.maxLifetime) instead",
      "max_idle_connection_lifetime", "set the builder's idleTimeout (poolwise.idleTimeout) instead");

  /** How many of the driver's property names an "unknown parameter" message lists. */
  private static final int LISTED_DRIVER_PROPERTIES = 25;

  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.\\-]*)://");
  private static final Pattern JDBC_PREFIX = Pattern.compile("^jdbc:([A-Za-z0-9][A-Za-z0-9+._\\-]*):", Pattern.CASE_INSENSITIVE);
  private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d+");

  private ConnectionUrls() {}

  /** Applies {@code url} to {@code builder}: sets {@code jdbcUrl}, URL credentials, pool and driver parameters. */
  static void apply(String url, PoolwiseDataSource.Builder builder) {
    apply(url, builder, ConnectionUrls::registeredDriverCatalog);
  }

  /**
   * As {@link #apply(String, PoolwiseDataSource.Builder)}, asking {@code driverCatalogs} (JDBC URL → the driver's
   * property names, or {@code null} when no driver accepts the URL) about parameters Poolwise does not know.
   * Tests pass their own to simulate a classpath without pgjdbc.
   */
  static void apply(String url, PoolwiseDataSource.Builder builder, Function<String, DriverCatalog> driverCatalogs) {
    Objects.requireNonNull(url, "url");
    String trimmed = url.strip();
    Parsed parsed;
    if (JDBC_PREFIX.matcher(trimmed).find()) {
      parsed = parseJdbcUrl(trimmed);
    } else if (startsWithIgnoreCase(trimmed, "postgresql://") || startsWithIgnoreCase(trimmed, "postgres://")) {
      parsed = parseDatabaseUrl(trimmed, builder.driverClassName, driverCatalogs);
    } else {
      throw unsupportedScheme(trimmed);
    }
    parsed.applyTo(builder);
  }

  /** The properties a JDBC driver says it understands, as {@link Driver#getPropertyInfo} reports them. */
  record DriverCatalog(String driverName, Set<String> propertyNames) {}

  /** What a URL contributes to a builder; collected first so a rejected URL leaves the builder alone. */
  private static final class Parsed {
    @Nullable String jdbcUrl;
    @Nullable String username;
    @Nullable String password;
    @Nullable Integer maxSize;
    @Nullable Duration acquireTimeout;
    @Nullable Duration connectTimeout;
    @Nullable String fleet;
    /** Driver property → the URL parameter that set it (for conflict messages). */
    final Map<String, String> driverPropertySources = new LinkedHashMap<>();
    final Map<String, String> driverProperties = new LinkedHashMap<>();

    void driverProperty(String parameter, String name, String value) {
      String earlier = driverPropertySources.putIfAbsent(name, parameter);
      if (earlier != null) {
        throw new IllegalArgumentException("URL parameters '" + earlier + "' and '" + parameter
            + "' both set the driver property " + name + "; give only one of them");
      }
      driverProperties.put(name, value);
    }

    void applyTo(PoolwiseDataSource.Builder builder) {
      builder.jdbcUrl = jdbcUrl;
      builder.urlUsername = username;
      builder.urlPassword = password;
      if (maxSize != null) {
        builder.maxSize = maxSize;
      }
      if (acquireTimeout != null) {
        builder.acquireTimeout = acquireTimeout;
      }
      if (connectTimeout != null) {
        builder.connectTimeout = connectTimeout;
      }
      if (fleet != null) {
        builder.fleet = fleet;
      }
      builder.driverProperties.putAll(driverProperties);
    }

    @Override
    public String toString() {
      return "Parsed[" + Redaction.redactUrl(jdbcUrl) + "]";
    }
  }

  /* --- JDBC URLs --- */

  /**
   * Takes Poolwise's parameters out of the {@code ?} query of a JDBC URL. Everything else — other parameters,
   * credentials, a driver's {@code ;key=value} syntax — stays exactly as written. When no Poolwise parameter
   * is present the URL is used verbatim.
   */
  private static Parsed parseJdbcUrl(String url) {
    boolean postgres = startsWithIgnoreCase(url, "jdbc:postgresql:");
    Parsed parsed = new Parsed();
    parsed.jdbcUrl = url;
    int question = url.indexOf('?');
    if (question < 0) {
      return parsed;
    }
    List<String> kept = new ArrayList<>();
    Set<String> keptNames = new TreeSet<>();
    Set<String> seen = new TreeSet<>();
    boolean removedAny = false;
    for (String segment : url.substring(question + 1).split("&", -1)) {
      int equals = segment.indexOf('=');
      String name = equals < 0 ? segment : segment.substring(0, equals);
      boolean ours = POOL_PARAMETERS.contains(name) || postgres && POSTGRES_TRANSLATED_PARAMETERS.contains(name);
      if (!ours) {
        kept.add(segment);
        keptNames.add(name);
        continue;
      }
      if (!seen.add(name)) {
        throw duplicate(name);
      }
      if (equals < 0) {
        throw noValue(name);
      }
      translate(name, decodeValue(name, segment.substring(equals + 1)), parsed);
      removedAny = true;
    }
    // pgjdbc lets URL parameters override the properties it is given: a translated property would lose silently.
    for (Map.Entry<String, String> source : parsed.driverPropertySources.entrySet()) {
      if (keptNames.contains(source.getKey())) {
        throw new IllegalArgumentException("URL parameters '" + source.getValue() + "' and '" + source.getKey()
            + "' both set the driver property " + source.getKey() + "; give only one of them");
      }
    }
    if (removedAny) {
      String query = kept.stream().filter(s -> !s.isEmpty()).collect(Collectors.joining("&"));
      parsed.jdbcUrl = url.substring(0, question) + (query.isEmpty() ? "" : "?" + query);
    }
    return parsed;
  }

  /* --- DATABASE_URLs --- */

  private static Parsed parseDatabaseUrl(String url, @Nullable String driverClassName,
      Function<String, DriverCatalog> driverCatalogs) {
    String rest = url.substring(url.indexOf("://") + 3);
    int authorityEnd = indexOfAny(rest, "/?#");
    String authority = rest.substring(0, authorityEnd);
    String afterAuthority = rest.substring(authorityEnd);
    if (afterAuthority.indexOf('@') >= 0) {
      // Quote nothing: most likely the user info runs on past a '/', '?' or '#' that belongs to the password.
      throw new IllegalArgumentException("The DATABASE_URL has an '@' after the host part. If the user name or"
          + " password contains '@', '/', '?', '#' or ':', percent-encode them (%40, %2F, %3F, %23, %3A); an '@' in"
          + " the database name or a parameter value must be written %40");
    }
    if (afterAuthority.indexOf('#') >= 0) {
      throw new IllegalArgumentException("The DATABASE_URL contains '#': a fragment means nothing to a database URL;"
          + " if it is part of the password, the database name or a parameter value, percent-encode it as %23");
    }

    Parsed parsed = new Parsed();
    int at = authority.lastIndexOf('@');
    String hostList = authority.substring(at + 1);
    if (at >= 0) {
      parseUserInfo(authority.substring(0, at), parsed);
    }
    List<String> hosts = parseHosts(hostList, at >= 0);

    String path = "";
    String query = null;
    if (afterAuthority.startsWith("/")) {
      int question = afterAuthority.indexOf('?');
      path = question < 0 ? afterAuthority.substring(1) : afterAuthority.substring(1, question);
      query = question < 0 ? null : afterAuthority.substring(question + 1);
    } else if (afterAuthority.startsWith("?")) {
      query = afterAuthority.substring(1);
    }
    if (path.indexOf('/') >= 0) {
      throw new IllegalArgumentException("The database name '" + path + "' in the URL contains '/': a DATABASE_URL"
          + " has one path segment, the database; percent-encode a '/' in the name as %2F");
    }
    String database;
    try {
      database = PercentCoding.decode(path);
    } catch (PercentCoding.MalformedEscape e) {
      throw new IllegalArgumentException("The database name in the URL has invalid percent-encoding: " + e.getMessage());
    }
    // No database: pgjdbc sends none and the server uses the user name, exactly as libpq does.
    parsed.jdbcUrl = "jdbc:postgresql://" + String.join(",", hosts) + "/" + PercentCoding.encode(database);

    Map<String, String> parameters = parseQuery(query);
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> parameter : parameters.entrySet()) {
      String name = parameter.getKey();
      String value = parameter.getValue();
      switch (name) {
        case "user":
          if (parsed.username != null) {
            throw new IllegalArgumentException("The user name is given twice, before the '@' and as ?user=; give it once");
          }
          parsed.username = value.isEmpty() ? null : value;
          break;
        case "password":
          if (parsed.password != null) {
            throw new IllegalArgumentException("The password is given twice, before the '@' and as ?password=; give it once");
          }
          parsed.password = value.isEmpty() ? null : value;
          break;
        case "sslmode":
          String mode = value.toLowerCase(Locale.ROOT);
          if (!List.of(SSLMODES.split(", ")).contains(mode)) {
            throw new IllegalArgumentException("URL parameter sslmode=" + value + " is not an SSL mode; use one of " + SSLMODES);
          }
          parsed.driverProperty(name, "sslmode", mode);
          break;
        default:
          if (POOL_PARAMETERS.contains(name) || POSTGRES_TRANSLATED_PARAMETERS.contains(name)) {
            translate(name, value, parsed);
          } else {
            unknown.add(name);
          }
      }
    }
    if (!unknown.isEmpty()) {
      passToDriver(unknown, parameters, parsed, driverClassName, driverCatalogs);
    }
    return parsed;
  }

  private static void parseUserInfo(String userInfo, Parsed parsed) {
    int colon = userInfo.indexOf(':');
    String rawUser = colon < 0 ? userInfo : userInfo.substring(0, colon);
    String rawPassword = colon < 0 ? null : userInfo.substring(colon + 1);
    try {
      String user = PercentCoding.decode(rawUser);
      parsed.username = user.isEmpty() ? null : user;
    } catch (PercentCoding.MalformedEscape e) {
      throw new IllegalArgumentException("The user name in the URL has invalid percent-encoding: " + e.getMessage()
          + "; write '%' itself as %25");
    }
    if (rawPassword != null) {
      try {
        String password = PercentCoding.decode(rawPassword);
        parsed.password = password.isEmpty() ? null : password;
      } catch (PercentCoding.MalformedEscape e) {
        // Never quote the password or the escape: both are pieces of the secret.
        throw new IllegalArgumentException("The password in the URL has invalid percent-encoding (a '%' that is not"
            + " followed by two hex digits, or escapes that are not UTF-8); write '%' itself as %25");
      }
    }
  }

  /**
   * {@code host[:port][,host[:port]…]} → {@code host:port} strings with the port always present. Hosts are
   * quoted in messages: with no {@code @} after the host part (checked before), none of them can be a password.
   */
  private static List<String> parseHosts(String hostList, boolean hasUserInfo) {
    if (hostList.isEmpty()) {
      throw new IllegalArgumentException("The URL has no host: expected postgresql://[user[:password]@]host[:port]/database");
    }
    List<String> hosts = new ArrayList<>();
    int i = 0;
    while (true) {
      String host;
      int next;
      if (i >= hostList.length() || hostList.charAt(i) == ',') {
        throw emptyHost();
      }
      if (hostList.charAt(i) == '[') {
        int close = hostList.indexOf(']', i);
        if (close < 0) {
          throw new IllegalArgumentException("Unbalanced '[' in the host list" + quoteUnlessSecret(hostList.substring(i), hasUserInfo)
              + ": an IPv6 address is written in brackets, e.g. [::1]:5432");
        }
        host = hostList.substring(i, close + 1);
        validateIpv6(host);
        next = close + 1;
        if (next < hostList.length() && hostList.charAt(next) != ':' && hostList.charAt(next) != ',') {
          throw new IllegalArgumentException("Unexpected '" + hostList.charAt(next) + "' after the IPv6 address " + host
              + ": expected ':port', ',' or the end of the host list");
        }
      } else {
        int comma = hostList.indexOf(',', i);
        String entry = hostList.substring(i, comma < 0 ? hostList.length() : comma);
        if (entry.indexOf(':') != entry.lastIndexOf(':')) {
          throw new IllegalArgumentException("The host" + quoteUnlessSecret(entry, hasUserInfo) + " looks like an IPv6"
              + " address without brackets: write it as [address]:port, e.g. [::1]:5432");
        }
        int colon = entry.indexOf(':');
        host = colon < 0 ? entry : entry.substring(0, colon);
        if (host.isEmpty()) {
          throw emptyHost();
        }
        validateHostName(host);
        next = i + host.length();
      }
      int port = DEFAULT_PORT;
      if (next < hostList.length() && hostList.charAt(next) == ':') {
        int comma = hostList.indexOf(',', next);
        int end = comma < 0 ? hostList.length() : comma;
        port = parsePort(host, hostList.substring(next + 1, end), hasUserInfo);
        next = end;
      }
      hosts.add(host + ":" + port);
      if (next >= hostList.length()) {
        return hosts;
      }
      i = next + 1; // skip the ','
    }
  }

  private static IllegalArgumentException emptyHost() {
    return new IllegalArgumentException("The URL has an empty host name (a ':port' or ',' with no host before"
        + " it): every entry of a host list needs a name, e.g. host1:5432,host2:5432");
  }

  /**
   * {@code " 'text'"}, or nothing when the URL has no user info and {@code text} contains a ':' — then it may be
   * {@code user:password} with the {@code @host} forgotten, and what follows the ':' is a password.
   */
  private static String quoteUnlessSecret(String text, boolean hasUserInfo) {
    return hasUserInfo || text.indexOf(':') < 0 ? " '" + text + "'" : "";
  }

  private static void validateHostName(String host) {
    if (host.indexOf(']') >= 0) {
      throw new IllegalArgumentException("Unbalanced ']' in the host '" + host + "': an IPv6 address is written"
          + " in brackets, e.g. [::1]:5432");
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (!Character.isLetterOrDigit(c) && c != '-' && c != '.' && c != '_') {
        String why = c == '%' ? " (Unix-domain socket paths are not supported by pgjdbc; connect over TCP)" : "";
        throw new IllegalArgumentException("The host '" + host + "' contains '" + c + "', which is not allowed in a"
            + " host name" + why);
      }
    }
  }

  private static void validateIpv6(String bracketed) {
    String address = bracketed.substring(1, bracketed.length() - 1);
    int zone = address.indexOf('%');
    String bare = zone < 0 ? address : address.substring(0, zone);
    boolean valid = bare.indexOf(':') >= 0 && bare.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
    if (!valid || zone == 0 || zone == address.length() - 1) {
      throw new IllegalArgumentException("The host " + bracketed + " is not an IPv6 address: only IPv6 addresses"
          + " go in brackets, e.g. [::1]:5432 or [2001:db8::5]:5432");
    }
  }

  private static int parsePort(String host, String text, boolean hasUserInfo) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("The host '" + host + "' is followed by ':' but no port: give a port between"
          + " 1 and 65535 or leave out the ':' for " + DEFAULT_PORT);
    }
    if (!WHOLE_NUMBER.matcher(text).matches()) {
      if (!hasUserInfo) {
        // Without an '@', "host:port" may really be "user:password" with the host forgotten: do not quote it.
        throw new IllegalArgumentException("The port after the host '" + host + "' is not a number. If '" + host
            + ":…' was meant as user:password, the '@host' part is missing: postgresql://user:password@host:5432/database");
      }
      throw new IllegalArgumentException("The port '" + text + "' of the host '" + host + "' is not a number; give a"
          + " port between 1 and 65535");
    }
    int port = text.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(text);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("The port " + text + " of the host '" + host + "' is out of range: a port is"
          + " between 1 and 65535 (PostgreSQL's is " + DEFAULT_PORT + ")");
    }
    return port;
  }

  /** {@code a=1&b=2} → decoded name → decoded value, in order; duplicates, empty names and missing values rejected. */
  private static Map<String, String> parseQuery(@Nullable String query) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (query == null) {
      return parameters;
    }
    for (String segment : query.split("&", -1)) {
      if (segment.isEmpty()) {
        continue; // "?a=1&" and "?&a=1" are harmless
      }
      int equals = segment.indexOf('=');
      String rawName = equals < 0 ? segment : segment.substring(0, equals);
      if (rawName.isEmpty()) {
        throw new IllegalArgumentException("A URL parameter has an empty name ('=' with nothing before it); write name=value");
      }
      String name;
      try {
        name = PercentCoding.decode(rawName);
      } catch (PercentCoding.MalformedEscape e) {
        throw new IllegalArgumentException("The URL parameter name '" + rawName + "' has invalid percent-encoding: " + e.getMessage());
      }
      if (equals < 0) {
        throw noValue(name);
      }
      if (parameters.containsKey(name)) {
        throw duplicate(name);
      }
      parameters.put(name, decodeValue(name, segment.substring(equals + 1)));
    }
    return parameters;
  }

  /**
   * Parameters Poolwise does not know go to pgjdbc as driver properties — if pgjdbc knows them. An unknown name
   * is far more often a typo (or another library's parameter) than something the user wants silently ignored.
   */
  private static void passToDriver(List<String> unknown, Map<String, String> parameters, Parsed parsed,
      @Nullable String driverClassName, Function<String, DriverCatalog> driverCatalogs) {
    if (driverClassName != null) {
      loadQuietly(driverClassName); // a driver that does not self-register; the pool reports a failure later
    }
    DriverCatalog catalog = driverCatalogs.apply(parsed.jdbcUrl);
    for (String name : unknown) {
      if (catalog != null && catalog.propertyNames().contains(name)) {
        parsed.driverProperty(name, name, Nulls.castToNonNull(parameters.get(name))); // unknown lists its keys
        continue;
      }
      String hint = PRISMA_HINTS.get(name);
      if (hint != null) {
        throw new IllegalArgumentException("URL parameter '" + name + "' is not supported: " + hint);
      }
      if (catalog == null) {
        throw new IllegalArgumentException("URL parameter '" + name + "' is not a Poolwise parameter ("
            + String.join(", ", DATABASE_URL_PARAMETERS) + "), and there is no JDBC driver for jdbc:postgresql: on the"
            + " classpath to say whether it is a driver property: add org.postgresql:postgresql, or fix the parameter"
            + Suggestions.didYouMean(name, DATABASE_URL_PARAMETERS));
      }
      List<String> known = new ArrayList<>(DATABASE_URL_PARAMETERS);
      known.addAll(catalog.propertyNames());
      List<String> listed = catalog.propertyNames().stream().sorted(String.CASE_INSENSITIVE_ORDER)
          .limit(LISTED_DRIVER_PROPERTIES).collect(Collectors.toList());
      int more = catalog.propertyNames().size() - listed.size();
      throw new IllegalArgumentException("Unknown URL parameter '" + name + "'" + Suggestions.didYouMean(name, known)
          + ". Poolwise's parameters are " + String.join(", ", DATABASE_URL_PARAMETERS) + "; the driver ("
          + catalog.driverName() + ") knows " + String.join(", ", listed)
          + (more > 0 ? " and " + more + " more (see the driver's documentation)" : ""));
    }
  }

  private static void loadQuietly(String driverClassName) {
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      Class.forName(driverClassName, true, loader != null ? loader : ConnectionUrls.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      // Reported when the pool loads it; here it only means the driver cannot be asked about parameters.
    }
  }

  /** The registered driver for {@code jdbcUrl} and the property names it reports, or {@code null} if none accepts it. */
  static @Nullable DriverCatalog registeredDriverCatalog(String jdbcUrl) {
    Driver driver;
    try {
      driver = DriverManager.getDriver(jdbcUrl);
    } catch (SQLException e) {
      return null;
    }
    String name = driver.getClass().getName() + " " + driver.getMajorVersion() + "." + driver.getMinorVersion();
    try {
      Set<String> names = new TreeSet<>();
      for (DriverPropertyInfo info : driver.getPropertyInfo(jdbcUrl, new Properties())) {
        names.add(info.name);
      }
      return new DriverCatalog(name, names);
    } catch (SQLException | RuntimeException e) {
      throw new IllegalArgumentException("Could not ask the JDBC driver " + name + " which properties it knows: " + e);
    }
  }

  /* --- Parameters shared by both forms --- */

  /** Applies one of {@link #POOL_PARAMETERS} or {@link #POSTGRES_TRANSLATED_PARAMETERS}. */
  private static void translate(String name, String value, Parsed parsed) {
    switch (name) {
      case "connection_limit":
        parsed.maxSize = positiveInt(name, value);
        break;
      case "pool_timeout":
        if (isZero(value)) {
          throw new IllegalArgumentException("URL parameter pool_timeout=" + value + " means 'wait forever' in Prisma,"
              + " and Poolwise never waits forever: a request stuck behind a full pool should fail within seconds with"
              + " a message saying who holds the connections, not hang. Give the longest wait you accept, in seconds,"
              + " e.g. pool_timeout=10");
        }
        parsed.acquireTimeout = seconds(name, value);
        break;
      case "connect_timeout":
        if (isZero(value)) {
          throw new IllegalArgumentException("URL parameter connect_timeout=" + value + " means 'no timeout' in Prisma"
              + " and libpq; Poolwise bounds every connect so an unreachable host cannot stall the pool. Give a limit"
              + " in seconds, e.g. connect_timeout=10");
        }
        parsed.connectTimeout = seconds(name, value);
        parsed.driverProperty(name, "connectTimeout", wholeSecondsRoundedUp(parsed.connectTimeout));
        break;
      case "socket_timeout":
        // 0 is meaningful here: pgjdbc's default, no read timeout.
        parsed.driverProperty(name, "socketTimeout", isZero(value) ? "0" : wholeSecondsRoundedUp(seconds(name, value)));
        break;
      case "schema":
        parsed.driverProperty(name, "currentSchema", nonEmpty(name, value));
        break;
      case "application_name":
        parsed.driverProperty(name, "ApplicationName", nonEmpty(name, value));
        break;
      case "pgbouncer":
        if (value.equals("true")) {
          // PgBouncer in transaction mode cannot keep server-side prepared statements across transactions.
          parsed.driverProperty(name, "prepareThreshold", "0");
        } else if (!value.equals("false")) {
          throw new IllegalArgumentException("URL parameter pgbouncer=" + value + " must be true or false");
        }
        break;
      case "fleet":
        parsed.fleet = nonEmpty(name, value);
        break;
      default:
        throw new AssertionError(name);
    }
  }

  private static String decodeValue(String name, String rawValue) {
    try {
      return PercentCoding.decode(rawValue);
    } catch (PercentCoding.MalformedEscape e) {
      if (Redaction.isSecretKey(name)) {
        throw new IllegalArgumentException("The value of URL parameter '" + name + "' has invalid percent-encoding;"
            + " write '%' itself as %25");
      }
      throw new IllegalArgumentException("The value of URL parameter '" + name + "' has invalid percent-encoding: "
          + e.getMessage() + "; write '%' itself as %25");
    }
  }

  private static int positiveInt(String name, String value) {
    if (!WHOLE_NUMBER.matcher(value).matches()) {
      throw new IllegalArgumentException("URL parameter " + name + "=" + value + " is not a whole number: give a"
          + " positive number of connections, e.g. " + name + "=10");
    }
    long parsed = value.length() > 10 ? Long.MAX_VALUE : Long.parseLong(value);
    if (parsed < 1 || parsed > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("URL parameter " + name + "=" + value + " is out of range: give a number"
          + " between 1 and " + Integer.MAX_VALUE + " (and no more than the database accepts)");
    }
    return (int) parsed;
  }

  private static boolean isZero(String value) {
    return SECONDS.matcher(value).matches() && new BigDecimal(value).signum() == 0;
  }

  /** Seconds, whole or decimal, greater than zero and at most {@link #MAX_TIMEOUT_SECONDS}. */
  private static Duration seconds(String name, String value) {
    if (!SECONDS.matcher(value).matches()) {
      throw new IllegalArgumentException("URL parameter " + name + "=" + value + " is not a number of seconds: give"
          + " a positive number such as " + name + "=10 or " + name + "=2.5");
    }
    BigDecimal seconds = new BigDecimal(value);
    if (seconds.signum() <= 0 || seconds.compareTo(BigDecimal.valueOf(MAX_TIMEOUT_SECONDS)) > 0) {
      throw new IllegalArgumentException("URL parameter " + name + "=" + value + " is out of range: give more than 0"
          + " and at most " + MAX_TIMEOUT_SECONDS + " seconds (one day)");
    }
    return Duration.ofNanos(seconds.movePointRight(9).setScale(0, RoundingMode.UP).longValueExact());
  }

  /** pgjdbc takes its timeouts in whole seconds; round up so a short timeout never becomes 0 (= none). */
  private static String wholeSecondsRoundedUp(Duration duration) {
    long seconds = duration.getSeconds() + (duration.getNano() > 0 ? 1 : 0);
    return Long.toString(seconds);
  }

  private static String nonEmpty(String name, String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException("URL parameter " + name + " has an empty value; give a value or leave it out");
    }
    return value;
  }

  private static IllegalArgumentException duplicate(String name) {
    return new IllegalArgumentException("URL parameter '" + name + "' appears more than once; give it once");
  }

  private static IllegalArgumentException noValue(String name) {
    return new IllegalArgumentException("URL parameter '" + name + "' has no value; write " + name + "=value");
  }

  /* --- Unrecognised URLs --- */

  private static IllegalArgumentException unsupportedScheme(String url) {
    if (url.isEmpty()) {
      return new IllegalArgumentException("The URL is empty: give a JDBC URL (jdbc:postgresql://host:5432/db) or a"
          + " DATABASE_URL (postgresql://user:password@host:5432/db)");
    }
    if (startsWithIgnoreCase(url, "jdbc:")) {
      return new IllegalArgumentException("The JDBC URL does not name a driver: expected jdbc:<driver>:…, e.g."
          + " jdbc:postgresql://host:5432/db");
    }
    if (startsWithIgnoreCase(url, "postgresql:") || startsWithIgnoreCase(url, "postgres:")) {
      return new IllegalArgumentException("A DATABASE_URL needs '//' after the scheme:"
          + " postgresql://[user[:password]@]host[:port]/database");
    }
    Matcher scheme = SCHEME.matcher(url);
    String expected = "Poolwise takes a JDBC URL (jdbc:<driver>:…) or a PostgreSQL DATABASE_URL (postgresql://… or"
        + " postgres://…)";
    if (!scheme.find()) {
      // Do not quote the text: without a recognisable scheme we cannot tell which part might be a password.
      return new IllegalArgumentException("The URL does not start with a scheme Poolwise knows. " + expected);
    }
    String name = scheme.group(1).toLowerCase(Locale.ROOT);
    String hint = name.equals("mysql") || name.equals("mariadb")
        ? "; for MySQL or MariaDB use the driver's JDBC URL, e.g. jdbc:" + name + "://host:3306/database"
        : "";
    return new IllegalArgumentException("Unsupported URL scheme '" + scheme.group(1) + "://'. " + expected + hint);
  }

  private static boolean startsWithIgnoreCase(String text, String prefix) {
    return text.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  private static int indexOfAny(String text, String characters) {
    for (int i = 0; i < text.length(); i++) {
      if (characters.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return text.length();
  }
}
