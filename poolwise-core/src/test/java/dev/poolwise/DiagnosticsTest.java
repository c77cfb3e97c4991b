package dev.poolwise;

import static dev.poolwise.StubPools.assertInvariants;
import static dev.poolwise.StubPools.builder;
import static dev.poolwise.StubPools.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.poolwise.PoolSnapshot.Holder;
import dev.poolwise.PoolSnapshot.HolderState;
import dev.poolwise.testkit.StubConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each verdict reproduced on purpose against the stub driver: the test builds the situation, lets a
 * borrower time out, and checks that the verdict and the holder table name the cause, the tag and the
 * borrowing site.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DiagnosticsTest extends StubPoolTest {

  private final HeldConnections held = new HeldConnections();

  @AfterEach
  void releaseHolders() throws InterruptedException {
    held.close();
  }

  private void holdOnOtherThread(PoolwiseDataSource pool, String tag, HeldConnections.Work work)
      throws InterruptedException {
    held.hold(pool, tag, work);
  }

  private static PoolTimeoutException timeoutOf(PoolwiseDataSource pool) {
    AtomicReference<PoolTimeoutException> caught = new AtomicReference<>();
    assertThatThrownBy(pool::getConnection).isInstanceOfSatisfying(PoolTimeoutException.class, caught::set);
    return caught.get();
  }

  @Test
  void connectionsHeldAcrossNonDatabaseWorkAreNamedWithTagAndSite() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).poolName("web").maxSize(3)
        .acquisitionStacks(StackCapture.ALWAYS).acquireTimeout(Duration.ofMillis(300)));
    for (int i = 0; i < 3; i++) {
      holdOnOtherThread(pool, "GET /dashboard", connection -> {
        try (Statement statement = connection.createStatement()) {
          statement.execute("select * from widgets");
        }
      });
    }
    PoolTimeoutException timeout = timeoutOf(pool);

    Diagnosis diagnosis = timeout.diagnosis();
    assertThat(diagnosis.cause()).isEqualTo(Diagnosis.Cause.HELD_IDLE);
    assertThat(timeout.getMessage())
        .contains("3 of 3 connections are held without running SQL")
        .contains("tagged 'GET /dashboard'")
        .contains("HeldConnections.lambda$hold")
        .contains("last SQL: select * from widgets");
    assertThat(timeout.snapshot().holders()).hasSize(3).allSatisfy(holder -> {
      assertThat(holder.state()).isEqualTo(HolderState.HELD_IDLE);
      assertThat(holder.tag()).isEqualTo("GET /dashboard");
      assertThat(holder.threadName()).startsWith("holder-");
      assertThat(holder.virtualThread()).isFalse();
    });
  }

  @Test
  void idleInTransactionIsNamed() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(2).acquireTimeout(Duration.ofMillis(300)));
    for (int i = 0; i < 2; i++) {
      holdOnOtherThread(pool, "POST /checkout", connection -> {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
          statement.executeUpdate("update stock set count = count - 1");
        }
      });
    }
    PoolTimeoutException timeout = timeoutOf(pool);
    assertThat(timeout.diagnosis().cause()).isEqualTo(Diagnosis.Cause.IDLE_IN_TRANSACTION);
    assertThat(timeout.getMessage()).contains("idle inside an open transaction").contains("POST /checkout");
    assertThat(timeout.snapshot().holders()).allSatisfy(holder ->
        assertThat(holder.transactionOpenFor()).isNotNull().isPositive());
  }

  @Test
  void onDemandDiagnosisWhileSomeoneWaitsNamesIdleInTransactionNotPoolSize() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(2).acquireTimeout(Duration.ofSeconds(30)));
    for (int i = 0; i < 2; i++) {
      holdOnOtherThread(pool, "POST /checkout", connection -> {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
          statement.executeUpdate("update stock set count = count - 1");
        }
      });
    }
    Thread waiter = Thread.ofVirtual().start(() -> {
      try (Connection connection = pool.getConnection()) {
        assertThat(connection).isNotNull();
      } catch (SQLException e) {
        // closed at the end of the test
      }
    });
    await().until(() -> pool.snapshot().waiting() == 1 && pool.snapshot().oldestWait().toMillis() >= 200);
    Diagnosis diagnosis = pool.diagnose();
    assertThat(diagnosis.cause()).isEqualTo(Diagnosis.Cause.IDLE_IN_TRANSACTION);
    held.close();
    waiter.join();
  }

  @Test
  void slowSqlMakesTheDatabaseTheSuspect() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    database.executeHook((connection, sql) -> {
      if (sql.contains("pg_sleep")) {
        try {
          unblock.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    PoolwiseDataSource pool = pool(builder(database).maxSize(2).acquireTimeout(Duration.ofMillis(700)));
    try {
      for (int i = 0; i < 2; i++) {
        holdOnOtherThread(pool, "GET /report", connection -> {
          try (Statement statement = connection.createStatement()) {
            statement.execute("select pg_sleep(30), * from big_report");
          }
        });
      }
      await().until(() -> pool.snapshot().holders().stream().allMatch(h -> h.state() == HolderState.EXECUTING));
      PoolTimeoutException timeout = timeoutOf(pool);
      assertThat(timeout.diagnosis().cause()).isEqualTo(Diagnosis.Cause.SLOW_SQL);
      assertThat(timeout.getMessage()).contains("2 of 2 connections are executing SQL")
          .contains("a bigger pool will not help").contains("pg_sleep(30)");
      Holder holder = timeout.snapshot().holders().get(0);
      assertThat(holder.sql()).startsWith("select pg_sleep(30)");
      assertThat(holder.sqlRunningFor()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    } finally {
      unblock.countDown();
    }
  }

  @Test
  void leakIsNamedReportedAndReclaimed() throws Exception {
    ManualClock clock = new ManualClock();
    Duration acquireTimeout = Duration.ofMillis(400);
    PoolwiseDataSource pool = pool(builder(database).maxSize(2).acquireTimeout(acquireTimeout)
        .acquisitionStacks(StackCapture.ALWAYS).leakThreshold(Duration.ofMillis(100))
        .leakReclaimThreshold(Duration.ofMillis(1000)).clock(clock));
    Connection leaked = StubPoolTest.borrowElsewhere(pool);
    StubConnection leakedRaw = raw(leaked);
    holdOnOtherThread(pool, "nightly-export", connection -> { });

    clock.advance(Duration.ofMillis(100)); // both held exactly the leak threshold when the wait begins
    PoolTimeoutException timeout = (PoolTimeoutException) clock.borrowUntilItTimesOut(pool, acquireTimeout);
    assertThat(timeout.diagnosis().cause()).isEqualTo(Diagnosis.Cause.LEAK);
    assertThat(timeout.getMessage()).contains("longer than the leak threshold (100 ms)").contains("never closed");
    PoolInternals.runHousekeeping(pool.pool());
    assertThat(leakedRaw.wasAborted()).as("held 500 ms, below the 1 s reclaim threshold").isFalse();

    // Past the reclaim threshold the housekeeper takes both back; the pool heals and serves again.
    clock.advance(Duration.ofMillis(500));
    PoolInternals.runHousekeeping(pool.pool());
    await().until(leakedRaw::wasAborted);
    try (Connection fresh = pool.getConnection()) {
      assertThat(raw(fresh).id()).isNotEqualTo(leakedRaw.id());
    }
    leaked.close(); // the leaking code finally closes: ignored, nothing is double-counted
    assertInvariants(pool);
    assertThat(pool.snapshot().total()).isLessThanOrEqualTo(2);
  }

  @Test
  void timeoutsCloseTogetherShareOneDiagnosisAndLaterOnesGetAFreshOne() throws Exception {
    // A storm of timeouts must not build a diagnosis each under the pool's lock (the lab measured waits ending
    // 1.2 s past a 500 ms timeout that way): timeouts within TIMEOUT_DIAGNOSIS_REUSE_NANOS share one.
    ManualClock clock = new ManualClock();
    Duration acquireTimeout = Duration.ofMillis(300);
    PoolwiseDataSource pool = pool(builder(database).maxSize(1).acquireTimeout(acquireTimeout).clock(clock));
    Connection held = StubPoolTest.borrowElsewhere(pool);

    // Two borrowers wait together and time out at the same instant of the test clock.
    List<CompletableFuture<SQLException>> failures = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      CompletableFuture<SQLException> failure = new CompletableFuture<>();
      failures.add(failure);
      Thread.ofVirtual().start(() -> {
        try (Connection unexpected = pool.getConnection()) {
          failure.completeExceptionally(new AssertionError("served " + unexpected));
        } catch (SQLException e) {
          failure.complete(e);
        }
      });
    }
    await().until(() -> pool.snapshot().waiting() == 2);
    clock.advance(acquireTimeout.plusNanos(1));
    pool.pool().sweepExpiredWaiters();
    PoolTimeoutException first = (PoolTimeoutException) failures.get(0).get(60, TimeUnit.SECONDS);
    PoolTimeoutException second = (PoolTimeoutException) failures.get(1).get(60, TimeUnit.SECONDS);
    assertThat(second.diagnosis()).as("both timed out at the same instant").isSameAs(first.diagnosis());
    assertThat(second.getMessage()).contains("Pool '");

    clock.advance(Duration.ofNanos(ConnectionPool.TIMEOUT_DIAGNOSIS_REUSE_NANOS));
    PoolTimeoutException later = (PoolTimeoutException) clock.borrowUntilItTimesOut(pool, acquireTimeout);
    assertThat(later.diagnosis()).isNotSameAs(first.diagnosis());
    assertThat(later.diagnosis().snapshot().timeouts()).isEqualTo(3);
    assertThat(first.diagnosis().snapshot().timeouts()).isBetween(1L, 2L);
    assertThat(pool.snapshot().timeouts()).isEqualTo(3); // every timeout is counted, shared diagnosis or not
    held.close();
  }

  @Test
  void creationFailureIsTheVerdictWhenThePoolCannotGrow() throws Exception {
    database.failConnectsWith(new SQLException("sorry, too many clients already", "53300"));
    ManualClock clock = new ManualClock();
    Duration acquireTimeout = Duration.ofMillis(300);
    PoolwiseDataSource pool = pool(builder(database).minIdle(1).acquireTimeout(acquireTimeout).clock(clock));
    // The premise: a connect has failed before the wait ends (on a busy machine the first one may take longer
    // than the whole acquire timeout; on the test clock the wait ends only when the test says so).
    await().until(() -> pool.snapshot().creationFailures() > 0);
    PoolTimeoutException timeout = (PoolTimeoutException) clock.borrowUntilItTimesOut(pool, acquireTimeout);
    assertThat(timeout.diagnosis().cause()).isEqualTo(Diagnosis.Cause.CREATION_FAILING);
    assertThat(timeout.getMessage()).contains("cannot open more").contains("too many clients already (53300)");
  }

  @Test
  void briefHoldsUnderTooMuchDemandGiveTheNumbersForASizeThatFits() throws Exception {
    database.executeDelay(Duration.ofMillis(20));
    // Wall-clock on purpose: the subject is real holds (20 ms statements) against a real timeout. The premise
    // is established first: the one connection is open before the load starts, so a slow first connect on a
    // busy machine cannot be what the first timeout is about.
    PoolwiseDataSource pool = pool(builder(database).maxSize(1).minIdle(1).acquireTimeout(Duration.ofMillis(150)));
    await().until(() -> pool.snapshot().idle() == 1);
    List<Thread> load = new ArrayList<>();
    AtomicReference<PoolTimeoutException> firstTimeout = new AtomicReference<>();
    for (int i = 0; i < 30; i++) {
      load.add(Thread.ofVirtual().start(() -> {
        for (int round = 0; round < 5 && firstTimeout.get() == null; round++) {
          try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("select 1");
          } catch (PoolTimeoutException e) {
            firstTimeout.compareAndSet(null, e);
          } catch (SQLException e) {
            throw new AssertionError(e);
          }
        }
      }));
    }
    for (Thread thread : load) {
      thread.join();
    }
    PoolTimeoutException timeout = firstTimeout.get();
    assertThat((Throwable) timeout).as("30 borrowers of 20 ms on a pool of 1 with a 150 ms timeout").isNotNull();
    assertThat(timeout.diagnosis().cause()).isEqualTo(Diagnosis.Cause.DEMAND_ABOVE_CAPACITY);
    assertThat(timeout.getMessage()).contains("demand is above capacity").contains("Raise maxSize towards");
    assertThat(pool.snapshot().timeouts()).isPositive();
    assertThat(pool.snapshot().holdTimes().samples()).isPositive();
  }

  @Test
  void aQuietPoolIsHealthyAndCountsItsWork() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(3));
    for (int i = 0; i < 5; i++) {
      try (Connection ignored = pool.getConnection()) {
        assertThat(pool.snapshot().holders()).hasSize(1);
      }
    }
    Diagnosis diagnosis = pool.diagnose();
    assertThat(diagnosis.cause()).isEqualTo(Diagnosis.Cause.HEALTHY);
    assertThat(diagnosis.verdict()).startsWith("Healthy: 0 of 3 connections in use, nobody waiting");
    PoolSnapshot snapshot = diagnosis.snapshot();
    assertThat(snapshot.acquisitions()).isEqualTo(5);
    assertThat(snapshot.timeouts()).isZero();
    assertThat(snapshot.holdTimes().samples()).isEqualTo(5);
    assertThat(snapshot.waitTimes().samples()).isEqualTo(5);
    assertThat(snapshot.holders()).isEmpty();
  }

  @Test
  void threadsHoldingOneWhileWaitingForASecondFailFastWithTheDeadlockExplanation() throws Exception {
    int threads = 4;
    PoolwiseDataSource pool = pool(builder(database).maxSize(threads).acquireTimeout(Duration.ofSeconds(60))
        .multipleAcquisition(MultipleAcquisition.ALLOW));
    CountDownLatch allHoldOne = new CountDownLatch(threads);
    List<SQLException> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < threads; i++) {
      workers.add(Thread.ofPlatform().start(() -> {
        try (Connection first = pool.getConnection()) {
          allHoldOne.countDown();
          allHoldOne.await();
          try (Connection second = pool.getConnection()) {
            failures.add(null);
          }
        } catch (SQLException e) {
          failures.add(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    for (Thread worker : workers) {
      worker.join();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("failed long before the 60 s acquire timeout").isLessThan(Duration.ofSeconds(30));
    assertThat(failures).hasSize(threads).allSatisfy(failure ->
        assertThat((Throwable) failure).isNotNull().isInstanceOf(PoolLockedException.class)
            .isInstanceOf(java.sql.SQLTransientConnectionException.class).isNotInstanceOf(PoolTimeoutException.class)
            .hasMessageContaining("pool-locking deadlock").hasMessageContaining("4 × (2 − 1) + 1 = 5 connections")
            .satisfies(locked -> assertThat(((PoolLockedException) locked).lockingFloor()).isEqualTo(5)));
    assertInvariants(pool);
    assertThat(pool.snapshot().active()).isZero();
  }

  @Test
  void multipleAcquisitionCanBeRefused() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).multipleAcquisition(MultipleAcquisition.FAIL));
    try (Connection first = pool.getConnection()) {
      assertThatThrownBy(pool::getConnection).isInstanceOf(SQLException.class)
          .hasMessageContaining("already holds 1 connection(s)").hasMessageContaining("multipleAcquisition is FAIL");
      assertThat(first.isValid(1)).isTrue();
    }
    try (Connection again = pool.getConnection()) {
      assertThat(again.isValid(1)).isTrue();
    }
    assertInvariants(pool);
  }

  @Test
  void multipleAcquisitionIsAllowedWhenTheWorkloadFits() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(3).multipleAcquisition(MultipleAcquisition.ALLOW));
    try (Connection first = pool.getConnection(); Connection second = pool.getConnection()) {
      assertThat(raw(first).id()).isNotEqualTo(raw(second).id());
    }
  }

  @Test
  void backgroundLaneIsCappedAndServedAfterInteractiveWork() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(2).lane("background", 1)
        .acquireTimeout(Duration.ofSeconds(30)));
    // The background lane may hold one connection: a second background borrower waits even though the
    // pool has room, while interactive work is served at once.
    Connection backgroundHeld;
    try (var lane = Poolwise.lane("background")) {
      backgroundHeld = pool.getConnection();
    }
    AtomicReference<Long> secondBackground = new AtomicReference<>();
    Thread background = Thread.ofPlatform().start(() -> {
      try (var lane = Poolwise.lane("background"); Connection connection = pool.getConnection()) {
        secondBackground.set(raw(connection).id());
      } catch (SQLException e) {
        secondBackground.set(-1L);
      }
    });
    await().until(() -> pool.snapshot().waiting() == 1);
    try (Connection interactive = pool.getConnection()) {
      assertThat(interactive.isValid(1)).isTrue();
      assertThat(pool.snapshot().waiting()).isEqualTo(1);
    }
    assertThat(pool.snapshot().idle()).isEqualTo(1); // idle, yet the background waiter may not have it
    assertInvariants(pool);
    backgroundHeld.close();
    background.join();
    assertThat(secondBackground.get()).isPositive();
  }

  @Test
  void interactiveWaitersGoBeforeBackgroundWaiters() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(1).lane("background", 1)
        .acquireTimeout(Duration.ofSeconds(30)));
    Connection held = StubPoolTest.borrowElsewhere(pool);
    List<String> served = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread background = Thread.ofPlatform().start(() -> {
      try (var lane = Poolwise.lane("background"); Connection connection = pool.getConnection()) {
        served.add("background");
      } catch (SQLException e) {
        served.add("background failed");
      }
    });
    await().until(() -> pool.snapshot().waiting() == 1);
    Thread interactive = Thread.ofPlatform().start(() -> {
      try (Connection connection = pool.getConnection()) {
        served.add("interactive");
      } catch (SQLException e) {
        served.add("interactive failed");
      }
    });
    await().until(() -> pool.snapshot().waiting() == 2);
    held.close();
    background.join();
    interactive.join();
    assertThat(served).containsExactly("interactive", "background");
  }

  @Test
  void unknownLaneIsRefusedWithTheLanesThePoolHas() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).lane("background", 1).lane("reports", 1));
    try (var lane = Poolwise.lane("batch")) {
      assertThatThrownBy(pool::getConnection).hasMessageContaining("has no lane 'batch'")
          .hasMessageContaining("background, reports");
    }
  }

  @Test
  void tagsNestAndRestore() {
    assertThat(Poolwise.currentTag()).isNull();
    try (var outer = Poolwise.tag("GET /orders")) {
      try (var inner = Poolwise.tag("OrderService.load")) {
        assertThat(Poolwise.currentTag()).isEqualTo("OrderService.load");
      }
      assertThat(Poolwise.currentTag()).isEqualTo("GET /orders");
    }
    assertThat(Poolwise.currentTag()).isNull();
  }

  @Test
  void suspendMakesBorrowersWaitUntilResume() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(2));
    try (Connection warm = pool.getConnection()) {
      assertThat(warm.isValid(1)).isTrue();
    }
    pool.suspend();
    AtomicReference<Boolean> got = new AtomicReference<>();
    Thread borrower = Thread.ofPlatform().start(() -> {
      try (Connection connection = pool.getConnection()) {
        got.set(true);
      } catch (SQLException e) {
        got.set(false);
      }
    });
    await().until(() -> pool.snapshot().waiting() == 1);
    assertThat(pool.snapshot().idle()).isEqualTo(1);
    pool.resume();
    borrower.join();
    assertThat(got.get()).isTrue();
    assertInvariants(pool);
  }

  @Test
  void diagnosticsOffLeavesTheHolderTableEmptyButCountsStillAgree() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(1).diagnostics(false)
        .acquireTimeout(Duration.ofMillis(200)));
    try (Connection held = StubPoolTest.borrowElsewhere(pool)) {
      PoolTimeoutException timeout = timeoutOf(pool);
      assertThat(timeout.snapshot().holders()).isEmpty();
      assertThat(timeout.getMessage()).contains("diagnostics are off");
    }
    assertInvariants(pool);
  }

  @Test
  void virtualThreadHoldersAreMarkedVirtual() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(1));
    CountDownLatch borrowed = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread virtual = Thread.ofVirtual().name("vt-holder").start(() -> {
      try (Connection connection = pool.getConnection()) {
        borrowed.countDown();
        done.await();
      } catch (Exception e) {
        borrowed.countDown();
      }
    });
    borrowed.await();
    Holder holder = pool.snapshot().holders().get(0);
    assertThat(holder.virtualThread()).isTrue();
    assertThat(holder.threadName()).isEqualTo("vt-holder");
    done.countDown();
    virtual.join();
  }
}
