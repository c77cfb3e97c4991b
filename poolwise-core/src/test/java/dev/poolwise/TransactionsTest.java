package dev.poolwise;

import static dev.poolwise.StubPools.builder;
import static dev.poolwise.StubPools.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwise.testkit.StubConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** inTransaction's retry decisions, each forced on the stub driver. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransactionsTest extends StubPoolTest {

  private static final RetryPolicy FAST = RetryPolicy.defaults().withBackoff(Duration.ofMillis(1), Duration.ofMillis(5));

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  @Test
  void commitsTheWorkAndReturnsItsResult() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    AtomicReference<StubConnection> used = new AtomicReference<>();
    String result = pool.inTransaction(connection -> {
      used.set(raw(connection));
      assertThat(connection.getAutoCommit()).isFalse();
      execute(connection, "insert into orders values (1)");
      return "done";
    });
    assertThat(result).isEqualTo("done");
    assertThat(used.get().commitCount()).isEqualTo(1);
    assertThat(used.get().getAutoCommit()).as("restored on return").isTrue();
  }

  @Test
  void serializationFailureIsRetriedAsAWhole() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    AtomicInteger runs = new AtomicInteger();
    int result = pool.inTransaction(connection -> {
      if (runs.incrementAndGet() < 3) {
        throw new SQLException("could not serialize access due to concurrent update", "40001");
      }
      return runs.get();
    }, FAST);
    assertThat(result).isEqualTo(3);
  }

  @Test
  void connectionLostBeforeTheCommitIsRetried() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    AtomicInteger runs = new AtomicInteger();
    pool.inTransaction(connection -> {
      if (runs.incrementAndGet() == 1) {
        raw(connection).kill(); // the server goes away mid-transaction: nothing was committed
      }
      execute(connection, "update accounts set balance = balance - 10");
      return null;
    }, FAST);
    assertThat(runs.get()).isEqualTo(2);
  }

  @Test
  void connectionLostDuringTheCommitIsNeverRetried() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    AtomicInteger runs = new AtomicInteger();
    assertThatThrownBy(() -> pool.inTransaction(connection -> {
      runs.incrementAndGet();
      execute(connection, "update accounts set balance = balance - 10");
      raw(connection).kill(); // the next thing sent is the commit, and it cannot be answered
      return null;
    }, FAST)).isInstanceOfSatisfying(CommitOutcomeUnknownException.class, unknown -> {
      assertThat(unknown.getSQLState()).isEqualTo("08007");
      assertThat(unknown.getMessage()).contains("may or may not have committed");
    });
    assertThat(runs.get()).as("the work ran once: repeating it could apply it twice").isEqualTo(1);
  }

  @Test
  void ordinaryErrorsAreThrownAtOnceAndRolledBack() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<StubConnection> used = new AtomicReference<>();
    assertThatThrownBy(() -> pool.inTransaction(connection -> {
      runs.incrementAndGet();
      used.set(raw(connection));
      execute(connection, "insert into orders values (1)");
      throw new SQLException("duplicate key value violates unique constraint", "23505");
    }, FAST)).isInstanceOf(SQLException.class).hasMessageContaining("duplicate key");
    assertThat(runs.get()).isEqualTo(1);
    assertThat(used.get().rollbackCount()).isPositive();
  }

  @Test
  void runtimeExceptionsRollBackAndPropagate() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    AtomicReference<StubConnection> used = new AtomicReference<>();
    assertThatThrownBy(() -> pool.inTransaction(connection -> {
      used.set(raw(connection));
      execute(connection, "insert into orders values (1)");
      throw new IllegalStateException("business rule violated");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(used.get().rollbackCount()).isPositive();
    assertThat(used.get().commitCount()).isZero();
  }

  @Test
  void retriesStopAtMaxAttemptsWithEveryFailureAttached() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    AtomicInteger runs = new AtomicInteger();
    assertThatThrownBy(() -> pool.inTransaction(connection -> {
      runs.incrementAndGet();
      throw new SQLException("deadlock detected", "40P01");
    }, FAST.withMaxAttempts(4))).isInstanceOfSatisfying(SQLException.class, last -> {
      assertThat(last.getSQLState()).isEqualTo("40P01");
      assertThat(last.getSuppressed()).hasSize(3);
    });
    assertThat(runs.get()).isEqualTo(4);
  }

  @Test
  void aPoolTimeoutIsNotRetriedByDefault() throws Exception {
    ManualClock clock = new ManualClock(); // the holder's borrow cannot time out on a busy machine; the next one does
    PoolwiseDataSource pool = pool(builder(database).maxSize(1).acquireTimeout(Duration.ofMillis(100)).clock(clock));
    AtomicInteger runs = new AtomicInteger();
    try (Connection held = borrowElsewhere(pool)) {
      assertThat((Throwable) clock.failureOfWaiting(pool, Duration.ofMillis(100),
          () -> pool.inTransaction(connection -> runs.incrementAndGet(), FAST)))
          .isInstanceOf(PoolTimeoutException.class)
          .satisfies(timeout -> assertThat(timeout.getSuppressed()).isEmpty());
    }
    assertThat(runs.get()).isZero();
    assertThat(pool.snapshot().timeouts()).as("exactly one wait, not one per attempt").isEqualTo(1);
  }

  @Test
  void isolationFromThePolicyIsUsedAndRestored() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(1));
    AtomicInteger seen = new AtomicInteger();
    pool.inTransaction(connection -> {
      seen.set(connection.getTransactionIsolation());
      return null;
    }, RetryPolicy.noRetries().withIsolation(Connection.TRANSACTION_SERIALIZABLE));
    assertThat(seen.get()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
    try (Connection connection = pool.getConnection()) {
      assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
    }
  }

  @Test
  void policiesValidateTheirSettings() {
    assertThatThrownBy(() -> RetryPolicy.defaults().withMaxAttempts(0)).hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> RetryPolicy.defaults().withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("backoff");
    assertThatThrownBy(() -> RetryPolicy.defaults().withIsolation(3)).hasMessageContaining("isolation");
    assertThat(RetryPolicy.defaults().retriesPoolTimeouts()).isFalse();
  }
}
