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
import java.util.concurrent.atomic.AtomicLong;
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

  @Test
  void waitingVirtualThreadsTimeOutAtTheirDeadlineThroughTheWaitTimer() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).poolName("vt").maxSize(1).acquireTimeout(Duration.ofMillis(300)));
    Connection held = borrowElsewhere(pool);
    int waiters = 200;
    CountDownLatch done = new CountDownLatch(waiters);
    AtomicInteger timedOut = new AtomicInteger();
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    AtomicLong longestWaitMillis = new AtomicLong();
    for (int i = 0; i < waiters; i++) {
      Thread.ofVirtual().start(() -> {
        long start = System.nanoTime();
        try (Connection ignored = pool.getConnection()) {
          unexpected.compareAndSet(null, new AssertionError("got a connection that was held all along"));
        } catch (PoolTimeoutException e) {
          timedOut.incrementAndGet();
          longestWaitMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
        } catch (Throwable e) {
          unexpected.compareAndSet(null, e);
        } finally {
          done.countDown();
        }
      });
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).as("every waiter ended").isTrue();
    assertThat(unexpected.get()).isNull();
    assertThat(timedOut.get()).isEqualTo(waiters);
    assertThat(longestWaitMillis.get()).as("nobody gives up before its deadline").isGreaterThanOrEqualTo(300);
    assertThat(Thread.getAllStackTraces().keySet()).anyMatch(thread -> thread.getName().startsWith("vt-wait-timer"));
    held.close();
    assertThat(pool.snapshot().waiting()).isZero();
    assertThat(pool.snapshot().timeouts()).isEqualTo(waiters);
    assertInvariants(pool);
    pool.close();
    await().until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(thread -> thread.getName().startsWith("vt-wait-timer")));
  }

  @Test
  void virtualWaitersAreServedInOrderAndTheOnesLeftTimeOutWhileOthersAreServed() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(1).acquireTimeout(Duration.ofMillis(400)));
    Connection held = borrowElsewhere(pool);
    List<Thread> threads = new ArrayList<>();
    AtomicInteger served = new AtomicInteger();
    AtomicInteger timedOut = new AtomicInteger();
    for (int i = 0; i < 50; i++) {
      threads.add(Thread.ofVirtual().start(() -> {
        try (Connection ignored = pool.getConnection()) {
          served.incrementAndGet();
          Thread.sleep(20); // hold it a while: only some of the 50 can be served within 400 ms
        } catch (PoolTimeoutException e) {
          timedOut.incrementAndGet();
        } catch (SQLException | InterruptedException e) {
          throw new AssertionError(e);
        }
      }));
    }
    await().until(() -> pool.snapshot().waiting() == 50);
    held.close();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(served.get() + timedOut.get()).isEqualTo(50);
    assertThat(served.get()).isPositive();
    assertThat(timedOut.get()).isPositive();
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
