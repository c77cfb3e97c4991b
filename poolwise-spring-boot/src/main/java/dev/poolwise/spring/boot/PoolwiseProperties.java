package dev.poolwise.spring.boot;

import dev.poolwise.MultipleAcquisition;
import dev.poolwise.SessionReset;
import dev.poolwise.SqlLogging;
import dev.poolwise.StackCapture;
import dev.poolwise.StartMode;
import dev.poolwise.PoolwiseDataSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code poolwise.*} settings of the auto-configured pool. Each maps to the
 * {@link dev.poolwise.PoolwiseDataSource.Builder} method of the same name; an unset one keeps the
 * builder's default (see {@code docs/configuration.md}). Durations take Spring's forms ({@code 5s},
 * {@code 500ms}, {@code PT5S}); a plain number is milliseconds. The database itself comes from
 * {@code spring.datasource.url/username/password} (or {@code DATABASE_URL}, or the embedded database), like
 * any pool's in Spring Boot; {@link ConfigurablePoolwiseDataSource} binds these when it starts.
 */
@ConfigurationProperties(prefix = "poolwise")
public class PoolwiseProperties {

  /**
   * Whether Poolwise is the default spring.datasource.type (the pool Boot's DataSourceAutoConfiguration
   * builds). With false, Boot picks its own pools as if Poolwise were not there.
   */
  private boolean enabled = true;

  /** The pool's name in thread names, messages, health and metrics (tag pool=...). Default poolwise-N. */
  private String poolName;

  /** The most connections the pool holds, borrowed and idle together. Default max(10, 2 x CPUs). */
  private Integer maxSize;

  /** Idle connections kept ready; the idle timeout never shrinks the pool below it. Default 0. */
  private Integer minIdle;

  /** The longest getConnection() waits before PoolTimeoutException. Default 5s; must be positive. */
  private Duration acquireTimeout;

  /** The longest one attempt to open a physical connection may take. Default 10s. */
  private Duration connectTimeout;

  /** Idle connections above min-idle are closed after this long unused. Default 10m; 0 = never. */
  private Duration idleTimeout;

  /** Connections are retired after this age (minus up to 2.5% jitter). Default 30m; 0 = never. */
  private Duration maxLifetime;

  /** Idle connections are validated this often. Default 2m; 0 = off. */
  private Duration keepaliveInterval;

  /** The longest a validation (Connection.isValid) may take. Default 5s. */
  private Duration validationTimeout;

  /** A connection idle longer than this is validated before it is handed out. Default 500ms; 0 = always. */
  private Duration validateAfterIdle;

  /** How long closing the pool waits for borrowed connections before aborting them. Default 10s. */
  private Duration shutdownTimeout;

  /** How often the housekeeper retires idle, old and dead connections and checks for leaks. Default 5s. */
  private Duration housekeepingInterval;

  /** After a failed connect, wait this long before the next; doubles per failure. Default 100ms. */
  private Duration creationBackoffInitial;

  /** The ceiling of the connect backoff. Default 10s. */
  private Duration creationBackoffMax;

  /** The most physical connects in flight at once. Default 2. */
  private Integer maxConcurrentCreations;

  /** fail-fast (open one connection at startup, fail if that fails), background (default) or lazy. */
  private StartMode startMode;

  /** Auto-commit of every handed-out connection; restored on return. Default: the driver's. */
  private Boolean autoCommit;

  /**
   * Isolation of every handed-out connection: read-committed, repeatable-read, serializable,
   * read-uncommitted, none (or TRANSACTION_* names, or the JDBC number). Default: the driver's.
   */
  private String transactionIsolation;

  /** Read-only mode of every handed-out connection; restored on return. */
  private Boolean readOnly;

  /** The catalog set on every new connection; restored on return. */
  private String catalog;

  /** The schema set on every new connection (PostgreSQL: the search path); restored on return. */
  private String schema;

  /** SQL run once on every new physical connection before it is first handed out (and after a session reset). */
  private String connectionInitSql;

  /** When a returned PostgreSQL session is reset with DISCARD ALL: auto (default, after SQL that changed it), always, off. */
  private SessionReset sessionReset;

  /** Record who holds each connection, for diagnose(), the health verdict and timeout messages. Default true. */
  private Boolean diagnostics;

  /** Whether to record where each connection was borrowed: off, sampled (default) or always. */
  private StackCapture acquisitionStacks;

  /** A connection held longer than this while no SQL runs is reported as a suspected leak. Default 60s; 0 = off. */
  private Duration leakThreshold;

  /** A connection held longer than this is taken back (aborted and replaced). Default 0 = never. */
  private Duration leakReclaimThreshold;

  /** What to do when a thread holding a connection asks for another: allow, warn (default) or fail. */
  private MultipleAcquisition multipleAcquisition;

  /** How many instances of this service share the database; for the server budget check. Default 1. */
  private Integer expectedInstances;

