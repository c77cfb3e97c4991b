package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A catalogue of malformed or hostile programmatic configuration — zero, negative, null and huge
 * values on the builder — each with the clear error it must produce, naming the offending setting.
 * Malformed URLs and {@code poolwise.*} properties are catalogued in {@link ConnectionUrlsTest} and
 * {@code PropertiesConfigurationTest}; this covers what those do not.
 */
class HostileConfigurationTest {

  private static final String SECRET = "H0stileConfigSecret";

  private static PoolwiseDataSource.Builder valid() {
    return PoolwiseDataSource.builder().url("postgresql://app:" + SECRET + "@db.invalid/app");
  }

  private static Arguments invalid(String what, Consumer<PoolwiseDataSource.Builder> change, String expected) {
    return Arguments.of(what, change, expected);
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        invalid("maxSize 0", b -> b.maxSize(0), "maxSize must be at least 1, was 0"),
        invalid("maxSize negative", b -> b.maxSize(-5), "maxSize must be at least 1, was -5"),
        invalid("maxSize MIN_VALUE", b -> b.maxSize(Integer.MIN_VALUE), "maxSize must be at least 1, was -2147483648"),
        invalid("minIdle negative", b -> b.minIdle(-1), "minIdle must be between 0 and maxSize (10), was -1"),
        invalid("minIdle above maxSize", b -> b.maxSize(4).minIdle(5), "minIdle must be between 0 and maxSize (4), was 5"),
        invalid("acquireTimeout zero", b -> b.acquireTimeout(Duration.ZERO), "acquireTimeout must be a positive duration, was PT0S"),
        invalid("acquireTimeout negative", b -> b.acquireTimeout(Duration.ofSeconds(-1)), "acquireTimeout must be a positive duration, was PT-1S"),
        invalid("acquireTimeout null", b -> b.acquireTimeout(null), "acquireTimeout must be a positive duration, was null"),
        invalid("connectTimeout zero", b -> b.connectTimeout(Duration.ZERO), "connectTimeout must be a positive duration"),
        invalid("connectTimeout null", b -> b.connectTimeout(null), "connectTimeout must be a positive duration, was null"),
        invalid("validationTimeout negative", b -> b.validationTimeout(Duration.ofMillis(-1)), "validationTimeout must be a positive duration"),
        invalid("housekeepingInterval zero", b -> b.housekeepingInterval(Duration.ZERO), "housekeepingInterval must be a positive duration"),
        invalid("creationBackoffInitial zero", b -> b.creationBackoffInitial(Duration.ZERO), "creationBackoffInitial must be a positive duration"),
        invalid("creationBackoffMax below initial", b -> b.creationBackoffInitial(Duration.ofSeconds(2)).creationBackoffMax(Duration.ofSeconds(1)),
            "creationBackoffMax (PT1S) must not be shorter than creationBackoffInitial (PT2S)"),
        invalid("creationBackoffMax null", b -> b.creationBackoffMax(null), "creationBackoffMax must be a positive duration, was null"),
        invalid("idleTimeout negative", b -> b.idleTimeout(Duration.ofMinutes(-1)), "idleTimeout must be zero (off) or a positive duration"),
        invalid("maxLifetime negative", b -> b.maxLifetime(Duration.ofMinutes(-30)), "maxLifetime must be zero (off) or a positive duration"),
        invalid("maxLifetime null", b -> b.maxLifetime(null), "maxLifetime must be zero (off) or a positive duration, was null"),
        invalid("keepaliveInterval negative", b -> b.keepaliveInterval(Duration.ofSeconds(-1)), "keepaliveInterval must be zero (off)"),
        invalid("validateAfterIdle negative", b -> b.validateAfterIdle(Duration.ofNanos(-1)), "validateAfterIdle must be zero (off)"),
        invalid("shutdownTimeout negative", b -> b.shutdownTimeout(Duration.ofSeconds(-10)), "shutdownTimeout must be zero (off)"),
        invalid("leakThreshold negative", b -> b.leakThreshold(Duration.ofSeconds(-60)), "leakThreshold must be zero (off)"),
        invalid("leakReclaimThreshold below leakThreshold", b -> b.leakThreshold(Duration.ofSeconds(60)).leakReclaimThreshold(Duration.ofSeconds(1)),
            "leakReclaimThreshold (PT1S) must not be shorter than leakThreshold (PT1M)"),
        invalid("slowSqlThreshold zero", b -> b.slowSqlThreshold(Duration.ZERO), "slowSqlThreshold must be a positive duration"),
        invalid("maxConcurrentCreations 0", b -> b.maxConcurrentCreations(0), "maxConcurrentCreations must be at least 1, was 0"),
        invalid("expectedInstances 0", b -> b.expectedInstances(0), "expectedInstances must be at least 1, was 0"),
        invalid("expectedInstances negative", b -> b.expectedInstances(-3), "expectedInstances must be at least 1, was -3"),
        invalid("transactionIsolation 3", b -> b.transactionIsolation(3), "transactionIsolation must be one of"),
        invalid("transactionIsolation huge", b -> b.transactionIsolation(Integer.MAX_VALUE), "was 2147483647"),
        invalid("lane with a blank name", b -> b.lane("  ", 1), "A lane needs a name"),
        invalid("lane limit 0", b -> b.lane("batch", 0), "Lane 'batch' may hold between 1 and maxSize (10) connections, was 0"),
        invalid("lane limit above maxSize", b -> b.maxSize(4).lane("batch", 5), "Lane 'batch' may hold between 1 and maxSize (4)"),
        invalid("no database at all", b -> b.url("postgresql://h/db").dataSource(new StubDatabaseDataSource()),
            "either url(...) or dataSource(...), not both"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSettings")
  void invalidSettingIsRefusedNamingIt(String what, Consumer<PoolwiseDataSource.Builder> change, String expected) {
    PoolwiseDataSource.Builder builder = valid().maxSize(10);
    change.accept(builder);
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected)
        .message().doesNotContain(SECRET);
  }

  @Test
  void noDatabaseIsRefused() {
    assertThatThrownBy(() -> PoolwiseDataSource.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a database");
  }

  static Stream<Arguments> nulls() {
    return Stream.<Arguments>of(
        invalid("url", b -> b.url(null), "url"),
        invalid("properties", b -> b.properties(null), "properties"),
        invalid("dataSource", b -> b.dataSource(null), "dataSource"),
        invalid("credentials", b -> b.credentials(null), "credentials"),
        invalid("driverProperty key", b -> b.driverProperty(null, "v"), "key"),
        invalid("driverProperty value", b -> b.driverProperty("sslmode", null), "value"),
        invalid("startMode", b -> b.startMode(null), "startMode"),
        invalid("acquisitionStacks", b -> b.acquisitionStacks(null), "acquisitionStacks"),
        invalid("multipleAcquisition", b -> b.multipleAcquisition(null), "multipleAcquisition"),
        invalid("sqlLogging", b -> b.sqlLogging(null), "sqlLogging"),
        invalid("lane name", b -> b.lane(null, 1), "name"));
  }

  @ParameterizedTest(name = "null {0}")
  @MethodSource("nulls")
  void nullIsRefusedAtOnceNamingTheParameter(String what, Consumer<PoolwiseDataSource.Builder> change, String expected) {
    assertThatThrownBy(() -> change.accept(valid()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage(expected);
  }

  static Stream<Arguments> hugeDurations() {
    Duration huge = Duration.ofSeconds(Long.MAX_VALUE); // ~292 billion years: longer than a long of nanoseconds
    return Stream.<Arguments>of(
        invalid("acquireTimeout", b -> b.acquireTimeout(huge), "acquireTimeout"),
        invalid("connectTimeout", b -> b.connectTimeout(huge), "connectTimeout"),
        invalid("idleTimeout", b -> b.idleTimeout(huge), "idleTimeout"),
        invalid("maxLifetime", b -> b.maxLifetime(huge), "maxLifetime"),
        invalid("keepaliveInterval", b -> b.keepaliveInterval(huge), "keepaliveInterval"),
        invalid("validationTimeout", b -> b.validationTimeout(huge), "validationTimeout"),
        invalid("validateAfterIdle", b -> b.validateAfterIdle(huge), "validateAfterIdle"),
        invalid("shutdownTimeout", b -> b.shutdownTimeout(huge), "shutdownTimeout"),
        invalid("housekeepingInterval", b -> b.housekeepingInterval(huge), "housekeepingInterval"),
        invalid("leakThreshold", b -> b.leakThreshold(huge), "leakThreshold"),
        invalid("leakReclaimThreshold", b -> b.leakReclaimThreshold(huge), "leakReclaimThreshold"),
        invalid("slowSqlThreshold", b -> b.slowSqlThreshold(huge), "slowSqlThreshold"),
        invalid("creationBackoff", b -> b.creationBackoffMax(huge).creationBackoffInitial(huge), "creationBackoff"));
  }

  /**
   * A duration too long for a {@code long} of nanoseconds is either accepted (and behaves as "very long")
   * or refused with an {@link IllegalArgumentException} naming the setting — never an
   * {@link ArithmeticException} from deep inside the pool.
   */
  @ParameterizedTest(name = "huge {0}")
  @MethodSource("hugeDurations")
  void hugeDurationIsAcceptedOrRefusedNamingIt(String what, Consumer<PoolwiseDataSource.Builder> change,
      String expected) throws Exception {
    StubDatabase database = StubDatabase.create();
    // On the test clock, which stands still: the first borrow waits for its connect however slow a busy
    // machine is, and the huge durations meet the same nanosecond arithmetic as on the system clock.
    PoolwiseDataSource.Builder builder = StubPools.builder(database).startMode(StartMode.LAZY)
        .acquireTimeout(Duration.ofSeconds(2)).clock(new ManualClock());
    change.accept(builder);
    PoolwiseDataSource pool;
    try {
      pool = builder.build();
    } catch (IllegalArgumentException e) {
      org.assertj.core.api.Assertions.assertThat(e).hasMessageContaining(expected);
      return;
    }
    try (pool; Connection connection = pool.getConnection()) {
      connection.isValid(1);
      PoolInternals.runHousekeeping(pool.pool());
      pool.diagnose();
    }
  }

  /**
   * Credentials inside the subname of a JDBC URL ({@code jdbc:oracle:thin:user/password@host…}, the
   * Oracle thin driver's documented form) must be hidden wherever the URL is shown.
   */
  @Test
  void credentialsInAJdbcSubnameAreHiddenFromToString() {
    PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder()
        .url("jdbc:oracle:thin:scott/" + SECRET + "@//db.invalid:1521/svc");
    org.assertj.core.api.Assertions.assertThat(builder.toString()).doesNotContain(SECRET);
  }

  /** A DataSource for the "both url and dataSource" case; never asked for a connection. */
  private static final class StubDatabaseDataSource extends org.postgresql.ds.PGSimpleDataSource {
    private static final long serialVersionUID = 1L;
  }
}
