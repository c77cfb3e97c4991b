package dev.poolwise;

import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Applies {@code poolwise.*} keys from a {@link Properties} to a builder. See {@code docs/configuration.md}.
 *
 * <p>Keys outside {@code poolwise.} are ignored: one {@code Properties} is often shared by a whole application.
 * Inside it, an unknown key is an error rather than a silent no-op, because a misspelt {@code poolwise.maxSzie}
 * would otherwise leave the pool at its default size with nobody noticing.
 *
 * <p>Every key is parsed before the builder is touched, and every problem is reported at once. Then
 * {@code driverClassName} and {@code url} are applied first, so that explicit keys override what the URL says.
 * The value of {@code poolwise.password}, and of any key that looks secret, never appears in a message.
 */
final class PropertiesConfiguration {

  static final String PREFIX = "poolwise.";
  static final String DRIVER_PREFIX = "poolwise.driver.";
  static final String LANE_PREFIX = "poolwise.lane.";

  /** Setting name (without the prefix) → how to parse its value into a change to the builder. */
  private static final Map<String, Setting> SETTINGS = new LinkedHashMap<>();

  /** Names people bring from HikariCP, and what Poolwise calls them. */
  private static final Map<String, String> HIKARI_NAMES = Map.ofEntries(
      Map.entry("jdbcUrl", "url"),
      Map.entry("user", "username"),
      Map.entry("maximumPoolSize", "maxSize"),
      Map.entry("minimumIdle", "minIdle"),
      Map.entry("connectionTimeout", "acquireTimeout"),
      Map.entry("keepaliveTime", "keepaliveInterval"),
      Map.entry("initializationFailTimeout", "startMode"),
      Map.entry("connectionTestQuery", "validationTimeout (Poolwise validates with Connection.isValid)"),
      Map.entry("dataSourceClassName", "url"),
      Map.entry("transactionIsolationLevel", "transactionIsolation"),
      Map.entry("leakDetectionThreshold", "leakThreshold"),
      Map.entry("registerMbeans", "registerMBean"));

  private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DURATION_WITH_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");

  static {
    text("driverClassName", (b, v) -> b.driverClassName = v);
    text("poolName", (b, v) -> b.poolName = v);
    text("username", (b, v) -> b.username = v);
    SETTINGS.put("password", (key, value) -> builder -> builder.password = value); // verbatim: spaces may matter
    integer("maxSize", 1, (b, v) -> b.maxSize = v);
    integer("minIdle", 0, (b, v) -> b.minIdle = v);
    duration("acquireTimeout", (b, v) -> b.acquireTimeout = v);
    duration("connectTimeout", (b, v) -> b.connectTimeout = v);
    duration("idleTimeout", (b, v) -> b.idleTimeout = v);
    duration("maxLifetime", (b, v) -> b.maxLifetime = v);
    duration("keepaliveInterval", (b, v) -> b.keepaliveInterval = v);
    duration("validationTimeout", (b, v) -> b.validationTimeout = v);
    duration("validateAfterIdle", (b, v) -> b.validateAfterIdle = v);
    duration("shutdownTimeout", (b, v) -> b.shutdownTimeout = v);
    duration("housekeepingInterval", (b, v) -> b.housekeepingInterval = v);
    duration("creationBackoffInitial", (b, v) -> b.creationBackoffInitial = v);
    duration("creationBackoffMax", (b, v) -> b.creationBackoffMax = v);
    integer("maxConcurrentCreations", 1, (b, v) -> b.maxConcurrentCreations = v);
    SETTINGS.put("startMode", (key, value) -> {
      StartMode mode = parseStartMode(key, value);
      return builder -> builder.startMode = mode;
    });
    bool("autoCommit", (b, v) -> b.autoCommit = v);
    SETTINGS.put("transactionIsolation", (key, value) -> {
      int level = parseIsolation(key, value);
      return builder -> builder.transactionIsolation = level;
    });
    bool("readOnly", (b, v) -> b.readOnly = v);
    text("catalog", (b, v) -> b.catalog = v);
    text("schema", (b, v) -> b.schema = v);
    text("connectionInitSql", (b, v) -> b.connectionInitSql = v);
    enumeration("sessionReset", SessionReset.class, "session reset mode", (b, v) -> b.sessionReset = v);
    // Diagnostics and guards.
    bool("diagnostics", (b, v) -> b.diagnostics = v);
    enumeration("acquisitionStacks", StackCapture.class, "stack capture mode", (b, v) -> b.acquisitionStacks = v);
    duration("leakThreshold", (b, v) -> b.leakThreshold = v);
    duration("leakReclaimThreshold", (b, v) -> b.leakReclaimThreshold = v);
    enumeration("multipleAcquisition", MultipleAcquisition.class, "multiple-acquisition policy",
        (b, v) -> b.multipleAcquisition = v);
    integer("expectedInstances", 1, (b, v) -> b.expectedInstances = v);
    text("fleet", (b, v) -> b.fleet = v);
    duration("fleetInterval", (b, v) -> b.fleetInterval = v);
    bool("registerMBean", (b, v) -> b.registerMBean = v);
    enumeration("sqlLogging", SqlLogging.class, "SQL logging mode", (b, v) -> b.sqlLogging = v);
    duration("slowSqlThreshold", (b, v) -> b.slowSqlThreshold = v);
  }

