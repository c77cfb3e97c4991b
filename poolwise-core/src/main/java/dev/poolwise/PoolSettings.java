package dev.poolwise;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The validated, immutable configuration of one pool, produced by {@link PoolwiseDataSource.Builder#build()}.
 * Everything the pool reads at run time comes from here; nothing in here is ever mutated.
 *
 * <p>{@link #toString()} is safe to log: it shows the URL without credentials and never a password.
 */
record PoolSettings(
    String poolName,
    @Nullable String jdbcUrl,
    @Nullable String driverClassName,
    @Nullable DataSource dataSource,
    Supplier<Credentials> credentials,
    Map<String, String> driverProperties,
    int maxSize,
    int minIdle,
    Duration acquireTimeout,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration maxLifetime,
    Duration keepaliveInterval,
    Duration validationTimeout,
    Duration validateAfterIdle,
    Duration shutdownTimeout,
    Duration housekeepingInterval,
    Duration creationBackoffInitial,
    Duration creationBackoffMax,
    int maxConcurrentCreations,
    StartMode startMode,
    @Nullable Boolean autoCommit,
    @Nullable Integer transactionIsolation,
    @Nullable Boolean readOnly,
    @Nullable String catalog,
    @Nullable String schema,
    @Nullable String connectionInitSql,
    boolean diagnostics,
    StackCapture acquisitionStacks,
    Duration leakThreshold,
    Duration leakReclaimThreshold,
    MultipleAcquisition multipleAcquisition,
    Map<String, Integer> lanes,
    int expectedInstances,
    boolean registerMBean,
    SqlLogging sqlLogging,
    Duration slowSqlThreshold,
    SessionReset sessionReset,
    @Nullable String fleet,
    Duration fleetInterval) {

  /** Driver properties plus the current credentials, ready for {@code Driver.connect}. */
  Properties connectProperties(Credentials current) {
    Properties properties = new Properties();
    properties.putAll(driverProperties);
    if (current != null && current.username() != null) {
      properties.setProperty("user", current.username());
    }
    if (current != null && current.password() != null) {
      properties.setProperty("password", current.password());
    }
    return properties;
  }

  @Override
  public String toString() {
    return "PoolSettings[poolName=" + poolName
        // The builder requires a URL or a DataSource.
        + ", url=" + (jdbcUrl == null ? "<DataSource " + Nulls.castToNonNull(dataSource).getClass().getName() + ">"
            : Redaction.redactUrl(jdbcUrl))
        + ", maxSize=" + maxSize + ", minIdle=" + minIdle
        + ", acquireTimeout=" + acquireTimeout + ", connectTimeout=" + connectTimeout
        + ", idleTimeout=" + idleTimeout + ", maxLifetime=" + maxLifetime
        + ", keepaliveInterval=" + keepaliveInterval + ", startMode=" + startMode
        + ", driverProperties=" + Redaction.redactProperties(driverProperties) + "]";
  }
}
