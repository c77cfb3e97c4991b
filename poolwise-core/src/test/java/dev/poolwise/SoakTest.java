package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.poolwise.embedded.PostgresServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Scenario 9: thousands of virtual threads on a small pool while every backend is killed every
 * two seconds, for 60 s ({@code -Dpoolwise.soak.seconds=600} for the ten-minute run by hand:
 * {@code ./mvnw -B -pl poolwise-core -am test -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dpoolwise.soak.seconds=600}). The invariants are checked every 250 ms throughout; afterwards the
 * server sees exactly the pool's connections and the heap has not grown.
 *
 * <p>Heap method: used heap after {@code System.gc()} (full, stop-the-world under G1, twice to let
 * reference processing finish) is measured once the load has run for a tenth of the soak (every thread
 * started, every lazily built structure in place) and again at the end, with the same threads still
 * running. A per-borrow leak of even 50 bytes would add tens of MB over the hundreds of thousands of
 * borrows; the allowance is 32 MB plus 25 % of the first figure, well above GC noise.
 */
// Wall-clock time on purpose: the subject is a real server under real load for a real duration (heap growth,
// backends killed every 2 s); a test clock would take away what is soaked. Lifetimes, idle timeouts and
// backoff are tested on ManualClock elsewhere (EvictionTest, ConcurrencyTest).
@Isolated("measures the heap and wants the machine to itself")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class SoakTest {

  private static final int VIRTUAL_THREADS = 2_000;
  private static final int MAX_SIZE = 8;

  @Test
  void thousandsOfVirtualThreadsWithPeriodicBackendKills() throws Exception {
    long seconds = Long.getLong("poolwise.soak.seconds", 60);
    String applicationName = "soak";
    try (PostgresServer server = PostgresServer.start()) {
      PostgresServer.AppUser app = server.createAppUser("soak_app", "So4k:Secret/Sentinel");
      try (PoolwiseDataSource pool = PoolwiseDataSource.builder().poolName(applicationName)
          .url(app.jdbcUrl()).username(app.username()).password(app.password())
          .driverProperty("ApplicationName", applicationName)
          .maxSize(MAX_SIZE).minIdle(2)
          .acquireTimeout(Duration.ofSeconds(10))
          .validateAfterIdle(Duration.ofMillis(50))
          .housekeepingInterval(Duration.ofSeconds(1))
          .creationBackoffInitial(Duration.ofMillis(20)).creationBackoffMax(Duration.ofMillis(500))
          .build()) {
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        ScenarioLoad load = ScenarioLoad.start(pool, 4, VIRTUAL_THREADS, "select 1", Integer.MAX_VALUE,
            Duration.ofMillis(50));
        Thread disturber = Thread.ofPlatform().name("soak-killer").start(() -> {
          long nextKill = System.nanoTime();
          while (System.nanoTime() < end) {
            if (System.nanoTime() >= nextKill) {
              server.terminateBackends(applicationName);
              nextKill = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            }
            List<String> broken = PoolInternals.invariantViolations(pool.pool());
            PoolSnapshot snapshot = pool.snapshot();
            if (!broken.isEmpty() || snapshot.active() + snapshot.idle() != snapshot.total()
                || snapshot.total() > snapshot.maxSize()) {
              violations.add(broken + " in " + snapshot);
            }
            try {
              Thread.sleep(250); // checking cadence
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) / 10);
        long heapEarly = usedHeapAfterGc();
        long remaining = end - System.nanoTime();
        if (remaining > 0) {
          Thread.sleep(TimeUnit.NANOSECONDS.toMillis(remaining));
        }
        long heapLate = usedHeapAfterGc();
        disturber.join();
        load.stop(Duration.ofSeconds(60));

        pool.softEvictAll(); // every connection that died unnoticed while idle goes now
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.snapshot().active() == 0
            && server.countConnections(applicationName) == pool.snapshot().total());
        System.out.println("RELIABILITY 9 soak: " + seconds + " s, " + VIRTUAL_THREADS + " virtual + 4 platform threads on"
            + " maxSize " + MAX_SIZE + ", backends killed every 2 s; load " + load + "; invariant violations "
            + violations.size() + "; used heap after GC " + mb(heapEarly) + " MB at " + seconds / 10 + " s, "
            + mb(heapLate) + " MB at the end");
        assertThat(violations).isEmpty();
        assertThat(load.unexpectedFailures("broken:", "timeout")).isEmpty();
        assertThat(load.failed("timeout")).as("timeouts in %s", load).isLessThanOrEqualTo(load.succeeded() / 100);
        assertThat(load.succeeded()).isGreaterThan(seconds * 100);
        assertThat(heapLate).as("heap growth").isLessThanOrEqualTo(heapEarly + 32L * 1024 * 1024 + heapEarly / 4);
        assertThat(PoolInternals.invariantViolations(pool.pool())).isEmpty();
      }
      await().until(() -> server.countConnections(applicationName) == 0);
    }
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static long mb(long bytes) {
    return bytes / (1024 * 1024);
  }
}
