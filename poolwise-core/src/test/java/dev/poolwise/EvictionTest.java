package dev.poolwise;

import static dev.poolwise.StubPools.assertInvariants;
import static dev.poolwise.StubPools.builder;
import static dev.poolwise.StubPools.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.poolwise.testkit.StubConnection;
import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EvictionTest extends StubPoolTest {

  @ParameterizedTest
  @ValueSource(strings = {"08006", "08003", "08S01", "57P01", "57P02", "57P03"})
  void brokenConnectionStatesEvictTheConnectionOnReturn(String sqlState) throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    long brokenId;
    try (Connection connection = pool.getConnection()) {
      brokenId = raw(connection).id();
      database.failExecutesWith(sqlState);
      try (Statement statement = connection.createStatement()) {
        assertThatThrownBy(() -> statement.execute("select 1")).isInstanceOf(SQLException.class);
      }
    }
    database.reset();
    await().until(() -> database.openConnections() == 0);
    try (Connection connection = pool.getConnection()) {
      assertThat(raw(connection).id()).isNotEqualTo(brokenId);
    }
    assertInvariants(pool);
  }

  @Test
  void ordinarySqlErrorsDoNotEvict() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    long id;
    try (Connection connection = pool.getConnection()) {
      id = raw(connection).id();
      database.failExecutesWith("42601");
      try (Statement statement = connection.createStatement()) {
        assertThatThrownBy(() -> statement.execute("selec 1")).isInstanceOf(SQLException.class);
      }
    }
    database.reset();
    try (Connection connection = pool.getConnection()) {
      assertThat(raw(connection).id()).isEqualTo(id);
    }
  }

  @Test
  void deadIdleConnectionIsReplacedAtBorrowWhenValidationIsDue() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).validateAfterIdle(Duration.ZERO));
    long firstId;
    try (Connection connection = pool.getConnection()) {
      firstId = raw(connection).id();
    }
    database.liveConnections().forEach(StubConnection::kill);
    try (Connection connection = pool.getConnection()) {
      assertThat(raw(connection).id()).isNotEqualTo(firstId);
      assertThat(connection.isValid(1)).isTrue();
    }
    await().until(() -> database.openConnections() == 1);
    assertInvariants(pool);
  }

  @Test
  void maxLifetimeRetiresConnections() throws Exception {
    ManualClock clock = new ManualClock();
    PoolwiseDataSource pool = pool(builder(database).maxLifetime(Duration.ofMinutes(30)).clock(clock));
    long firstId;
    try (Connection connection = pool.getConnection()) {
      firstId = raw(connection).id();
    }
    clock.advance(Duration.ofMinutes(29)); // within the lifetime (less its jitter of at most 2.5 %)
    try (Connection connection = pool.getConnection()) {
      assertThat(raw(connection).id()).isEqualTo(firstId);
    }
    clock.advance(Duration.ofMinutes(1));
    // Past its lifetime: retired on the next borrow (and the housekeeper would retire it while idle).
    try (Connection connection = pool.getConnection()) {
      assertThat(raw(connection).id()).isNotEqualTo(firstId);
    }
    await().until(() -> database.liveConnections().stream().noneMatch(c -> c.id() == firstId));
    assertThat(pool.snapshot().evictions().get(PoolSnapshot.EvictionCause.MAX_LIFETIME)).isEqualTo(1);
    assertInvariants(pool);
  }

  @Test
  void idleTimeoutShrinksThePoolDownToMinIdleButNotBelow() throws Exception {
    ManualClock clock = new ManualClock();
    PoolwiseDataSource pool = pool(builder(database).maxSize(5).minIdle(2).idleTimeout(Duration.ofMinutes(10))
        .clock(clock));
    List<Connection> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(pool.getConnection());
    }
    for (Connection connection : held) {
      connection.close();
    }
    assertThat(pool.snapshot().total()).isEqualTo(5);
    clock.advance(Duration.ofMinutes(9));
    PoolInternals.runHousekeeping(pool.pool());
    assertThat(pool.snapshot().total()).as("idle 9 of 10 minutes: kept").isEqualTo(5);
    clock.advance(Duration.ofMinutes(1));
    PoolInternals.runHousekeeping(pool.pool());
    assertThat(pool.snapshot().total()).as("idle 10 minutes: down to minIdle").isEqualTo(2);
    clock.advance(Duration.ofMinutes(10)); // 20 minutes in all: past the idle timeout, within maxLifetime (30)
    PoolInternals.runHousekeeping(pool.pool());
    assertThat(pool.snapshot().total()).as("never below minIdle").isEqualTo(2);
    await().until(() -> database.openConnections() == 2);
    assertInvariants(pool);
  }

  @Test
  void keepaliveRemovesDeadIdleConnectionsAndRefillsMinIdle() throws Exception {
    ManualClock clock = new ManualClock();
    PoolwiseDataSource pool = pool(builder(database).minIdle(2).keepaliveInterval(Duration.ofMinutes(2))
        .clock(clock));
    await().until(() -> pool.snapshot().idle() == 2);
    List<Long> deadIds = database.liveConnections().stream().map(StubConnection::id).toList();
    database.liveConnections().forEach(StubConnection::kill);

    clock.advance(Duration.ofMinutes(1));
    PoolInternals.runHousekeeping(pool.pool());
    assertThat(pool.snapshot().evictions().get(PoolSnapshot.EvictionCause.VALIDATION_FAILED))
        .as("not checked before keepaliveInterval").isZero();
    clock.advance(Duration.ofMinutes(1));
    PoolInternals.runHousekeeping(pool.pool()); // checks both, removes both, asks for two new ones
    await().until(() -> database.liveConnections().stream().noneMatch(c -> deadIds.contains(c.id()))
        && pool.snapshot().idle() == 2);
    assertInvariants(pool);
  }

  @Test
  void softEvictAllClosesIdleNowAndBorrowedOnReturn() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(3));
    Connection borrowed = pool.getConnection();
    Connection idle = pool.getConnection();
    StubConnection borrowedRaw = raw(borrowed);
    StubConnection idleRaw = raw(idle);
    idle.close();

    pool.softEvictAll();
    await().until(idleRaw::isClosed);
    assertThat(borrowedRaw.isClosed()).isFalse();
    borrowed.close();
    await().until(borrowedRaw::isClosed);
    assertThat(pool.snapshot().total()).isZero();
    try (Connection fresh = pool.getConnection()) {
      assertThat(raw(fresh).id()).isNotIn(borrowedRaw.id(), idleRaw.id());
    }
    assertInvariants(pool);
  }

  @Test
  void connectFailuresBackOffExponentially() throws Exception {
    database.failConnectsWith(new SQLException("could not connect to server: Connection refused", "08001"));
    ManualClock clock = new ManualClock();
    PoolwiseDataSource pool = pool(builder(database).minIdle(1).creationBackoffInitial(Duration.ofSeconds(1))
        .creationBackoffMax(Duration.ofSeconds(10)).clock(clock));
    await().until(() -> database.connectAttempts() == 1 && pool.snapshot().pendingCreations() == 0);
    // Backoff after the n-th failure: 1 s × 2^(n−1), ±20 %, capped at 10 s. Before it ends, demand (minIdle)
    // starts nothing; after it, the next housekeeping pass starts exactly one attempt.
    long[] backoffSeconds = {1, 2, 4, 8, 10, 10};
    for (int failure = 1; failure <= backoffSeconds.length; failure++) {
      long backoffMillis = backoffSeconds[failure - 1] * 1000;
      clock.advance(Duration.ofMillis(backoffMillis * 79 / 100)); // short of the earliest end (−20 %)
      PoolInternals.runHousekeeping(pool.pool());
      assertThat(database.connectAttempts()).as("attempts within backoff %d", failure).isEqualTo(failure);
      clock.advance(Duration.ofMillis(backoffMillis * 42 / 100)); // past the latest end (+20 %)
      PoolInternals.runHousekeeping(pool.pool());
      int attempts = failure + 1;
      await().until(() -> database.connectAttempts() == attempts && pool.snapshot().pendingCreations() == 0);
    }
    assertThat((Throwable) clock.borrowUntilItTimesOut(pool, Duration.ofSeconds(10)))
        .isInstanceOf(PoolTimeoutException.class).hasMessageContaining("Connection refused");
  }

  @Test
  void aServerWideBreakHasTheSiblingsValidatedBeforeTheirNextHandOut() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(4).minIdle(4));
    await().until(() -> pool.snapshot().total() == 4 && pool.snapshot().pendingCreations() == 0);
    database.killAll(); // every backend gone: each fails its next statement with 08006, validation says dead
    try (Connection first = pool.getConnection()) {
      assertThatThrownBy(() -> first.createStatement().execute("select 1")).isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
    }
    // The one failure was enough: the three dead siblings fail validation at hand-out instead of failing
    // the next three borrowers' statements (validateAfterIdle is an hour, so only the mark validates them).
    for (int borrower = 0; borrower < 4; borrower++) {
      try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
        assertThat(raw(connection).isKilled()).isFalse();
        statement.execute("select 1");
      }
    }
    assertThat(pool.snapshot().evictions().get(PoolSnapshot.EvictionCause.VALIDATION_FAILED)).isEqualTo(3);
    assertThat(pool.snapshot().evictions().get(PoolSnapshot.EvictionCause.BROKEN)).isEqualTo(1);
    assertInvariants(pool);
  }

  @Test
  void aBreakOfOneSessionOnlyLeavesTheSiblingsAlone() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(2).minIdle(2));
    await().until(() -> pool.snapshot().total() == 2 && pool.snapshot().pendingCreations() == 0);
    try (Connection first = pool.getConnection(); Statement statement = first.createStatement()) {
      database.failExecutesWith("57P05"); // idle session timeout: this session's business, not the server's
      assertThatThrownBy(() -> statement.execute("select 1")).isInstanceOf(SQLException.class);
      database.clearExecuteFailure();
      try (Connection sibling = pool.getConnection()) {
        assertThat(raw(sibling).validationCount()).as("an unmarked connection is handed out unvalidated").isZero();
      }
    }
    assertThat(pool.snapshot().evictions().get(PoolSnapshot.EvictionCause.BROKEN)).isEqualTo(1);
    assertInvariants(pool);
  }
}
