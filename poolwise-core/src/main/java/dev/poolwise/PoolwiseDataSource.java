package dev.poolwise;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A pooling {@link DataSource}: fast, fair (strict FIFO under contention) and at home with virtual threads.
 *
 * <pre>{@code
 * try (var pool = PoolwiseDataSource.fromUrl("postgresql://app:secret@localhost:5432/shop?connection_limit=20")) {
 *   try (Connection c = pool.getConnection()) { ... }
 * }
 * }</pre>
 *
 * <p>Configure it from a {@link #builder()}, from {@link #fromProperties(Properties) Properties} with
 * {@code poolwise.*} keys, or from a JDBC URL / {@code DATABASE_URL} ({@link #fromUrl(String)}).
 * When no connection can be had within {@code acquireTimeout}, {@link #getConnection()} throws
 * {@link PoolTimeoutException}, whose message says what the pool looked like at that moment.
 */
public final class PoolwiseDataSource implements DataSource, AutoCloseable {

  private final ConnectionPool pool;
  /** Unregisters the JMX bean; a no-op when none was registered. */
  private final AutoCloseable mbeanRegistration;

  private PoolwiseDataSource(PoolSettings settings, PoolClock clock) throws SQLException {
    this.pool = new ConnectionPool(settings, clock);
    AutoCloseable registration = () -> { };
    if (settings.registerMBean()) {
      try {
        registration = PoolMBean.register(this);
      } catch (RuntimeException e) {
        pool.close();
        throw e;
      }
    }
    this.mbeanRegistration = registration;
  }

  /** The pool behind this facade, for tests in this package. */
  ConnectionPool pool() {
    return pool;
  }

  /** A builder for programmatic configuration. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A pool for a JDBC URL ({@code jdbc:postgresql://…}, or any driver's) or a {@code DATABASE_URL}
   * ({@code postgresql://user:password@host:5432/db?connection_limit=20&pool_timeout=10}, also
   * {@code postgres://}). See {@code docs/configuration.md} for the recognised parameters.
   *
   * @throws IllegalArgumentException when the URL is malformed or names an unknown parameter; the message
   *     names the offending part and never contains the password
   * @throws SQLException when {@link StartMode#FAIL_FAST} is configured and the first connection fails
   */
  public static PoolwiseDataSource fromUrl(String url) throws SQLException {
    return builder().url(url).build();
  }

  /**
   * A pool configured from {@code poolwise.*} keys, e.g. {@code poolwise.url}, {@code poolwise.maxSize},
   * {@code poolwise.acquireTimeout=5s}. Keys under {@code poolwise.driver.} go to the driver.
   */
  public static PoolwiseDataSource fromProperties(Properties properties) throws SQLException {
    return builder().properties(properties).build();
  }

  /** The pool's counts at this instant. Cheap enough to call from a health check. */
  public PoolSnapshot snapshot() {
    return pool.snapshot();
  }

  /**
   * Runs {@code work} in one transaction with the {@linkplain RetryPolicy#defaults() default retry policy}:
   * borrows a connection, turns autocommit off, runs the work, commits, returns the connection. Re-runs the
   * whole work on a serialization failure ({@code 40001}), a deadlock ({@code 40P01}) or a connection lost
   * before the commit was sent. Never retries a {@link PoolTimeoutException}: retrying when the pool is
   * saturated multiplies the load that saturated it.
   *
   * @throws CommitOutcomeUnknownException when the connection broke during the commit (never retried)
   * @throws SQLException the work's own failure, or the last one when retries ran out
   */
  public <T> T inTransaction(TransactionWork<T> work) throws SQLException {
    return inTransaction(work, RetryPolicy.defaults());
  }

  /** {@link #inTransaction(TransactionWork)} with an explicit retry policy. */
  public <T> T inTransaction(TransactionWork<T> work, RetryPolicy policy) throws SQLException {
    return TransactionRunner.run(this, Objects.requireNonNull(work, "work"), Objects.requireNonNull(policy, "policy"));
  }

  /**
   * Why the pool is in the state it is in: a one-sentence verdict (connections held idle across
   * non-database work, idle in transaction, slow SQL, a leak, creation failing, demand above capacity…),
   * the holder table and the snapshot behind them. The same text a {@link PoolTimeoutException} carries.
   */
  public Diagnosis diagnose() {
    return pool.diagnose();
  }

  /**
   * Register per-event callbacks (borrow, return, timeout, connect), e.g. for a metrics library's timers.
   * Listeners run on the thread where the event happens, outside the pool's lock; see {@link PoolListener}.
   */
  public void addListener(PoolListener listener) {
    pool.addListener(Objects.requireNonNull(listener, "listener"));
  }

  /** Unregister a listener added with {@link #addListener}; a listener that was not registered is ignored. */
  public void removeListener(PoolListener listener) {
    pool.removeListener(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Stop handing out connections: new borrowers wait (within their acquire timeout) until
   * {@link #resume()}. Returning connections still works. For maintenance such as a failover.
   */
  public void suspend() {
    pool.suspend();
  }

  /** Undo {@link #suspend()}: waiting borrowers are served in arrival order. */
  public void resume() {
    pool.resume();
  }

  /** The pool's name, as used in thread names, messages and metrics. */
  public String poolName() {
    return pool.settings().poolName();
  }

  /**
   * Retire every connection: idle ones are closed now, borrowed ones when they are returned. New
   * connections are opened as demand requires. Use after a failover or a credentials rotation.
   */
  public void softEvictAll() {
    pool.softEvictAll();
  }

  /** {@code true} once {@link #close()} has begun. */
  public boolean isClosed() {
    return pool.isClosed();
  }

  /**
   * Borrow a connection: the most recently used idle one, a new one when below {@code maxSize},
   * otherwise wait in FIFO order until one is returned or {@code acquireTimeout} passes.
   *
   * @throws PoolTimeoutException when none could be had in time
   * @throws SQLException when the pool is closed or the waiting thread is interrupted (its interrupt flag
   *     stays set)
   */
  @Override
  public Connection getConnection() throws SQLException {
    return pool.acquire();
  }

  /**
   * Not supported: a pool's connections all belong to one user. Configure the credentials on the
   * builder (or a {@code Supplier<Credentials>} when they rotate).
   */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException(
        "Poolwise pool '" + poolName() + "' does not open connections for other users; configure credentials on the"
            + " builder instead (credentials(Supplier) supports rotation)");
  }

  /**
   * Close the pool: waiting threads fail at once, idle connections are closed, borrowed connections are
   * closed when returned; after {@code shutdownTimeout} whatever is still borrowed is aborted.
   */
  @Override
  public void close() {
    try {
      mbeanRegistration.close();
    } catch (Exception e) {
      // PoolMBean's registration never throws on close; nothing else is registered.
    }
    pool.close();
  }

  @Override
  public @Nullable PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    throw new SQLFeatureNotSupportedException("Poolwise logs through SLF4J; setLogWriter is not supported");
  }

  /** Poolwise's acquire timeout is {@code acquireTimeout}; this reports it in whole seconds. */
  @Override
  public int getLoginTimeout() {
    return (int) Math.min(Integer.MAX_VALUE, pool.settings().acquireTimeout().toSeconds());
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    throw new SQLFeatureNotSupportedException(
        "Poolwise's wait is fixed at build time: set acquireTimeout (or pool_timeout in the URL) instead");
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("Poolwise logs through SLF4J, not java.util.logging");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    DataSource delegate = pool.settings().dataSource();
    if (delegate != null) {
      if (type.isInstance(delegate)) {
        return type.cast(delegate);
      }
      return delegate.unwrap(type);
    }
    throw new SQLException("PoolwiseDataSource does not wrap a " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    if (type.isInstance(this)) {
      return true;
    }
    DataSource delegate = pool.settings().dataSource();
    return delegate != null && (type.isInstance(delegate) || delegate.isWrapperFor(type));
  }

  @Override
  public String toString() {
    return "PoolwiseDataSource[" + pool + "]";
  }

  /**
   * Configuration for a {@link PoolwiseDataSource}. Every setting has a default (see the README's table);
   * only a URL (or a {@link DataSource}) is required. {@code Duration.ZERO} turns a timer off where the
   * setting says so. Not thread-safe; {@link #build()} validates everything and may be called more than once.
   */
  public static final class Builder {

    private static final AtomicInteger POOL_COUNTER = new AtomicInteger();

    @Nullable String poolName;
    @Nullable String jdbcUrl;
    @Nullable String driverClassName;
    @Nullable DataSource dataSource;
    @Nullable String username;
    @Nullable String password;
    /** Credentials found in the URL; {@link #username}/{@link #password} win over them. */
    @Nullable String urlUsername;
    @Nullable String urlPassword;
    @Nullable Supplier<Credentials> credentials;
    final Map<String, String> driverProperties = new LinkedHashMap<>();
    int maxSize = defaultMaxSize();
    @Nullable Integer minIdle;
    Duration acquireTimeout = Duration.ofSeconds(5);
    Duration connectTimeout = Duration.ofSeconds(10);
    Duration idleTimeout = Duration.ofMinutes(10);
    Duration maxLifetime = Duration.ofMinutes(30);
    Duration keepaliveInterval = Duration.ofMinutes(2);
    Duration validationTimeout = Duration.ofSeconds(5);
    Duration validateAfterIdle = Duration.ofMillis(500);
    Duration shutdownTimeout = Duration.ofSeconds(10);
    Duration housekeepingInterval = Duration.ofSeconds(5);
    Duration creationBackoffInitial = Duration.ofMillis(100);
    Duration creationBackoffMax = Duration.ofSeconds(1);
    int maxConcurrentCreations = 2;
    StartMode startMode = StartMode.BACKGROUND;
    @Nullable Boolean autoCommit;
    @Nullable Integer transactionIsolation;
    @Nullable Boolean readOnly;
    @Nullable String catalog;
    @Nullable String schema;
    @Nullable String connectionInitSql;
    boolean diagnostics = true;
    StackCapture acquisitionStacks = StackCapture.SAMPLED;
    Duration leakThreshold = Duration.ofSeconds(60);
    Duration leakReclaimThreshold = Duration.ZERO;
    MultipleAcquisition multipleAcquisition = MultipleAcquisition.WARN;
    SessionReset sessionReset = SessionReset.AUTO;
    /** Not configurable by users: tests in this package move a test clock instead of sleeping. */
    PoolClock clock = PoolClock.SYSTEM;
    final Map<String, Integer> lanes = new LinkedHashMap<>();
    int expectedInstances = 1;
    boolean registerMBean;
    SqlLogging sqlLogging = SqlLogging.OFF;
    Duration slowSqlThreshold = Duration.ofSeconds(1);
    @Nullable String fleet;
    Duration fleetInterval = Duration.ofSeconds(5);

    Builder() {}

    /** Ten, or twice the number of processors when that is more: a pool sized for a single service instance. */
    static int defaultMaxSize() {
      return Math.max(10, 2 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * A JDBC URL ({@code jdbc:…}) or a {@code DATABASE_URL} ({@code postgresql://…}, {@code postgres://…}).
     * Pool parameters in it ({@code connection_limit}, {@code pool_timeout}, …) are applied to this builder;
     * credentials in it are used unless {@link #username}/{@link #password}/{@link #credentials} say otherwise.
     */
    public Builder url(String url) {
      ConnectionUrls.apply(Objects.requireNonNull(url, "url"), this);
      return this;
    }

    /** Apply {@code poolwise.*} keys from {@code properties} (see {@link PoolwiseDataSource#fromProperties}). */
    public Builder properties(Properties properties) {
      PropertiesConfiguration.apply(Objects.requireNonNull(properties, "properties"), this);
      return this;
    }

    /** Take physical connections from this {@link DataSource} instead of a URL. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /** Load this driver class before connecting (only needed for drivers that do not self-register). */
    public Builder driverClassName(String driverClassName) {
      this.driverClassName = driverClassName;
      return this;
    }

    /** The pool's name in thread names, messages and metrics; defaults to {@code poolwise-N}. */
    public Builder poolName(String poolName) {
      this.poolName = poolName;
      return this;
    }

    public Builder username(String username) {
      this.username = username;
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Asked before every new physical connection, so rotated passwords take effect without a restart.
     * Overrides {@link #username}/{@link #password} and credentials in the URL.
     */
    public Builder credentials(Supplier<Credentials> credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** A property passed to the driver on every connect (for example pgjdbc's {@code sslmode}). */
    public Builder driverProperty(String key, String value) {
      driverProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The most connections the pool holds, borrowed and idle together. Default: max(10, 2 × CPUs). */
    public Builder maxSize(int maxSize) {
      this.maxSize = maxSize;
      return this;
    }

    /** Idle connections kept ready; the idle timeout never shrinks the pool below it. Default 0. */
    public Builder minIdle(int minIdle) {
      this.minIdle = minIdle;
      return this;
    }

    /** The longest {@code getConnection()} waits before {@link PoolTimeoutException}. Default 5 s. */
    public Builder acquireTimeout(Duration acquireTimeout) {
      this.acquireTimeout = acquireTimeout;
      return this;
    }

    /** The longest one attempt to open a physical connection may take. Default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** Idle connections above {@code minIdle} are closed after this long unused. Default 10 min; ZERO = never. */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    /** Connections are retired after this age (minus up to 2.5 % jitter). Default 30 min; ZERO = never. */
    public Builder maxLifetime(Duration maxLifetime) {
      this.maxLifetime = maxLifetime;
      return this;
    }

    /** Idle connections are validated this often to keep them (and firewalls) alive. Default 2 min; ZERO = off. */
    public Builder keepaliveInterval(Duration keepaliveInterval) {
      this.keepaliveInterval = keepaliveInterval;
      return this;
    }

    /** The longest a validation ({@code Connection.isValid}) may take. Default 5 s. */
    public Builder validationTimeout(Duration validationTimeout) {
      this.validationTimeout = validationTimeout;
      return this;
    }

    /** A connection idle longer than this is validated before it is handed out. Default 500 ms; ZERO = always. */
    public Builder validateAfterIdle(Duration validateAfterIdle) {
      this.validateAfterIdle = validateAfterIdle;
      return this;
    }

    /** How long {@link PoolwiseDataSource#close()} waits for borrowed connections before aborting them. Default 10 s. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    /** How often the housekeeper retires idle, old and dead connections and checks for leaks. Default 5 s. */
    public Builder housekeepingInterval(Duration housekeepingInterval) {
      this.housekeepingInterval = housekeepingInterval;
      return this;
    }

    /** After a failed connect, wait this long before the next; doubles per failure. Default 100 ms. */
    public Builder creationBackoffInitial(Duration creationBackoffInitial) {
      this.creationBackoffInitial = creationBackoffInitial;
      return this;
    }

    /**
     * The ceiling of the connect backoff. Default 1 s: at most two login attempts per second per pool while
     * the server is down (no storm), and a pool that is serving again within about a second of the server's
     * return.
     */
    public Builder creationBackoffMax(Duration creationBackoffMax) {
      this.creationBackoffMax = creationBackoffMax;
      return this;
    }

    /** The most physical connects in flight at once (a login storm hurts the server). Default 2. */
    public Builder maxConcurrentCreations(int maxConcurrentCreations) {
      this.maxConcurrentCreations = maxConcurrentCreations;
      return this;
    }

    /** Fail fast, fill in the background (default) or start lazily. */
    public Builder startMode(StartMode startMode) {
      this.startMode = Objects.requireNonNull(startMode, "startMode");
      return this;
    }

    /** Auto-commit of every handed-out connection; restored on return. Default: the driver's (normally true). */
    public Builder autoCommit(boolean autoCommit) {
      this.autoCommit = autoCommit;
      return this;
    }

    /** A {@code Connection.TRANSACTION_*} level for every handed-out connection; restored on return. */
    public Builder transactionIsolation(int transactionIsolation) {
      this.transactionIsolation = transactionIsolation;
      return this;
    }

    /** Read-only mode of every handed-out connection; restored on return. */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /** The catalog set on every new connection; restored on return. */
    public Builder catalog(String catalog) {
      this.catalog = catalog;
      return this;
    }

    /** The schema set on every new connection (PostgreSQL: the search path); restored on return. */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /** SQL run once on every new physical connection, before it is first handed out. */
    public Builder connectionInitSql(String connectionInitSql) {
      this.connectionInitSql = connectionInitSql;
      return this;
    }

    /**
     * Record who holds each connection (thread, tag, SQL in flight, transaction) and recent hold and wait
     * times, for {@link PoolwiseDataSource#diagnose()} and the timeout message. Default on; off saves a
     * few nanoseconds per borrow and leaves holder tables empty.
     */
    public Builder diagnostics(boolean diagnostics) {
      this.diagnostics = diagnostics;
      return this;
    }

    /** Whether to record where each connection was borrowed. Default {@link StackCapture#SAMPLED}. */
    public Builder acquisitionStacks(StackCapture acquisitionStacks) {
      this.acquisitionStacks = Objects.requireNonNull(acquisitionStacks, "acquisitionStacks");
      return this;
    }

    /**
     * A connection held longer than this is reported as a suspected leak (logged once with its tag and
     * borrowing site, shown in snapshots). Default 60 s; ZERO = off.
     */
    public Builder leakThreshold(Duration leakThreshold) {
      this.leakThreshold = leakThreshold;
      return this;
    }

    /**
     * A connection held longer than this is taken back: aborted and replaced, so the pool heals from a
     * leak. The leaking code gets errors on its next use. Default ZERO = never.
     */
    public Builder leakReclaimThreshold(Duration leakReclaimThreshold) {
      this.leakReclaimThreshold = leakReclaimThreshold;
      return this;
    }

    /**
     * When a PostgreSQL session is reset on return with {@code DISCARD ALL} and the pool's session settings
     * applied again: {@link SessionReset#AUTO} (default) only after a borrow that ran SQL changing session
     * state or unwrapped a driver object; {@link SessionReset#ALWAYS}; {@link SessionReset#OFF}. An open
     * transaction is rolled back on return whatever this says; other databases get the JDBC-level reset only.
     */
    public Builder sessionReset(SessionReset sessionReset) {
      this.sessionReset = Objects.requireNonNull(sessionReset, "sessionReset");
      return this;
    }

    /** What to do when a thread holding a connection asks for another. Default {@link MultipleAcquisition#WARN}. */
    public Builder multipleAcquisition(MultipleAcquisition multipleAcquisition) {
      this.multipleAcquisition = Objects.requireNonNull(multipleAcquisition, "multipleAcquisition");
      return this;
    }

    /**
     * A named lane that may hold at most {@code maxConnections} of this pool's connections; work in it
     * (see {@link Poolwise#lane(String)}) is served after work in the default lane when both wait. For
     * background jobs that must not starve interactive requests.
     */
    public Builder lane(String name, int maxConnections) {
      Objects.requireNonNull(name, "name");
      lanes.put(name, maxConnections);
      return this;
    }

    /** How many instances of this service share the database; used for the server budget check. Default 1. */
    public Builder expectedInstances(int expectedInstances) {
      this.expectedInstances = expectedInstances;
      return this;
    }

    /**
     * Joins the fleet of this name: the pools of every replica that name it share PostgreSQL's connection budget,
     * each capping itself to its max–min fair share, found through {@code pg_stat_activity} alone (see
     * docs/fleet.md). Letters, digits, {@code _ . -}, at most 24. Default none. Ignored behind PgBouncer
     * ({@code pgbouncer=true}), where PgBouncer owns the server budget.
     */
    public Builder fleet(String fleet) {
      this.fleet = fleet;
      return this;
    }

    /** How often a fleet member re-reads the fleet and adjusts its cap (also at once after a 53300). Default 5 s. */
    public Builder fleetInterval(Duration fleetInterval) {
      this.fleetInterval = fleetInterval;
      return this;
    }

    /** Register a {@link PoolwiseMXBean} in the platform MBean server. Default false. */
    public Builder registerMBean(boolean registerMBean) {
      this.registerMBean = registerMBean;
      return this;
    }

    /** Log SQL statements through SLF4J (logger {@code dev.poolwise.sql}). Default {@link SqlLogging#OFF}. */
    public Builder sqlLogging(SqlLogging sqlLogging) {
      this.sqlLogging = Objects.requireNonNull(sqlLogging, "sqlLogging");
      return this;
    }

    /** With {@link SqlLogging#SLOW}, statements at least this long are logged. Default 1 s. */
    public Builder slowSqlThreshold(Duration slowSqlThreshold) {
      this.slowSqlThreshold = slowSqlThreshold;
      return this;
    }

    /**
     * Validate the configuration and start the pool.
     *
     * @throws IllegalArgumentException naming the setting that is invalid and why
     * @throws SQLException when {@link StartMode#FAIL_FAST} is set and the first connection cannot be opened
     */
    public PoolwiseDataSource build() throws SQLException {
      return new PoolwiseDataSource(settings(), clock);
    }

    /** The pool's time source; tests in this package pass a clock they move by hand. */
    Builder clock(PoolClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    PoolSettings settings() {
      if (jdbcUrl == null && dataSource == null) {
        throw new IllegalArgumentException("Poolwise needs a database: set url(...) (JDBC URL or DATABASE_URL) or dataSource(...)");
      }
      if (jdbcUrl != null && dataSource != null) {
        throw new IllegalArgumentException("Poolwise takes either url(...) or dataSource(...), not both");
      }
      if (maxSize < 1) {
        throw new IllegalArgumentException("maxSize must be at least 1, was " + maxSize);
      }
      int effectiveMinIdle = minIdle == null ? 0 : minIdle;
      if (effectiveMinIdle < 0 || effectiveMinIdle > maxSize) {
        throw new IllegalArgumentException("minIdle must be between 0 and maxSize (" + maxSize + "), was " + effectiveMinIdle);
      }
      requirePositive("acquireTimeout", acquireTimeout);
      requirePositive("connectTimeout", connectTimeout);
      requirePositive("validationTimeout", validationTimeout);
      requirePositive("housekeepingInterval", housekeepingInterval);
      requirePositive("creationBackoffInitial", creationBackoffInitial);
      requireNotNegative("idleTimeout", idleTimeout);
      requireNotNegative("maxLifetime", maxLifetime);
      requireNotNegative("keepaliveInterval", keepaliveInterval);
      requireNotNegative("validateAfterIdle", validateAfterIdle);
      requireNotNegative("shutdownTimeout", shutdownTimeout);
      requirePositive("creationBackoffMax", creationBackoffMax);
      if (creationBackoffMax.compareTo(creationBackoffInitial) < 0) {
        throw new IllegalArgumentException("creationBackoffMax (" + creationBackoffMax
            + ") must not be shorter than creationBackoffInitial (" + creationBackoffInitial + ")");
      }
      if (maxConcurrentCreations < 1) {
        throw new IllegalArgumentException("maxConcurrentCreations must be at least 1, was " + maxConcurrentCreations);
      }
      if (transactionIsolation != null && !isIsolationLevel(transactionIsolation)) {
        throw new IllegalArgumentException("transactionIsolation must be one of Connection.TRANSACTION_NONE/READ_UNCOMMITTED/"
            + "READ_COMMITTED/REPEATABLE_READ/SERIALIZABLE (0, 1, 2, 4, 8), was " + transactionIsolation);
      }
      requireNotNegative("leakThreshold", leakThreshold);
      requireNotNegative("leakReclaimThreshold", leakReclaimThreshold);
      if (!leakReclaimThreshold.isZero() && !leakThreshold.isZero() && leakReclaimThreshold.compareTo(leakThreshold) < 0) {
        throw new IllegalArgumentException("leakReclaimThreshold (" + leakReclaimThreshold
            + ") must not be shorter than leakThreshold (" + leakThreshold + "): a connection is reported before it is reclaimed");
      }
      requirePositive("slowSqlThreshold", slowSqlThreshold);
      if (expectedInstances < 1) {
        throw new IllegalArgumentException("expectedInstances must be at least 1, was " + expectedInstances);
      }
      requirePositive("fleetInterval", fleetInterval);
      Map<String, String> effectiveDriverProperties = new LinkedHashMap<>(driverProperties);
      if (fleet != null) {
        if (!FleetBudget.NAME.matcher(fleet).matches()) {
          throw new IllegalArgumentException("fleet must be 1 to 24 letters, digits, '_', '.' or '-' (it goes into"
              + " PostgreSQL's application_name), was '" + fleet + "'");
        }
        if (jdbcUrl == null) {
          throw new IllegalArgumentException("fleet needs url(...): members recognise each other's connections by the"
              + " application_name the pool gives them at connect, which it cannot do for a DataSource");
        }
        if (jdbcUrl.toLowerCase(Locale.ROOT).contains("applicationname=")) {
          throw new IllegalArgumentException("fleet sets the connections' application_name, and pgjdbc lets the"
              + " ApplicationName in the JDBC URL override it: give the name as the application_name URL parameter"
              + " (or the ApplicationName driver property) instead, and the pool keeps it after its fleet tag");
        }
        // In the startup packet (assumeMinServerVersion 9.0), so that DISCARD ALL keeps it.
        effectiveDriverProperties.put("ApplicationName", FleetBudget.pooledApplicationName(fleet,
            FleetBudget.randomMemberId(), driverProperties.get("ApplicationName")));
        effectiveDriverProperties.putIfAbsent("assumeMinServerVersion", "9.0");
      }
      lanes.forEach((lane, limit) -> {
        if (lane.isBlank()) {
          throw new IllegalArgumentException("A lane needs a name; got a blank one");
        }
        if (limit == null || limit < 1 || limit > maxSize) {
          throw new IllegalArgumentException("Lane '" + lane + "' may hold between 1 and maxSize (" + maxSize
              + ") connections, was " + limit);
        }
      });
      String name = poolName != null && !poolName.isBlank() ? poolName : "poolwise-" + POOL_COUNTER.incrementAndGet();
      Supplier<Credentials> effectiveCredentials = credentials;
      if (effectiveCredentials == null) {
        Credentials fixed = new Credentials(username != null ? username : urlUsername,
            password != null ? password : urlPassword);
        effectiveCredentials = () -> fixed;
      }
      return new PoolSettings(name, jdbcUrl, driverClassName, dataSource, effectiveCredentials,
          Map.copyOf(effectiveDriverProperties), maxSize, effectiveMinIdle, acquireTimeout, connectTimeout, idleTimeout,
          maxLifetime, keepaliveInterval, validationTimeout, validateAfterIdle, shutdownTimeout,
          housekeepingInterval, creationBackoffInitial, creationBackoffMax, maxConcurrentCreations, startMode,
          autoCommit, transactionIsolation, readOnly, catalog, schema, connectionInitSql, diagnostics,
          acquisitionStacks, leakThreshold, leakReclaimThreshold, multipleAcquisition, Map.copyOf(lanes),
          expectedInstances, registerMBean, sqlLogging, slowSqlThreshold, sessionReset, fleet, fleetInterval);
    }

    private static boolean isIsolationLevel(int level) {
      return level == Connection.TRANSACTION_NONE || level == Connection.TRANSACTION_READ_UNCOMMITTED
          || level == Connection.TRANSACTION_READ_COMMITTED || level == Connection.TRANSACTION_REPEATABLE_READ
          || level == Connection.TRANSACTION_SERIALIZABLE;
    }

    /**
     * The longest duration any setting accepts: far beyond any sensible timeout, and far enough below
     * {@code Long.MAX_VALUE} nanoseconds (~292 years) that the pool's deadline arithmetic cannot overflow.
     */
    private static final Duration LONGEST = Duration.ofDays(36_500);

    private static void requirePositive(String name, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
      }
      requireAtMostLongest(name, value);
    }

    private static void requireNotNegative(String name, Duration value) {
      if (value == null || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be zero (off) or a positive duration, was " + value);
      }
      requireAtMostLongest(name, value);
    }

    private static void requireAtMostLongest(String name, Duration value) {
      if (value.compareTo(LONGEST) > 0) {
        throw new IllegalArgumentException(name + " must be at most " + LONGEST.toDays() + " days, was " + value
            + "; use ZERO where the setting allows switching it off");
      }
    }

    @Override
    public String toString() {
      return "PoolwiseDataSource.Builder[url=" + Redaction.redactUrl(jdbcUrl) + ", maxSize=" + maxSize + "]";
    }
  }
}
