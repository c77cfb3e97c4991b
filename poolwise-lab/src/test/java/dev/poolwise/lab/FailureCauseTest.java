package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwise.PoolLockedException;
import dev.poolwise.PoolTimeoutException;
import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.StartMode;
import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailureCauseTest {

  @Test
  void poolwiseTimeoutIsAPoolTimeout() throws Exception {
    StubDatabase database = StubDatabase.create();
    try (PoolwiseDataSource pool = PoolwiseDataSource.builder().dataSource(database.dataSource()).maxSize(1)
        .acquireTimeout(Duration.ofMillis(100)).build();
        Connection held = pool.getConnection()) {
      assertThat(held.isClosed()).isFalse();
      // From another thread: the same thread asking again would trip the pool-locking guard instead.
      SQLException[] failure = new SQLException[1];
      Thread other = Thread.ofVirtual().start(() -> failure[0] = borrowFailure(pool));
      other.join();
      SQLException timeout = failure[0];
      assertThat((Throwable) timeout).isInstanceOf(PoolTimeoutException.class);
      assertThat(FailureCause.classify(timeout)).isEqualTo(FailureCause.POOL_TIMEOUT);
    }
  }

  @Test
  void serverRefusingConnectionsIsTooManyClientsEvenWhenThePoolReportsATimeout() throws Exception {
    StubDatabase database = StubDatabase.create()
        .failConnectsWith(() -> new SQLException("FATAL: sorry, too many clients already", "53300"));
    try (PoolwiseDataSource pool = PoolwiseDataSource.builder().dataSource(database.dataSource()).maxSize(2)
        .startMode(StartMode.LAZY).acquireTimeout(Duration.ofMillis(300)).build()) {
      SQLException failure = borrowFailure(pool);
      assertThat(FailureCause.classify(failure)).isEqualTo(FailureCause.TOO_MANY_CLIENTS);
    }
  }

  @Test
  void hikariStyleTimeoutsAndChains() {
    SQLTransientConnectionException hikariTimeout =
        new SQLTransientConnectionException("lab-hikari - Connection is not available, request timed out after 2000ms");
    assertThat(FailureCause.classify(hikariTimeout)).isEqualTo(FailureCause.POOL_TIMEOUT);

    SQLTransientConnectionException refused = new SQLTransientConnectionException("timed out");
    refused.setNextException(new SQLException("sorry, too many clients already", "53300"));
    assertThat(FailureCause.classify(refused)).isEqualTo(FailureCause.TOO_MANY_CLIENTS);

    RuntimeException wrapped = new RuntimeException(new IllegalStateException(new SQLException("too many", "53300")));
    assertThat(FailureCause.classify(wrapped)).isEqualTo(FailureCause.TOO_MANY_CLIENTS);

    assertThat(FailureCause.classify(new SQLException("syntax error", "42601"))).isEqualTo(FailureCause.OTHER);
    assertThat(FailureCause.classify(new SQLException("connection reset", "08006"))).isEqualTo(FailureCause.OTHER);
    assertThat(FailureCause.classify(new IllegalStateException("boom"))).isEqualTo(FailureCause.OTHER);
  }

  @Test
  void poolLockingGuardIsItsOwnCauseNotATimeout() throws Exception {
    StubDatabase database = StubDatabase.create();
    try (PoolwiseDataSource pool = PoolwiseDataSource.builder().dataSource(database.dataSource()).maxSize(1)
        .acquireTimeout(Duration.ofSeconds(5)).build();
        Connection held = pool.getConnection()) {
      assertThat(held.isClosed()).isFalse();
      SQLException locked = borrowFailure(pool);
      assertThat((Throwable) locked).isInstanceOf(PoolLockedException.class);
      assertThat(FailureCause.classify(locked)).as(describe(locked)).isEqualTo(FailureCause.POOL_LOCKED);
    }
  }

  @Test
  void cyclicCauseChainsEnd() {
    SQLException first = new SQLException("first", "XX000");
    SQLException second = new SQLException("second", "XX001", first);
    first.setNextException(second);
    assertThat(FailureCause.classify(first)).isEqualTo(FailureCause.OTHER);
  }

  private static String describe(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      text.append(t.getClass().getName()).append(" [").append(t instanceof SQLException sql ? sql.getSQLState() : "")
          .append("] ").append(t.getMessage()).append(" <- ");
      if (t instanceof SQLException sql && sql.getNextException() != null) {
        text.append(" next: ").append(sql.getNextException());
      }
      if (text.length() > 5000) {
        break;
      }
    }
    return text.toString();
  }

  private static SQLException borrowFailure(PoolwiseDataSource pool) {
    Throwable[] failure = new Throwable[1];
    assertThatThrownBy(() -> {
      try (Connection ignored = pool.getConnection()) {
        // expected to fail
      } catch (SQLException e) {
        failure[0] = e;
        throw e;
      }
    }).isInstanceOf(SQLException.class);
    return (SQLException) failure[0];
  }
}
