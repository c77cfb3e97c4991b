package dev.poolwise;

import static dev.poolwise.StubPools.assertInvariants;
import static dev.poolwise.StubPools.builder;
import static dev.poolwise.StubPools.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lock-free borrow and return path (taken while nobody waits) and how it meets the locked path: which
 * idle connection a thread gets, that a waiter is never stranded next to an idle connection, that waiting
 * virtual threads time out through the pool's wait timer, and that counters and timings stay exact when no
 * lock orders the borrows.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockFreePathTest extends StubPoolTest {

  @Test
  void aThreadGetsBackTheConnectionItReturnedLastWhileOthersStayIdleAndCanAgeOut() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(4).minIdle(4));
    await().until(() -> pool.snapshot().idle() == 4);
    long mine;
    try (Connection first = pool.getConnection()) {
      mine = raw(first).id();
    }
    for (int i = 0; i < 20; i++) {
      try (Connection again = pool.getConnection()) {
        assertThat(raw(again).id()).isEqualTo(mine);
      }
    }
    // Another thread without a history starts from the first connection in creation order, every time:
    // a stable preference, so the surplus connections go unused and can reach the idle timeout.
    Set<Long> usedElsewhere = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 5; i++) {
      Thread.ofVirtual().start(() -> {
        try (Connection connection = pool.getConnection()) {
          usedElsewhere.add(raw(connection).id());
        } catch (SQLException e) {
          throw new AssertionError(e);
        }
      }).join();
    }
    assertThat(usedElsewhere).hasSize(1);
    assertInvariants(pool);
  }

  /**
   * On the test clock, so that "nobody gives up before its deadline" is exact however slow the machine: all
   * 200 queue, nobody times out while the clock stands still (the wait timer is started and armed for their
   * deadline), and once the test moves the clock past it the timer's sweep wakes every one of them. The test
   * runs the sweep itself: the timer's executor waits on real time, and a timer that fired before the test
   * moved the clock found nothing due and left the next sweep to whoever moves the clock.
   */
  @Test
  void waitingVirtualThreadsTimeOutAtTheirDeadlineThroughTheWaitTimer() throws Exception {
    ManualClock clock = new ManualClock();
    Duration acquireTimeout = Duration.ofMillis(300);
    PoolwiseDataSource pool = pool(builder(database).poolName("vt").maxSize(1).acquireTimeout(acquireTimeout)
        .clock(clock));
    Connection held = borrowElsewhere(pool);
    int waiters = 200;
    CountDownLatch done = new CountDownLatch(waiters);
    AtomicInteger timedOut = new AtomicInteger();
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    AtomicReference<Duration> shortestWait = new AtomicReference<>();
    for (int i = 0; i < waiters; i++) {
      Thread.ofVirtual().start(() -> {
        try (Connection ignored = pool.getConnection()) {
          unexpected.compareAndSet(null, new AssertionError("got a connection that was held all along"));
        } catch (PoolTimeoutException e) {
          timedOut.incrementAndGet();
          shortestWait.accumulateAndGet(e.waited(), (a, b) -> a == null || b.compareTo(a) < 0 ? b : a);
        } catch (Throwable e) {
          unexpected.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      });
    }
    await().until(() -> pool.snapshot().waiting() == waiters || done.getCount() < waiters);
    assertThat(done.getCount()).as("nobody gives up while the clock stands still").isEqualTo(waiters);
    assertThat(Thread.getAllStackTraces().keySet()).anyMatch(thread -> thread.getName().startsWith("vt-wait-timer"));

    clock.advance(acquireTimeout.plusNanos(1));
    pool.pool().sweepExpiredWaiters();
    assertThat(done.await(30, TimeUnit.SECONDS)).as("every waiter ended, woken by the sweep").isTrue();
    assertThat(unexpected.get()).isNull();
    assertThat(timedOut.get()).isEqualTo(waiters);
    assertThat(shortestWait.get()).as("nobody gives up before its deadline").isGreaterThan(acquireTimeout);
    held.close();
    assertThat(pool.snapshot().waiting()).isZero();
    assertThat(pool.snapshot().timeouts()).isEqualTo(waiters);
    assertInvariants(pool);
    pool.close();
    await().until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(thread -> thread.getName().startsWith("vt-wait-timer")));
  }

  /**
   * Fifty virtual threads queue one after the other; the first five are served in that order, the fifth
   * holds its connection while the test moves the clock past everyone's deadline, and the other 45 time out
   * while a connection is in use: on the test clock the split is exact, not a matter of machine speed.
   */
  @Test
  void virtualWaitersAreServedInOrderAndTheOnesLeftTimeOutWhileOthersAreServed() throws Exception {
    ManualClock clock = new ManualClock();
    Duration acquireTimeout = Duration.ofMillis(400);
    PoolwiseDataSource pool = pool(builder(database).maxSize(1).acquireTimeout(acquireTimeout).clock(clock));
    Connection held = borrowElsewhere(pool);
    int waiters = 50;
    int servedBeforeTheDeadline = 5;
    List<Thread> threads = new ArrayList<>();
    List<Integer> servedInOrder = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger timedOut = new AtomicInteger();
    CountDownLatch lastServedMayReturn = new CountDownLatch(1);
    for (int i = 0; i < waiters; i++) {
      int arrival = i;
      threads.add(Thread.ofVirtual().start(() -> {
        try (Connection ignored = pool.getConnection()) {
          servedInOrder.add(arrival);
          if (servedInOrder.size() == servedBeforeTheDeadline) {
            lastServedMayReturn.await(); // holds it while everyone behind it reaches the deadline
          }
        } catch (PoolTimeoutException e) {
          timedOut.incrementAndGet();
        } catch (SQLException | InterruptedException e) {
          throw new AssertionError(e);
        }
      }));
      // Arrival order is queue order: the next one starts once this one waits.
      await().pollInterval(Duration.ofMillis(1)).until(() -> pool.snapshot().waiting() == arrival + 1);
    }
    held.close();
    await().until(() -> servedInOrder.size() == servedBeforeTheDeadline);
    clock.advance(acquireTimeout.plusNanos(1));
    pool.pool().sweepExpiredWaiters();
    await().until(() -> timedOut.get() == waiters - servedBeforeTheDeadline);
    lastServedMayReturn.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(servedInOrder).containsExactly(0, 1, 2, 3, 4);
    assertThat(timedOut.get()).isEqualTo(waiters - servedBeforeTheDeadline);
    assertInvariants(pool);
  }

  @Test
  void countsAndTimingsStayExactWithoutALock() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(8).minIdle(8));
    await().until(() -> pool.snapshot().idle() == 8);
    int threads = 4;
    int borrowsEach = 5_000;
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      started.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < borrowsEach; i++) {
          try (Connection connection = pool.getConnection()) {
            connection.isReadOnly();
          } catch (SQLException e) {
            throw new AssertionError(e);
          }
        }
      }));
    }
    for (Thread thread : started) {
      thread.join();
    }
    PoolSnapshot snapshot = pool.snapshot();
    assertThat(snapshot.acquisitions()).isEqualTo((long) threads * borrowsEach);
    assertThat(snapshot.active()).isZero();
    assertThat(snapshot.idle()).isEqualTo(8);
    // Each connection keeps its last PER_CONNECTION samples and the snapshot merges the most recent WINDOW,
    // so there are PER_CONNECTION for every connection that was used at least that often.
    long usedOften = PoolInternals.connections(pool.pool()).stream().filter(entry -> entry.borrows >= RecentTimings.PER_CONNECTION)
        .count();
    int expected = (int) Math.min(RecentTimings.WINDOW, usedOften * RecentTimings.PER_CONNECTION);
    assertThat(usedOften).isPositive();
    assertThat(snapshot.holdTimes().samples()).isGreaterThanOrEqualTo(expected).isLessThanOrEqualTo(RecentTimings.WINDOW);
    assertThat(snapshot.waitTimes().samples()).isGreaterThanOrEqualTo(expected).isLessThanOrEqualTo(RecentTimings.WINDOW);
    assertInvariants(pool);
  }

  @Test
  void acquisitionsOfRetiredConnectionsStillCount() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(2));
    for (int i = 0; i < 10; i++) {
      try (Connection connection = pool.getConnection()) {
        connection.isReadOnly();
      }
    }
    pool.softEvictAll();
    try (Connection connection = pool.getConnection()) {
      connection.isReadOnly();
    }
    PoolSnapshot snapshot = pool.snapshot();
    assertThat(snapshot.acquisitions()).isEqualTo(11);
    assertThat(snapshot.holdTimes().samples()).isEqualTo(11);
    assertInvariants(pool);
  }
}
