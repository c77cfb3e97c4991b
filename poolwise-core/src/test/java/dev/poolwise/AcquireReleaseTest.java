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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AcquireReleaseTest extends StubPoolTest {

  @Test
  void handsOutTheMostRecentlyUsedIdleConnectionFirst() throws SQLException {
    PoolwiseDataSource pool = pool(builder(database).maxSize(3));
    Connection first = pool.getConnection();
    Connection second = pool.getConnection();
    Connection third = pool.getConnection();
    long secondId = raw(second).id();
    first.close();
    third.close();
    second.close();

    try (Connection again = pool.getConnection()) {
      assertThat(raw(again).id()).isEqualTo(secondId);
    }
    assertThat(database.connectsSucceeded()).isEqualTo(3);
    assertInvariants(pool);
  }

  @Test
  void createsUpToMaxSizeAndNeverMore() throws Exception {
    ManualClock clock = new ManualClock(); // the three borrows cannot time out on a busy machine; the fourth does
    Duration acquireTimeout = Duration.ofMillis(300);
    PoolwiseDataSource pool = pool(builder(database).maxSize(3).acquireTimeout(acquireTimeout).clock(clock));
    List<Connection> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(borrowElsewhere(pool));
    }
    assertThat((Throwable) clock.borrowUntilItTimesOut(pool, acquireTimeout)).isInstanceOf(PoolTimeoutException.class);
    assertThat(database.openConnections()).isEqualTo(3);
    assertThat(pool.snapshot().total()).isEqualTo(3);
    for (Connection connection : held) {
      connection.close();
    }
    assertInvariants(pool);
  }

  @Test
  void timeoutMessageStatesPoolWaitAndCounts() throws Exception {
    ManualClock clock = new ManualClock(); // the holder's borrow cannot time out on a busy machine; the next one does
    Duration acquireTimeout = Duration.ofMillis(200);
    PoolwiseDataSource pool = pool(builder(database).poolName("orders").maxSize(1).acquireTimeout(acquireTimeout)
        .clock(clock));
    try (Connection held = borrowElsewhere(pool)) {
      assertThat((Throwable) clock.borrowUntilItTimesOut(pool, acquireTimeout))
          .isInstanceOfSatisfying(PoolTimeoutException.class, timeout -> {
            assertThat(timeout.getMessage())
                .contains("Pool 'orders'")
                .contains("after waiting")
                .contains("max 1, total 1, active 1, idle 0, waiting 0");
            assertThat(timeout.getSQLState()).isEqualTo("08001");
            assertThat(timeout.getCause()).isNull();
            assertThat(timeout.snapshot().active()).isEqualTo(1);
            assertThat(timeout.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
          });
    }
  }

  @Test
  void timeoutCarriesTheLastCreationFailureAsCause() throws Exception {
    database.failConnectsWith(new SQLException("sorry, too many clients already", "53300"));
    ManualClock clock = new ManualClock();
    Duration acquireTimeout = Duration.ofMillis(300);
    PoolwiseDataSource pool = pool(builder(database).minIdle(1).acquireTimeout(acquireTimeout).clock(clock));
    // The premise: a connect has failed before the wait ends (on a busy machine the first one may take longer
    // than the whole acquire timeout; on the test clock the wait ends only when the test says so).
    await().until(() -> pool.snapshot().creationFailures() > 0);

    assertThat((Throwable) clock.borrowUntilItTimesOut(pool, acquireTimeout))
        .isInstanceOfSatisfying(PoolTimeoutException.class, timeout -> {
          assertThat(timeout.getMessage()).contains("too many clients").contains("53300");
          assertThat(timeout.getCause()).isInstanceOf(SQLException.class);
          assertThat(((SQLException) timeout.getCause()).getSQLState()).isEqualTo("53300");
        });

    database.clearConnectFailure();
    // The pool backs off on the test clock, which moves only when told: move it past the longest backoff
    // (creationBackoffMax 1 s, +20 % jitter) until the refill opens a connection. A retry that started
    // before the failure was cleared may still fail and back off once more, hence the loop.
    await().until(() -> {
      clock.advance(Duration.ofSeconds(2));
      PoolInternals.runHousekeeping(pool.pool());
      return pool.snapshot().idle() > 0;
    });
    try (Connection connection = pool.getConnection()) {
      assertThat(connection.isValid(1)).isTrue();
    }
  }

  @Test
  void wrongPasswordFailsFastWithoutStormingTheServer() throws Exception {
    database.requirePassword("right-password");
    // On the test clock, which stands still: the backoff after the refusal cannot end while the 200 calls run,
    // however slowly a busy machine runs them.
    PoolwiseDataSource pool = pool(builder(database).username("app").password("Wr0ngSecret!")
        .acquireTimeout(Duration.ofSeconds(30)).creationBackoffInitial(Duration.ofMillis(200))
        .creationBackoffMax(Duration.ofSeconds(5)).clock(new ManualClock()));

    for (int i = 0; i < 200; i++) {
      assertThatThrownBy(pool::getConnection)
          .isInstanceOfSatisfying(SQLException.class, failure -> {
            assertThat((Throwable) failure).isNotInstanceOf(PoolTimeoutException.class);
            assertThat(failure.getSQLState()).isEqualTo("28P01");
            assertThat(failure.getMessage()).contains("password authentication failed").doesNotContain("Wr0ngSecret!");
          });
    }
    // 200 failed calls while the backoff lasts: the first refusal is the only attempt that reached the server.
    assertThat(database.connectAttempts()).isEqualTo(1);
  }

  @Test
  void waitersAreServedInStrictArrivalOrder() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(1));
    Connection held = pool.getConnection();
    List<Integer> served = new CopyOnWriteArrayList<>();
    List<Thread> waiters = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      int number = i;
      Thread waiter = Thread.ofPlatform().start(() -> {
        try (Connection connection = pool.getConnection()) {
          served.add(number);
        } catch (SQLException e) {
          served.add(-number);
        }
      });
      waiters.add(waiter);
      await().until(() -> pool.snapshot().waiting() == number);
    }
    held.close();
    for (Thread waiter : waiters) {
      waiter.join();
    }
    assertThat(served).containsExactly(1, 2, 3, 4, 5, 6);
    assertInvariants(pool);
  }

  @Test
  void newcomersDoNotOvertakeWaiters() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(1));
    Connection held = pool.getConnection();
    AtomicReference<Long> waiterGot = new AtomicReference<>();
    long heldId = raw(held).id();
    Thread waiter = Thread.ofPlatform().start(() -> {
      try (Connection connection = pool.getConnection()) {
        waiterGot.set(raw(connection).id());
      } catch (SQLException e) {
        waiterGot.set(-1L);
      }
    });
    await().until(() -> pool.snapshot().waiting() == 1);
    held.close();
    // The returned connection went straight to the waiter: the snapshot never shows it idle while
    // someone waits, and the waiter got exactly that connection.
    waiter.join();
    assertThat(waiterGot.get()).isEqualTo(heldId);
    assertInvariants(pool);
  }

  @Test
  void interruptEndsTheWaitAndKeepsTheFlag() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(1).acquireTimeout(Duration.ofSeconds(30)));
    Connection held = pool.getConnection();
    AtomicReference<SQLException> failure = new AtomicReference<>();
    AtomicBoolean flagKept = new AtomicBoolean();
    Thread waiter = Thread.ofPlatform().start(() -> {
      try (Connection ignored = pool.getConnection()) {
        failure.set(null);
      } catch (SQLException e) {
        failure.set(e);
        flagKept.set(Thread.currentThread().isInterrupted());
      }
    });
    await().until(() -> pool.snapshot().waiting() == 1);
    waiter.interrupt();
    waiter.join();

    assertThat((Throwable) failure.get()).isNotNull().hasMessageContaining("Interrupted");
    assertThat(flagKept).isTrue();
    assertThat(pool.snapshot().waiting()).isZero();
    held.close();
    assertThat(pool.snapshot().idle()).isEqualTo(1);
    assertInvariants(pool);
  }

  @Test
  void closingThePoolFailsWaitersAtOnceAndClosesEveryConnection() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(2).acquireTimeout(Duration.ofSeconds(30)));
    Connection held = pool.getConnection();
    Connection idle = pool.getConnection();
    idle.close();
    Connection held2 = pool.getConnection();
    List<CompletableFuture<Connection>> waiting = new ArrayList<>();
    // One thread per waiter: the common fork-join pool may have fewer threads than waiters.
    ExecutorService waiterThreads = Executors.newVirtualThreadPerTaskExecutor();
    for (int i = 0; i < 5; i++) {
      waiting.add(CompletableFuture.supplyAsync(() -> {
        try {
          return pool.getConnection();
        } catch (SQLException e) {
          throw new RuntimeException(e);
        }
      }, waiterThreads));
    }
    await().until(() -> pool.snapshot().waiting() == 5);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(pool::close);
    for (CompletableFuture<Connection> future : waiting) {
      assertThatThrownBy(future::join).hasRootCauseInstanceOf(SQLException.class)
          .rootCause().hasMessageContaining("is closed");
    }
    assertThatThrownBy(pool::getConnection).hasMessageContaining("is closed");
    held.close();
    held2.close();
    closing.get(10, TimeUnit.SECONDS);
    waiterThreads.close();
    await().until(() -> database.openConnections() == 0);
    assertThat(database.connectionsAborted()).isZero();
  }

  @Test
  void closeAbortsConnectionsStillBorrowedAfterTheShutdownTimeout() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).shutdownTimeout(Duration.ofMillis(100)));
    Connection forgotten = pool.getConnection();
    StubConnection raw = raw(forgotten);
    pool.close();
    await().until(raw::wasAborted);
    forgotten.close(); // must not throw even though the physical connection is gone
    await().until(() -> database.openConnections() == 0);
  }

  @Test
  void lazyStartOpensNothingUntilFirstUse() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).startMode(StartMode.LAZY).minIdle(2));
    assertThat(database.connectAttempts()).isZero();
    try (Connection connection = pool.getConnection()) {
      assertThat(connection.isValid(1)).isTrue();
    }
    // minIdle counts idle connections: while the first borrower held one, the pool topped up idle to two.
    await().until(() -> pool.snapshot().idle() >= 2);
    assertThat(pool.snapshot().total()).isBetween(2, 3);
  }

  @Test
  void backgroundStartFillsMinIdle() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).minIdle(3));
    await().until(() -> pool.snapshot().idle() == 3);
    assertThat(database.openConnections()).isEqualTo(3);
    assertInvariants(pool);
  }

  @Test
  void failFastStartThrowsWithTheServersReasonAndNoPassword() {
    database.requirePassword("right-password");
    assertThatThrownBy(() -> pool(builder(database).username("app").password("Wr0ngSecret!")
        .startMode(StartMode.FAIL_FAST)))
        .isInstanceOfSatisfying(SQLException.class, failure -> {
          assertThat(failure.getSQLState()).isEqualTo("28P01");
          assertThat(failure.getMessage()).contains("could not open its first connection")
              .doesNotContain("Wr0ngSecret!");
        });
  }

  @Test
  void failFastStartSucceedsWithOneConnectionReady() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).startMode(StartMode.FAIL_FAST));
    assertThat(pool.snapshot().total()).isEqualTo(1);
    assertThat(pool.snapshot().idle()).isEqualTo(1);
  }

  @Test
  void credentialsSupplierIsAskedForEveryNewConnection() throws Exception {
    database.requirePassword("first");
    AtomicReference<Credentials> current = new AtomicReference<>(new Credentials("app", "first"));
    PoolwiseDataSource pool = pool(builder(database).credentials(current::get));
    try (Connection connection = pool.getConnection()) {
      assertThat(raw(connection).user()).isEqualTo("app");
    }
    database.requirePassword("second");
    current.set(new Credentials("app", "second"));
    pool.softEvictAll();
    try (Connection connection = pool.getConnection()) {
      assertThat(connection.isValid(1)).isTrue();
    }
    assertThat(database.connectsSucceeded()).isEqualTo(2);
  }

  @Test
  void hungConnectDoesNotBlockHandOverOfReturnedConnections() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(2).connectTimeout(Duration.ofMillis(300)));
    Connection held = pool.getConnection();
    long heldId = raw(held).id();
    database.hangConnects(true);
    CountDownLatch served = new CountDownLatch(1);
    AtomicReference<Long> got = new AtomicReference<>();
    Thread waiter = Thread.ofPlatform().start(() -> {
      try (Connection connection = pool.getConnection()) {
        got.set(raw(connection).id());
        served.countDown();
      } catch (SQLException e) {
        got.set(-1L);
        served.countDown();
      }
    });
    await().until(() -> pool.snapshot().waiting() == 1 && database.connectAttempts() >= 2);
    held.close();
    waiter.join();
    assertThat(got.get()).isEqualTo(heldId);

    // The hung attempt is cut by the connect timeout and reported as the creation failure.
    await().until(() -> pool.pool().creator.recentFailure() != null);
    assertThat((Throwable) pool.pool().creator.recentFailure()).hasMessageContaining("connectTimeout 300 ms");
    assertThat(pool.snapshot().pendingCreations()).isZero();
    database.hangConnects(false);
    assertInvariants(pool);
  }

  @Test
  void getConnectionWithOtherCredentialsIsRefusedClearly() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    assertThatThrownBy(() -> pool.getConnection("other", "Wr0ngSecret!"))
        .hasMessageContaining("does not open connections for other users")
        .hasMessageNotContaining("Wr0ngSecret!");
  }

  @Test
  void unwrapReachesThePoolAndTheConnection() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    assertThat(pool.isWrapperFor(PoolwiseDataSource.class)).isTrue();
    assertThat(pool.unwrap(PoolwiseDataSource.class)).isSameAs(pool);
    try (Connection connection = pool.getConnection()) {
      assertThat(connection.isWrapperFor(StubConnection.class)).isTrue();
      assertThat(connection).isNotInstanceOf(StubConnection.class);
    }
  }
}