  /** The fleet this pool joins: replicas naming the same fleet share max_connections fairly (docs/fleet.md). */
  private String fleet;

  /** How often a fleet member re-reads the fleet and adjusts its cap. Default 5s. */
  private Duration fleetInterval;

  /** Register a PoolwiseMXBean as dev.poolwise:type=Pool,name=(pool name). Default false. */
  private Boolean registerMBean;

  /** Log SQL through SLF4J (logger dev.poolwise.sql): off (default), slow or all. */
  private SqlLogging sqlLogging;

  /** With sql-logging=slow, statements at least this long are logged. Default 1s. */
  private Duration slowSqlThreshold;

  /** Driver properties passed on every connect, e.g. poolwise.driver.[ApplicationName]=orders. */
  private Map<String, String> driver = new LinkedHashMap<>();

  /** Named lanes and the most connections each may hold, e.g. poolwise.lane.batch=4. */
  private Map<String, Integer> lane = new LinkedHashMap<>();

  /** Applies every setting that is set to {@code builder}; unset ones keep the builder's defaults. */
  void applyTo(PoolwiseDataSource.Builder builder) {
    set(poolName, builder::poolName);
    set(maxSize, builder::maxSize);
    set(minIdle, builder::minIdle);
    set(acquireTimeout, builder::acquireTimeout);
    set(connectTimeout, builder::connectTimeout);
    set(idleTimeout, builder::idleTimeout);
    set(maxLifetime, builder::maxLifetime);
    set(keepaliveInterval, builder::keepaliveInterval);
    set(validationTimeout, builder::validationTimeout);
    set(validateAfterIdle, builder::validateAfterIdle);
    set(shutdownTimeout, builder::shutdownTimeout);
    set(housekeepingInterval, builder::housekeepingInterval);
    set(creationBackoffInitial, builder::creationBackoffInitial);
    set(creationBackoffMax, builder::creationBackoffMax);
    set(maxConcurrentCreations, builder::maxConcurrentCreations);
    set(startMode, builder::startMode);
    set(autoCommit, builder::autoCommit);
    set(readOnly, builder::readOnly);
    set(catalog, builder::catalog);
    set(schema, builder::schema);
    set(connectionInitSql, builder::connectionInitSql);
    set(sessionReset, builder::sessionReset);
    set(diagnostics, builder::diagnostics);
    set(acquisitionStacks, builder::acquisitionStacks);
    set(leakThreshold, builder::leakThreshold);
    set(leakReclaimThreshold, builder::leakReclaimThreshold);
    set(multipleAcquisition, builder::multipleAcquisition);
    set(expectedInstances, builder::expectedInstances);
    set(fleet, builder::fleet);
    set(fleetInterval, builder::fleetInterval);
    set(registerMBean, builder::registerMBean);
    set(sqlLogging, builder::sqlLogging);
    set(slowSqlThreshold, builder::slowSqlThreshold);
    driver.forEach(builder::driverProperty);
    lane.forEach(builder::lane);
    if (transactionIsolation != null) {
      // The core parses the level names ("read committed", "SERIALIZABLE", "TRANSACTION_…", "2") and
      // reports a bad one naming the key: one parser, not a second copy here.
      Properties isolation = new Properties();
      isolation.setProperty("poolwise.transactionIsolation", transactionIsolation);
      builder.properties(isolation);
    }
  }

