package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.testkit.StubConnection;
import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/** Shared set-up for unit tests on the testkit stub driver. */
final class StubPools {

  private StubPools() {}

  /** A builder on {@code database} with timings suited to tests: short waits, no background timers firing. */
  static PoolwiseDataSource.Builder builder(StubDatabase database) {
    return PoolwiseDataSource.builder()
        .url(database.url())
        .maxSize(4)
        .acquireTimeout(Duration.ofSeconds(10))
        .connectTimeout(Duration.ofSeconds(5))
        .housekeepingInterval(Duration.ofHours(1))
        .keepaliveInterval(Duration.ZERO)
        .validateAfterIdle(Duration.ofHours(1))
        .creationBackoffInitial(Duration.ofMillis(10))
        .creationBackoffMax(Duration.ofMillis(200))
        .shutdownTimeout(Duration.ofSeconds(5));
  }

  static StubConnection raw(Connection handle) throws SQLException {
    return handle.unwrap(StubConnection.class);
  }

  static void assertInvariants(PoolwiseDataSource dataSource) {
    assertThat(PoolInternals.invariantViolations(dataSource.pool())).as("pool invariants").isEmpty();
    PoolSnapshot snapshot = dataSource.snapshot();
    assertThat(snapshot.active() + snapshot.idle()).as("active + idle == total in %s", snapshot)
        .isEqualTo(snapshot.total());
    assertThat(snapshot.total()).as("total <= max in %s", snapshot).isLessThanOrEqualTo(snapshot.maxSize());
  }
}