  private PropertiesConfiguration() {}

  /** Parses a value; throws {@link IllegalArgumentException} naming the key (and the value unless secret). */
  @FunctionalInterface
  private interface Setting {
    Consumer<PoolwiseDataSource.Builder> parse(String key, String value);
  }

  /** Every key this class accepts, for messages and documentation. */
  static List<String> knownKeys() {
    List<String> keys = new ArrayList<>();
    keys.add(PREFIX + "url");
    SETTINGS.keySet().forEach(name -> keys.add(PREFIX + name));
    keys.add(LANE_PREFIX + "<name>");
    keys.add(DRIVER_PREFIX + "<name>");
    return keys;
  }

  static void apply(Properties properties, PoolwiseDataSource.Builder builder) {
    List<String> problems = new ArrayList<>();
    Consumer<PoolwiseDataSource.Builder> driverClass = b -> {};
    String url = null;
    List<Consumer<PoolwiseDataSource.Builder>> changes = new ArrayList<>();
    for (Map.Entry<String, String> entry : poolwiseEntries(properties).entrySet()) {
      String key = entry.getKey();
      String value = entry.getValue();
      String name = key.substring(PREFIX.length());
      try {
        if (key.startsWith(DRIVER_PREFIX)) {
          String driverKey = key.substring(DRIVER_PREFIX.length());
          if (driverKey.isEmpty()) {
            throw new IllegalArgumentException(key + " has no property name: write " + DRIVER_PREFIX + "<name>=<value>,"
                + " e.g. " + DRIVER_PREFIX + "sslmode=verify-full");
          }
          changes.add(b -> b.driverProperty(driverKey, value));
        } else if (key.startsWith(LANE_PREFIX)) {
          changes.add(parseLane(key, value));
        } else if (name.equals("url")) {
          url = requireValue(key, value).strip();
        } else if (name.equals("dataSource")) {
          throw new IllegalArgumentException(key + " is not supported: a DataSource is an object, not a string. Pass"
              + " it to PoolwiseDataSource.builder().dataSource(...), or give " + PREFIX + "url instead");
        } else if (SETTINGS.containsKey(name)) {
          Consumer<PoolwiseDataSource.Builder> change = SETTINGS.get(name).parse(key, value);
          if (name.equals("driverClassName")) {
            driverClass = change;
          } else {
            changes.add(change);
          }
        } else {
          throw unknownKey(key);
        }
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.size() == 1 ? problems.get(0)
          : problems.size() + " problems in the poolwise.* properties:\n  - " + String.join("\n  - ", problems));
    }
    // The driver class first (the URL parser may ask the driver about parameters), then the URL, then the
    // explicit keys, so that poolwise.maxSize overrides the URL's connection_limit.
    driverClass.accept(builder);
    if (url != null) {
      try {
        builder.url(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(PREFIX + "url: " + e.getMessage(), e);
      }
    }
    changes.forEach(change -> change.accept(builder));
  }

  /**
   * The {@code poolwise.*} entries, sorted, including the {@link Properties} defaults. A value that is not a
   * String ({@code put("poolwise.maxSize", 20)}) is taken by its {@code toString()} rather than ignored, which
   * is what {@link Properties#getProperty} would silently do.
   */
  private static Map<String, String> poolwiseEntries(Properties properties) {
    Map<String, String> entries = new TreeMap<>();
    for (String name : properties.stringPropertyNames()) {
      if (name.startsWith(PREFIX)) {
        entries.put(name, properties.getProperty(name));
      }
    }
    for (Map.Entry<Object, Object> entry : properties.entrySet()) {
      if (entry.getKey() instanceof String && ((String) entry.getKey()).startsWith(PREFIX)
          && !(entry.getValue() instanceof String)) {
        entries.put((String) entry.getKey(), String.valueOf(entry.getValue()));
      }
    }
    return entries;
  }

  private static IllegalArgumentException unknownKey(String key) {
    // Never show the value: the key may be a misspelt password key (poolwise.pasword).
    String name = key.substring(PREFIX.length());
    String hint;
    if (HIKARI_NAMES.containsKey(name)) {
      hint = " (HikariCP's " + name + " is " + PREFIX + HIKARI_NAMES.get(name) + " in Poolwise)";
    } else if (name.startsWith("dataSource.")) {
      hint = " (HikariCP's dataSource.* properties are " + DRIVER_PREFIX + "* in Poolwise)";
    } else {
      List<String> keys = new ArrayList<>(knownKeys());
      keys.remove(DRIVER_PREFIX + "<name>");
      keys.remove(LANE_PREFIX + "<name>");
      hint = name.equals("lane") || name.equals("lanes")
          ? " (a lane is one key per lane: " + LANE_PREFIX + "<name>=<maxConnections>, e.g. " + LANE_PREFIX + "batch=4)"
          : Suggestions.didYouMean(key, keys);
    }
    List<String> known = knownKeys();
    return new IllegalArgumentException("Unknown key " + key + hint + ". Known keys: " + String.join(", ", known));
  }

  /* --- Value parsers --- */

  private static void text(String name, BiConsumer<PoolwiseDataSource.Builder, String> setter) {
    SETTINGS.put(name, (key, value) -> {
      String text = requireValue(key, value);
      return builder -> setter.accept(builder, text);
    });
  }

  private static void integer(String name, int min, BiConsumer<PoolwiseDataSource.Builder, Integer> setter) {
    SETTINGS.put(name, (key, value) -> {
      int number = parseInt(key, value, min);
      return builder -> setter.accept(builder, number);
    });
  }

  private static void duration(String name, BiConsumer<PoolwiseDataSource.Builder, Duration> setter) {
    SETTINGS.put(name, (key, value) -> {
      Duration duration = parseDuration(key, value);
      return builder -> setter.accept(builder, duration);
    });
  }

  private static <E extends Enum<E>> void enumeration(String name, Class<E> type, String what,
      BiConsumer<PoolwiseDataSource.Builder, E> setter) {
    SETTINGS.put(name, (key, value) -> {
      E constant = parseEnum(key, value, type, what);
      return builder -> setter.accept(builder, constant);
    });
  }

  private static void bool(String name, BiConsumer<PoolwiseDataSource.Builder, Boolean> setter) {
    SETTINGS.put(name, (key, value) -> {
      boolean flag = parseBoolean(key, value);
      return builder -> setter.accept(builder, flag);
    });
  }

  /**
   * Empty values are refused rather than applied: {@code poolwise.schema=} in a template almost always means
   * "not set", and an empty schema or pool name would be worse than the default.
   */
  private static String requireValue(String key, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(key + " is empty; give a value or remove the key to use the default");
    }
    return value;
  }