  /** Applies {@code value} unless it is unset. (Not Boot's PropertyMapper: its null handling differs between Boot 3 and 4.) */
  private static <T> void set(T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  // --- accessors (JavaBean style, as Spring's binder and the configuration processor expect) ---

  public boolean isEnabled() { return enabled; }
  public void setEnabled(boolean enabled) { this.enabled = enabled; }
  public String getPoolName() { return poolName; }
  public void setPoolName(String poolName) { this.poolName = poolName; }
  public Integer getMaxSize() { return maxSize; }
  public void setMaxSize(Integer maxSize) { this.maxSize = maxSize; }
  public Integer getMinIdle() { return minIdle; }
  public void setMinIdle(Integer minIdle) { this.minIdle = minIdle; }
  public Duration getAcquireTimeout() { return acquireTimeout; }
  public void setAcquireTimeout(Duration acquireTimeout) { this.acquireTimeout = acquireTimeout; }
  public Duration getConnectTimeout() { return connectTimeout; }
  public void setConnectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; }
  public Duration getIdleTimeout() { return idleTimeout; }
  public void setIdleTimeout(Duration idleTimeout) { this.idleTimeout = idleTimeout; }
  public Duration getMaxLifetime() { return maxLifetime; }
  public void setMaxLifetime(Duration maxLifetime) { this.maxLifetime = maxLifetime; }
  public Duration getKeepaliveInterval() { return keepaliveInterval; }
  public void setKeepaliveInterval(Duration keepaliveInterval) { this.keepaliveInterval = keepaliveInterval; }
  public Duration getValidationTimeout() { return validationTimeout; }
  public void setValidationTimeout(Duration validationTimeout) { this.validationTimeout = validationTimeout; }
  public Duration getValidateAfterIdle() { return validateAfterIdle; }
  public void setValidateAfterIdle(Duration validateAfterIdle) { this.validateAfterIdle = validateAfterIdle; }
  public Duration getShutdownTimeout() { return shutdownTimeout; }
  public void setShutdownTimeout(Duration shutdownTimeout) { this.shutdownTimeout = shutdownTimeout; }
  public Duration getHousekeepingInterval() { return housekeepingInterval; }
  public void setHousekeepingInterval(Duration housekeepingInterval) { this.housekeepingInterval = housekeepingInterval; }
  public Duration getCreationBackoffInitial() { return creationBackoffInitial; }
  public void setCreationBackoffInitial(Duration creationBackoffInitial) { this.creationBackoffInitial = creationBackoffInitial; }
  public Duration getCreationBackoffMax() { return creationBackoffMax; }
  public void setCreationBackoffMax(Duration creationBackoffMax) { this.creationBackoffMax = creationBackoffMax; }
  public Integer getMaxConcurrentCreations() { return maxConcurrentCreations; }
  public void setMaxConcurrentCreations(Integer maxConcurrentCreations) { this.maxConcurrentCreations = maxConcurrentCreations; }
  public StartMode getStartMode() { return startMode; }
  public void setStartMode(StartMode startMode) { this.startMode = startMode; }
  public Boolean getAutoCommit() { return autoCommit; }
  public void setAutoCommit(Boolean autoCommit) { this.autoCommit = autoCommit; }
  public String getTransactionIsolation() { return transactionIsolation; }
  public void setTransactionIsolation(String transactionIsolation) { this.transactionIsolation = transactionIsolation; }
  public Boolean getReadOnly() { return readOnly; }
  public void setReadOnly(Boolean readOnly) { this.readOnly = readOnly; }
  public String getCatalog() { return catalog; }
  public void setCatalog(String catalog) { this.catalog = catalog; }
  public String getSchema() { return schema; }
  public void setSchema(String schema) { this.schema = schema; }
  public String getConnectionInitSql() { return connectionInitSql; }
  public void setConnectionInitSql(String connectionInitSql) { this.connectionInitSql = connectionInitSql; }
  public SessionReset getSessionReset() { return sessionReset; }
  public void setSessionReset(SessionReset sessionReset) { this.sessionReset = sessionReset; }
  public Boolean getDiagnostics() { return diagnostics; }
  public void setDiagnostics(Boolean diagnostics) { this.diagnostics = diagnostics; }
  public StackCapture getAcquisitionStacks() { return acquisitionStacks; }
  public void setAcquisitionStacks(StackCapture acquisitionStacks) { this.acquisitionStacks = acquisitionStacks; }
  public Duration getLeakThreshold() { return leakThreshold; }
  public void setLeakThreshold(Duration leakThreshold) { this.leakThreshold = leakThreshold; }
  public Duration getLeakReclaimThreshold() { return leakReclaimThreshold; }
  public void setLeakReclaimThreshold(Duration leakReclaimThreshold) { this.leakReclaimThreshold = leakReclaimThreshold; }
  public MultipleAcquisition getMultipleAcquisition() { return multipleAcquisition; }
  public void setMultipleAcquisition(MultipleAcquisition multipleAcquisition) { this.multipleAcquisition = multipleAcquisition; }
  public Integer getExpectedInstances() { return expectedInstances; }
  public void setExpectedInstances(Integer expectedInstances) { this.expectedInstances = expectedInstances; }
  public String getFleet() { return fleet; }
  public void setFleet(String fleet) { this.fleet = fleet; }
  public Duration getFleetInterval() { return fleetInterval; }
  public void setFleetInterval(Duration fleetInterval) { this.fleetInterval = fleetInterval; }
  public Boolean getRegisterMBean() { return registerMBean; }
  public void setRegisterMBean(Boolean registerMBean) { this.registerMBean = registerMBean; }
  public SqlLogging getSqlLogging() { return sqlLogging; }
  public void setSqlLogging(SqlLogging sqlLogging) { this.sqlLogging = sqlLogging; }
  public Duration getSlowSqlThreshold() { return slowSqlThreshold; }
  public void setSlowSqlThreshold(Duration slowSqlThreshold) { this.slowSqlThreshold = slowSqlThreshold; }
  public Map<String, String> getDriver() { return driver; }
  public void setDriver(Map<String, String> driver) { this.driver = driver; }
  public Map<String, Integer> getLane() { return lane; }
  public void setLane(Map<String, Integer> lane) { this.lane = lane; }
}
