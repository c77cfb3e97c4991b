package dev.poolwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StubDatabaseKnobsTest {

  private final StubDatabase database = StubDatabase.create();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void releaseEverything() {
    database.reset();
    threads.shutdownNow();
  }

  /* --- Connect knobs --- */

  @Test
  void connectDelayDelaysEveryConnect() throws SQLException {
    database.connectDelay(Duration.ofMillis(200));
    long start = System.nanoTime();
    database.connect("u", null).close();
    // Lower bound only: a loaded machine can make it slower, never faster.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThatThrownBy(() -> database.connectDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hangConnectsBlocksUntilSwitchedOff() throws Exception {
    database.hangConnects(true);
    Future<StubConnection> connecting = threads.submit(() -> database.connect("u", null));
    await().until(() -> database.threadsInHangingConnect() == 1);
    assertThat(connecting).isNotDone();
    assertThat(database.connectAttempts()).isEqualTo(1);
    assertThat(database.connectsSucceeded()).isZero();

    database.hangConnects(false);

    StubConnection connection = connecting.get(10, TimeUnit.SECONDS);
    assertThat(connection.isClosed()).isFalse();
    assertThat(database.threadsInHangingConnect()).isZero();
    assertThat(database.connectsSucceeded()).isEqualTo(1);
  }

  @Test
  void hangingConnectFailsWhenTheThreadIsInterrupted() throws Exception {
    database.hangConnects(true);
    AtomicReference<Thread> connectingThread = new AtomicReference<>();
    CompletableFuture<Boolean> interruptFlagAfterFailure = new CompletableFuture<>();
    Future<?> connecting = threads.submit(() -> {
      connectingThread.set(Thread.currentThread());
      try {
        database.connect("u", null);
        interruptFlagAfterFailure.completeExceptionally(new AssertionError("connect should have failed"));
      } catch (SQLException e) {
        assertThat(e.getSQLState()).isEqualTo("08001");
        assertThat(e.getMessage()).contains("interrupted").contains("hangConnects");
        interruptFlagAfterFailure.complete(Thread.currentThread().isInterrupted());
      }
    });
    await().until(() -> database.threadsInHangingConnect() == 1);
    connectingThread.get().interrupt();
    assertThat(interruptFlagAfterFailure.get(10, TimeUnit.SECONDS)).isTrue();
    connecting.get(10, TimeUnit.SECONDS);
    assertThat(database.openConnections()).isZero();
  }

  @Test
  void failConnectsWithThrowsAFreshCopyOfTheSameTypeUntilCleared() throws SQLException {
    SQLTransientConnectionException template = new SQLTransientConnectionException("server is starting up", "57P03", 42);
    database.failConnectsWith(template);

    SQLException first = catchConnectFailure();
    SQLException second = catchConnectFailure();
    assertThat((Throwable) first).isInstanceOf(SQLTransientConnectionException.class).isNotSameAs(template).isNotSameAs(second)
        .hasMessage("server is starting up");
    assertThat(first.getSQLState()).isEqualTo("57P03");
    assertThat(first.getErrorCode()).isEqualTo(42);

    database.clearConnectFailure();
    database.connect("u", null).close();
    assertThat(database.connectAttempts()).isEqualTo(3);
    assertThat(database.connectsSucceeded()).isEqualTo(1);
  }

  @Test
  void failConnectsWithSupplierGivesFullControl() {
    database.failConnectsWith(() -> new SQLException("custom", "XX000"));
    assertThat(catchConnectFailure().getSQLState()).isEqualTo("XX000");
  }

  @Test
  void failNextConnectsFailsExactlyThatMany() throws SQLException {
    database.failNextConnects(2, "08001", "connection refused");
    assertThat((Throwable) catchConnectFailure()).hasMessage("connection refused");
    assertThat(catchConnectFailure().getSQLState()).isEqualTo("08001");
    database.connect("u", null).close();
    assertThat(database.connectAttempts()).isEqualTo(3);
    assertThat(database.connectsSucceeded()).isEqualTo(1);
  }

  @Test
  void requirePasswordRejectsOtherPasswordsWithoutRevealingAnyPassword() throws SQLException {
    database.requirePassword("correct-horse");

    SQLException wrong = catchConnectFailure("alice", "battery-staple");
    assertThat(wrong.getSQLState()).isEqualTo("28P01");
    assertThat((Throwable) wrong).hasMessage("password authentication failed for user \"alice\"");
    assertThat(wrong.getMessage()).doesNotContain("correct-horse").doesNotContain("battery-staple");
    assertThat(catchConnectFailure("alice", null).getSQLState()).isEqualTo("28P01");

    database.connect("alice", "correct-horse").close();
    database.requirePassword(null);
    database.connect("alice", "anything").close();
    assertThat(database.connectsSucceeded()).isEqualTo(2);
  }

  @Test
  void maxConnectionsRefusesBeyondTheLimitCountingKilledConnections() throws SQLException {
    database.maxConnections(2);
    StubConnection first = database.connect("u", null);
    StubConnection second = database.connect("u", null);
    second.kill();

    SQLException refused = catchConnectFailure();
    assertThat(refused.getSQLState()).isEqualTo("53300");
    assertThat((Throwable) refused).hasMessage("sorry, too many clients already");
    assertThat(database.openConnections()).isEqualTo(2);

    second.close();
    database.connect("u", null).close();
    first.close();

    database.maxConnections(0);
    assertThat(catchConnectFailure().getSQLState()).isEqualTo("53300");
    database.clearMaxConnections();
    database.connect("u", null).close();
    assertThat(database.openConnections()).isZero();
  }

  /* --- Execute knobs --- */

  @Test
  void executeDelayDelaysEveryExecute() throws SQLException {
    database.executeDelay(Duration.ofMillis(150));
    try (StubConnection connection = database.connect("u", null); StubStatement statement = connection.createStatement()) {
      long start = System.nanoTime();
      statement.execute("SELECT 1");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }
  }

  @Test
  void executeHookCanBlockAQueryOnALatch() throws Exception {
    CountDownLatch queryStarted = new CountDownLatch(1);
    CountDownLatch releaseQuery = new CountDownLatch(1);
    database.executeHook((connection, sql) -> {
      queryStarted.countDown();
      try {
        releaseQuery.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    StubConnection connection = database.connect("u", null);
    Future<Integer> update = threads.submit(() -> connection.createStatement().executeUpdate("UPDATE t SET x = 1"));
    assertThat(queryStarted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(update).isNotDone();

    releaseQuery.countDown();
    assertThat(update.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    connection.close();
  }

  @Test
  void executeHookSeesConnectionAndSqlAndCanThrow() throws SQLException {
    AtomicReference<StubConnection> seenConnection = new AtomicReference<>();
    database.executeHook((connection, sql) -> {
      seenConnection.set(connection);
      if (sql.contains("deadlock")) {
        throw new SQLException("deadlock detected", "40P01");
      }
    });
    try (StubConnection connection = database.connect("u", null); StubStatement statement = connection.createStatement()) {
      statement.execute("SELECT fine");
      assertThat(seenConnection.get()).isSameAs(connection);
      assertThatThrownBy(() -> statement.execute("UPDATE deadlock"))
          .isInstanceOf(SQLException.class).hasMessage("deadlock detected");
      database.executeHook(null);
      statement.execute("UPDATE deadlock");
    }
  }

  @Test
  void failExecutesWithFailsEveryExecuteUntilCleared() throws SQLException {
    try (StubConnection connection = database.connect("u", null); StubStatement statement = connection.createStatement()) {
      database.failExecutesWith("57014");
      assertThatThrownBy(() -> statement.executeQuery("SELECT 1"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
      database.failExecutesWith("40001", "could not serialize access");
      assertThatThrownBy(() -> statement.executeUpdate("UPDATE t")).hasMessage("could not serialize access");

      database.clearExecuteFailure();
      assertThat(statement.executeUpdate("UPDATE t")).isEqualTo(1);
      assertThat(connection.executedSql()).containsExactly("SELECT 1", "UPDATE t", "UPDATE t");
    }
  }

  /* --- Validation knobs --- */

  @Test
  void validationFailsMakesIsValidFalse() throws SQLException {
    try (StubConnection connection = database.connect("u", null)) {
      assertThat(connection.isValid(1)).isTrue();
      database.validationFails(true);
      assertThat(connection.isValid(1)).isFalse();
      database.validationFails(false);
      assertThat(connection.isValid(1)).isTrue();
      assertThat(connection.validationCount()).isEqualTo(3);
    }
  }

  @Test
  void validationHangsUntilTheTimeoutThenAnswersFalse() throws SQLException {
    database.validationHangs(true);
    try (StubConnection connection = database.connect("u", null)) {
      long start = System.nanoTime();
      assertThat(connection.isValid(1)).isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }
  }

  @Test
  void switchingValidationHangsOffReleasesBlockedCallers() throws Exception {
    database.validationHangs(true);
    StubConnection connection = database.connect("u", null);
    Future<Boolean> validating = threads.submit(() -> connection.isValid(0)); // 0 = no timeout
    await().until(() -> database.threadsInHangingValidation() == 1);
    assertThat(validating).isNotDone();

    database.validationHangs(false);
    assertThat(validating.get(10, TimeUnit.SECONDS)).isTrue();
    connection.close();
  }

  @Test
  void isValidRejectsNegativeTimeouts() throws SQLException {
    try (StubConnection connection = database.connect("u", null)) {
      assertThatThrownBy(() -> connection.isValid(-1)).isInstanceOf(SQLException.class).hasMessageContaining(">= 0");
    }
  }

  /* --- reset, killAll, counters --- */

  @Test
  void resetSwitchesEveryKnobOffAndReleasesHangingConnects() throws Exception {
    database.hangConnects(true);
    Future<StubConnection> connecting = threads.submit(() -> database.connect("u", "x"));
    await().until(() -> database.threadsInHangingConnect() == 1);
    database.connectDelay(Duration.ofMinutes(1)).failNextConnects(5, "08001", "no").requirePassword("pw").maxConnections(0)
        .executeDelay(Duration.ofMinutes(1)).failExecutesWith("XX000").validationFails(true).validationHangs(true)
        .executeHook((c, s) -> {
          throw new SQLException("hook");
        });
    // The hanging connect has passed the delay knob already; after reset it proceeds and every other knob is off.
    database.reset();

    try (StubConnection released = connecting.get(10, TimeUnit.SECONDS);
        StubConnection connection = database.connect("u", "wrong")) {
      assertThat(released.isValid(0)).isTrue();
      assertThat(connection.createStatement().execute("SELECT 1")).isTrue();
      assertThat(connection.isValid(1)).isTrue();
    }
    database.failConnectsWith(new SQLException("x"));
    database.reset();
    database.connect("u", null).close();
  }

  @Test
  void killAllKillsEveryLiveConnectionButLeavesThemOpen() throws SQLException {
    StubConnection first = database.connect("u", null);
    StubConnection second = database.connect("u", null);
    database.killAll();
    assertThat(first.isKilled()).isTrue();
    assertThat(second.isKilled()).isTrue();
    assertThat(database.openConnections()).isEqualTo(2);
    assertThat(database.liveConnections()).containsExactly(first, second);
    first.close();
    second.close();
    assertThat(database.openConnections()).isZero();
  }

  @Test
  void countersTrackAttemptsSuccessesClosesAndAborts() throws SQLException {
    StubConnection closed = database.connect("u", null);
    StubConnection aborted = database.connect("u", null);
    StubConnection open = database.connect("u", null);
    database.failNextConnects(1, "08001", "refused");
    catchConnectFailure();

    closed.close();
    closed.close(); // idempotent
    aborted.abort(Runnable::run);
    aborted.close(); // no effect after abort

    assertThat(database.connectAttempts()).isEqualTo(4);
    assertThat(database.connectsSucceeded()).isEqualTo(3);
    assertThat(database.connectionsClosed()).isEqualTo(1);
    assertThat(database.connectionsAborted()).isEqualTo(1);
    assertThat(database.openConnections()).isEqualTo(1);
    assertThat(database.liveConnections()).containsExactly(open);
    open.close();
    assertThat(database.liveConnections()).isEmpty();
  }

  @Test
  void liveConnectionsAreInCreationOrder() throws SQLException {
    StubConnection first = database.connect("u", null);
    StubConnection second = database.connect("u", null);
    StubConnection third = database.connect("u", null);
    second.close();
    assertThat(database.liveConnections()).containsExactly(first, third);
    assertThat(first.id()).isLessThan(third.id());
    first.close();
    third.close();
  }

  private SQLException catchConnectFailure() {
    return catchConnectFailure("u", null);
  }

  private SQLException catchConnectFailure(String user, String password) {
    try {
      database.connect(user, password).close();
    } catch (SQLException e) {
      return e;
    }
    throw new AssertionError("connect should have failed");
  }
}