  private static String show(String key, String value) {
    return Redaction.isSecretKey(key) ? key + "=" + Redaction.HIDDEN : key + "=" + value;
  }

  static int parseInt(String key, String value, int min) {
    String text = requireValue(key, value).strip();
    if (!WHOLE_NUMBER.matcher(text).matches()) {
      throw new IllegalArgumentException(show(key, value) + " is not a whole number");
    }
    long number;
    try {
      number = Long.parseLong(text);
    } catch (NumberFormatException e) {
      number = text.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    if (number < min || number > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(show(key, value) + " is out of range: give a number between " + min
          + " and " + Integer.MAX_VALUE);
    }
    return (int) number;
  }

  /**
   * {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d} (decimals allowed: {@code 1.5s}), ISO-8601
   * ({@code PT5S}), or a plain number of milliseconds (HikariCP's convention). Never negative; at most what the
   * pool's nanosecond clock can hold (about 292 years).
   */
  static Duration parseDuration(String key, String value) {
    String text = requireValue(key, value).strip();
    String syntax = "; write e.g. 500ms, 5s, 2m, 1h, 1d, an ISO-8601 duration such as PT5S, or a plain number of"
        + " milliseconds (0 = zero)";
    if (text.startsWith("-")) {
      throw new IllegalArgumentException(show(key, value) + " is negative; durations are zero or positive" + syntax);
    }
    Duration duration;
    try {
      if (text.chars().allMatch(Character::isDigit)) {
        duration = Duration.ofMillis(Long.parseLong(text));
      } else if (text.startsWith("P") || text.startsWith("p")) {
        duration = Duration.parse(text);
      } else {
        Matcher matcher = DURATION_WITH_UNIT.matcher(text);
        if (!matcher.matches()) {
          throw new IllegalArgumentException(show(key, value) + " is not a duration" + syntax);
        }
        BigDecimal nanosPerUnit = BigDecimal.valueOf(unitNanos(matcher.group(2)));
        duration = Duration.ofNanos(new BigDecimal(matcher.group(1)).multiply(nanosPerUnit).longValueExact());
      }
      // The pool computes deadlines in nanoseconds: toNanos() throws ArithmeticException beyond about 292 years.
      long unused = duration.toNanos();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(show(key, value) + " is too long (at most about 292 years) or too precise"
          + " (at most nanoseconds)");
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(show(key, value) + " is not an ISO-8601 duration" + syntax);
    }
    if (duration.isNegative()) {
      throw new IllegalArgumentException(show(key, value) + " is negative; durations are zero or positive" + syntax);
    }
    return duration;
  }

  private static long unitNanos(String unit) {
    switch (unit) {
      case "ms":
        return 1_000_000L;
      case "s":
        return 1_000_000_000L;
      case "m":
        return 60_000_000_000L;
      case "h":
        return 3_600_000_000_000L;
      case "d":
        return 86_400_000_000_000L;
      default:
        throw new AssertionError(unit);
    }
  }

  /** {@code true} or {@code false} (any case); {@code yes}, {@code 1} or {@code on} are refused as ambiguous. */
  static boolean parseBoolean(String key, String value) {
    String text = requireValue(key, value).strip();
    if (text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(show(key, value) + " is not a boolean: write true or false");
  }

  /** {@code FAIL_FAST}, {@code fail-fast}, {@code failfast}, … */
  static StartMode parseStartMode(String key, String value) {
    return parseEnum(key, value, StartMode.class, "start mode");
  }

  /**
   * An enum constant by name, in any case, with {@code _}, {@code -} and spaces ignored: {@code fail-fast} is
   * {@code FAIL_FAST}, {@code always} is {@code ALWAYS}. The message lists the constants.
   */
  static <E extends Enum<E>> E parseEnum(String key, String value, Class<E> type, String what) {
    String wanted = squash(requireValue(key, value));
    for (E constant : type.getEnumConstants()) {
      if (squash(constant.name()).equals(wanted)) {
        return constant;
      }
    }
    throw new IllegalArgumentException(show(key, value) + " is not a " + what + ": use one of "
        + Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", ")));
  }

