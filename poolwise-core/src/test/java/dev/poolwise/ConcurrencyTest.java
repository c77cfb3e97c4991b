package dev.poolwise;

import static dev.poolwise.StubPools.assertInvariants;
import static dev.poolwise.StubPools.builder;
import static dev.poolwise.StubPools.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.poolwise.testkit.StubConnection;
import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hammers the pool from platform and virtual threads while connections break, retire and get
 * soft-evicted, then checks that nothing was lost, duplicated or left open.
 *
 * <p>Time is the test clock ({@link ManualClock}): lifetimes end because the disturbing thread moves the
 * clock, not because the machine happens to be fast, and no borrow can time out however slow it is.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrencyTest {

  @Test
  void borrowReturnAndEvictionUnderContentionKeepTheInvariants() throws Exception {
    StubDatabase database = StubDatabase.create();
    ManualClock clock = new ManualClock();
    // Lifetimes of 200 ms on the test clock, which the evictor moves 50 ms per round: every connection is
    // retired after about four rounds, mostly while borrowed or on its way back. Validation is due after
    // 1 ms idle, so after every move. The acquire timeout is out of reach of the clock's moves (a day).
    try (PoolwiseDataSource pool = builder(database).maxSize(8).minIdle(2)
        .acquireTimeout(Duration.ofDays(1))
        .maxLifetime(Duration.ofMillis(200))
        .validateAfterIdle(Duration.ofMillis(1))
        .clock(clock)
        .build()) {
      Map<Long, AtomicBoolean> borrowed = new ConcurrentHashMap<>();
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      AtomicLong operations = new AtomicLong();
      AtomicInteger maxActiveSeen = new AtomicInteger();
      int perThread = 400;

      Runnable worker = () -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < perThread; i++) {
          try (Connection connection = pool.getConnection()) {
            StubConnection raw = raw(connection);
            AtomicBoolean flag = borrowed.computeIfAbsent(raw.id(), id -> new AtomicBoolean());
            if (!flag.compareAndSet(false, true)) {
              problems.add("connection " + raw.id() + " handed to two borrowers at once");
            }
            maxActiveSeen.accumulateAndGet(pool.snapshot().active(), Math::max);
            int action = random.nextInt(100);
            if (action < 3) {
              raw.kill(); // the next statement fails with 08006 and the pool must evict it
            } else if (action < 10) {
              connection.setAutoCommit(false);
            }
            try (PreparedStatement statement = connection.prepareStatement("select 1")) {
              statement.execute();
            } catch (SQLException expected) {
              // killed connections fail here; that is the point
            }
            flag.set(false);
          } catch (SQLException e) {
            problems.add("unexpected " + e);
          }
          operations.incrementAndGet();
        }
      };

      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        threads.add(Thread.ofPlatform().name("hammer-platform-" + i).start(worker));
      }
      for (int i = 0; i < 64; i++) {
        threads.add(Thread.ofVirtual().name("hammer-virtual-" + i).start(worker));
      }
      Thread evictor = Thread.ofPlatform().name("hammer-evictor").start(() -> {
        while (operations.get() < 72L * perThread) {
          clock.advance(Duration.ofMillis(50));
          pool.softEvictAll();
          PoolInternals.runHousekeeping(pool.pool());
          Thread.onSpinWait();
          try {
            Thread.sleep(5); // pacing of a background disturbance, not a wait for a condition
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      for (Thread thread : threads) {
        thread.join();
      }
      evictor.join();

      assertThat(problems).isEmpty();
      assertThat(operations.get()).isEqualTo(72L * perThread);
      assertThat(maxActiveSeen.get()).isLessThanOrEqualTo(8);
      assertInvariants(pool);
      PoolSnapshot quiet = pool.snapshot();
      assertThat(quiet.active()).isZero();
      assertThat(quiet.waiting()).isZero();
      // Physical connections closed by the pool close asynchronously; once quiet, the "server" must see
      // exactly the pool's connections: none lost (leaked open) and none double-counted.
      await().until(() -> database.openConnections() == pool.snapshot().total());
      assertThat(database.liveConnections()).allSatisfy(c -> assertThat(c.isClosed()).isFalse());
    }
    await().until(() -> database.openConnections() == 0);
  }

  @Test
  void tenThousandVirtualThreadsOnAPoolOfTwoAllComplete() throws Exception {
    StubDatabase database = StubDatabase.create();
    // On a test clock that never moves nobody can time out, however long 10,000 threads take on a loaded
    // machine: what is tested is that all of them are served (the test's own timeout bounds a hang).
    try (PoolwiseDataSource pool = builder(database).maxSize(2).acquireTimeout(Duration.ofSeconds(60))
        .clock(new ManualClock()).build()) {
      AtomicInteger completed = new AtomicInteger();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>(10_000);
      for (int i = 0; i < 10_000; i++) {
        threads.add(Thread.ofVirtual().start(() -> {
          try (Connection connection = pool.getConnection();
               PreparedStatement statement = connection.prepareStatement("select 1")) {
            statement.execute();
            completed.incrementAndGet();
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(failures).isEmpty();
      assertThat(completed.get()).isEqualTo(10_000);
      assertThat(database.connectsSucceeded()).isLessThanOrEqualTo(2);
      assertInvariants(pool);
    }
  }
}
