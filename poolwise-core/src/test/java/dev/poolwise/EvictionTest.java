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
    PoolwiseDataSource pool = pool(builder(database).maxLifetime(Duration.ofMillis(100)));
    long firstId;
    try (Connection connection = pool.getConnection()) {
      firstId = raw(connection).id();
    }
    await().pollInterval(Duration.ofMillis(20)).until(() -> {
      try (Connection connection = pool.getConnection()) {
        return raw(connection).id() != firstId;
      }
    });
    await().until(() -> database.liveConnections().stream().noneMatch(c -> c.id() == firstId));
    assertInvariants(pool);
  }

  @Test
  void idleTimeoutShrinksThePoolDownToMinIdleButNotBelow() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(5).minIdle(2).idleTimeout(Duration.ofMillis(50)));
    List<Connection> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(pool.getConnection());
    }
    for (Connection connection : held) {
      connection.close();
    }
    assertThat(pool.snapshot().total()).isEqualTo(5);
    await().pollInterval(Duration.ofMillis(20)).until(() -> {
      pool.pool().runHousekeeping();
      return pool.snapshot().total() == 2;
    });
    pool.pool().runHousekeeping();
    assertThat(pool.snapshot().total()).isEqualTo(2);
    await().until(() -> database.openConnections() == 2);
    assertInvariants(pool);
  }

  @Test
  void keepaliveRemovesDeadIdleConnectionsAndRefillsMinIdle() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).minIdle(2).keepaliveInterval(Duration.ofMillis(1)));
    await().until(() -> pool.snapshot().idle() == 2);
    List<Long> deadIds = database.liveConnections().stream().map(StubConnection::id).toList();
    database.liveConnections().forEach(StubConnection::kill);

    await().pollInterval(Duration.ofMillis(10)).until(() -> {
      pool.pool().runHousekeeping();
      return database.liveConnections().stream().noneMatch(c -> deadIds.contains(c.id()))
          && pool.snapshot().idle() == 2;
    });
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
    PoolwiseDataSource pool = pool(builder(database).acquireTimeout(Duration.ofMillis(100))
        .creationBackoffInitial(Duration.ofMillis(50)).creationBackoffMax(Duration.ofSeconds(10)));
    long start = System.nanoTime();
    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1)) {
      assertThatThrownBy(pool::getConnection).isInstanceOf(PoolTimeoutException.class)
          .hasMessageContaining("Connection refused");
    }
    // 1 s of constant demand: 50 + 100 + 200 + 400 ms of backoff (±20 %) allow about 5 attempts,
    // never hundreds. A loaded machine only makes the count smaller.
    assertThat(database.connectAttempts()).isBetween(2L, 8L);
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