  /**
   * {@code poolwise.lane.<name>=<maxConnections>}: the lane name is the rest of the key, verbatim (lane names
   * are matched exactly by {@link Poolwise#lane(String)}); whether the number fits {@code maxSize} is checked
   * by the builder, which knows the final size.
   */
  private static Consumer<PoolwiseDataSource.Builder> parseLane(String key, String value) {
    String lane = key.substring(LANE_PREFIX.length());
    if (lane.isBlank()) {
      throw new IllegalArgumentException(key + " has no lane name: write " + LANE_PREFIX + "<name>=<maxConnections>,"
          + " e.g. " + LANE_PREFIX + "batch=4");
    }
    int maxConnections = parseInt(key, value, 1);
    return builder -> builder.lane(lane, maxConnections);
  }

  /** {@code TRANSACTION_READ_COMMITTED}, {@code READ_COMMITTED}, {@code read committed}, {@code read-committed} or 2. */
  static int parseIsolation(String key, String value) {
    String text = requireValue(key, value).strip();
    if (WHOLE_NUMBER.matcher(text).matches()) {
      int level = parseInt(key, text, Integer.MIN_VALUE);
      if (level == Connection.TRANSACTION_NONE || level == Connection.TRANSACTION_READ_UNCOMMITTED
          || level == Connection.TRANSACTION_READ_COMMITTED || level == Connection.TRANSACTION_REPEATABLE_READ
          || level == Connection.TRANSACTION_SERIALIZABLE) {
        return level;
      }
    } else {
      String wanted = squash(text);
      if (wanted.startsWith("TRANSACTION")) {
        wanted = wanted.substring("TRANSACTION".length());
      }
      switch (wanted) {
        case "NONE":
          return Connection.TRANSACTION_NONE;
        case "READUNCOMMITTED":
          return Connection.TRANSACTION_READ_UNCOMMITTED;
        case "READCOMMITTED":
          return Connection.TRANSACTION_READ_COMMITTED;
        case "REPEATABLEREAD":
          return Connection.TRANSACTION_REPEATABLE_READ;
        case "SERIALIZABLE":
          return Connection.TRANSACTION_SERIALIZABLE;
        default:
          break;
      }
    }
    throw new IllegalArgumentException(show(key, value) + " is not a transaction isolation level: use READ_UNCOMMITTED,"
        + " READ_COMMITTED, REPEATABLE_READ, SERIALIZABLE or NONE (also as TRANSACTION_…, 'read committed', or the"
        + " java.sql.Connection number 1, 2, 4, 8, 0)");
  }

  /** Upper case without {@code _}, {@code -} and spaces, so that spelling variants compare equal. */
  private static String squash(String text) {
    return text.strip().toUpperCase(Locale.ROOT).replace("_", "").replace("-", "").replace(" ", "");
  }
}
