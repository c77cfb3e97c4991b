package dev.poolwise.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.poolwise.PoolSnapshot;
import dev.poolwise.PoolSnapshot.HolderState;
import dev.poolwise.PoolSnapshot.TimingStats;
import dev.poolwise.PoolTimeoutException;
import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.testkit.StubDatabase;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The meters against {@link SimpleMeterRegistry} while real threads borrow, hold and wait on the testkit
 * stub driver: every value must equal what {@code pool.snapshot()} says.
 */
class PoolwiseMetricsTest {

  private static final Duration AWAIT = Duration.ofSeconds(20);

  private final StubDatabase database = StubDatabase.create();
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    database.forget();
  }

  private PoolwiseDataSource pool(String name, int maxSize, int minIdle) throws SQLException {
    PoolwiseDataSource pool = PoolwiseDataSource.builder()
        .url(database.url())
        .poolName(name)
        .maxSize(maxSize)
        .minIdle(minIdle)
        .acquireTimeout(Duration.ofSeconds(30))
        .housekeepingInterval(Duration.ofHours(1))
        .keepaliveInterval(Duration.ZERO)
        .validateAfterIdle(Duration.ofHours(1))
        .shutdownTimeout(Duration.ofSeconds(5))
        .build();
    cleanup.add(pool);
    return pool;
  }

  @Test
  void timersRecordEveryBorrowReturnConnectAndTimeout() throws Exception {
    PoolwiseDataSource pool = pool("timers", 1, 0);
    MeterRegistry registry = new SimpleMeterRegistry();
    PoolwiseMetrics metrics = new PoolwiseMetrics(pool);
    metrics.bindTo(registry);
    for (int i = 0; i < 25; i++) {
      try (java.sql.Connection connection = pool.getConnection()) {
        assertThat(connection.isValid(1)).isTrue();
      }
    }
    assertThat(registry.get("poolwise.connections.acquire").timer().count()).isEqualTo(25);
    assertThat(registry.get("poolwise.connections.usage").timer().count()).isEqualTo(25);
    // The connector thread reports the connect after it has woken the borrower: wait for it.
    await().atMost(AWAIT).until(() -> registry.get("poolwise.connections.creation").timer().count() == 1);
    assertThat(registry.get("poolwise.connections.usage").timer().totalTime(TimeUnit.NANOSECONDS)).isPositive();
    metrics.close();
    try (java.sql.Connection connection = pool.getConnection()) {
      assertThat(connection.isValid(1)).isTrue();
    }
    assertThat(registry.find("poolwise.connections.acquire").timer()).as("removed on close").isNull();
  }

  @Test
  void creationLeakAndEvictionCountersMatchTheSnapshot() throws Exception {
    PoolwiseDataSource pool = pool("counters", 3, 0);
    MeterRegistry registry = new SimpleMeterRegistry();
    new PoolwiseMetrics(pool).bindTo(registry);
    try (java.sql.Connection a = pool.getConnection(); java.sql.Connection b = pool.getConnection()) {
      assertThat(a.isValid(1) && b.isValid(1)).isTrue();
    }
    pool.softEvictAll();
    org.awaitility.Awaitility.await().atMost(AWAIT).until(() -> database.openConnections() == 0);
    dev.poolwise.PoolSnapshot snapshot = pool.snapshot();
    assertThat(snapshot.connectionsCreated()).isEqualTo(2);
    assertThat(snapshot.evictions().get(dev.poolwise.PoolSnapshot.EvictionCause.SOFT_EVICTED)).isEqualTo(2);
    // The binder reuses a snapshot for 100 ms; read after that so the counters see the evictions.
    org.awaitility.Awaitility.await().atMost(AWAIT).untilAsserted(() -> {
      assertThat(registry.get("poolwise.connections.created").functionCounter().count()).isEqualTo(2.0);
      assertThat(registry.get("poolwise.connections.evictions").tag("cause", "soft_evicted").functionCounter().count())
          .isEqualTo(2.0);
      assertThat(registry.get("poolwise.connections.evictions").tag("cause", "broken").functionCounter().count())
          .isZero();
      assertThat(registry.get("poolwise.connections.leaks").functionCounter().count()).isZero();
      assertThat(registry.get("poolwise.connections.creation.failures").functionCounter().count()).isZero();
      // A time gauge converts through seconds: equal to the nanosecond within floating-point error.
      assertThat(registry.get("poolwise.connections.creation.p99").timeGauge().value(TimeUnit.NANOSECONDS))
          .isCloseTo((double) snapshot.creationTimes().p99().toNanos(), org.assertj.core.data.Offset.offset(1.0));
    });
  }

  @Test
  void gaugesMatchTheSnapshotWhileConnectionsAreHeldAndThreadsWait() throws Exception {
    PoolwiseDataSource pool = pool("orders", 4, 1);
    MeterRegistry registry = new SimpleMeterRegistry();
    new PoolwiseMetrics(pool).bindTo(registry);

    // Two holders sit in a statement, one holds a connection inside an open transaction, one holds it
    // idle; two more threads wait behind them.
    CountDownLatch inStatement = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    database.executeHook((connection, sql) -> {
      if (sql.startsWith("SELECT pg_sleep")) {
        inStatement.countDown();
        awaitQuietly(release);
      }
    });
    Holders holders = new Holders(release);
    cleanup.add(holders);
    holders.start(pool, connection -> execute(connection, "SELECT pg_sleep(60)"));
    holders.start(pool, connection -> execute(connection, "SELECT pg_sleep(60)"));
    holders.start(pool, connection -> {
      connection.setAutoCommit(false);
      execute(connection, "UPDATE stock SET n = n - 1");
    });
    holders.start(pool, connection -> { });
    holders.start(pool, connection -> { });
    holders.start(pool, connection -> { });
    assertThat(inStatement.await(AWAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    await().atMost(AWAIT).until(() -> pool.snapshot().waiting() == 2 && pool.snapshot().active() == 4);

    await().atMost(AWAIT).untilAsserted(() -> {
      // Read before the snapshot: the gauge's value comes from a snapshot at most as recent as this one.
      long oldestWaitFromGauge = timeGaugeNanos(registry, "poolwise.connections.wait.oldest");
      PoolSnapshot snapshot = pool.snapshot();
      assertThat(gauge(registry, "poolwise.connections.active")).isEqualTo(snapshot.active()).isEqualTo(4);
      assertThat(gauge(registry, "poolwise.connections.idle")).isEqualTo(snapshot.idle()).isEqualTo(0);
      assertThat(gauge(registry, "poolwise.connections.total")).isEqualTo(snapshot.total()).isEqualTo(4);
      assertThat(gauge(registry, "poolwise.connections.pending")).isEqualTo(snapshot.waiting()).isEqualTo(2);
      assertThat(gauge(registry, "poolwise.connections.max")).isEqualTo(snapshot.maxSize()).isEqualTo(4);
      assertThat(gauge(registry, "poolwise.connections.limit")).isEqualTo(4); // no fleet: the limit is maxSize
      assertThat(gauge(registry, "poolwise.connections.min")).isEqualTo(snapshot.minIdle()).isEqualTo(1);
      assertThat(gauge(registry, "poolwise.connections.creating")).isEqualTo(snapshot.pendingCreations());
      for (HolderState state : HolderState.values()) {
        long expected = snapshot.holders().stream().filter(h -> h.state() == state).count();
        assertThat(registry.get("poolwise.connections.holders").tag("state", state.name().toLowerCase(Locale.ROOT))
            .gauge().value()).as("holders in %s", state).isEqualTo(expected);
      }
      assertThat(registry.get("poolwise.connections.holders").tag("state", "executing").gauge().value()).isEqualTo(2);
      assertThat(registry.get("poolwise.connections.holders").tag("state", "idle_in_transaction").gauge().value())
          .isEqualTo(1);
      assertThat(registry.get("poolwise.connections.holders").tag("state", "held_idle").gauge().value()).isEqualTo(1);
      // The oldest waiter has waited a while: the gauge reads a value from the same recent snapshot.
      assertThat(oldestWaitFromGauge).isPositive().isLessThanOrEqualTo(snapshot.oldestWait().toNanos());
    });

    holders.close();
    await().atMost(AWAIT).untilAsserted(() -> {
      PoolSnapshot snapshot = pool.snapshot();
      assertThat(snapshot.active()).isZero();
      assertThat(gauge(registry, "poolwise.connections.active")).isZero();
      assertThat(gauge(registry, "poolwise.connections.pending")).isZero();
      assertThat(gauge(registry, "poolwise.connections.idle")).isEqualTo(snapshot.idle()).isEqualTo(4);
      assertThat(counter(registry, "poolwise.connections.acquisitions")).isEqualTo(snapshot.acquisitions())
          .isEqualTo(6);
    });
  }

  @Test
  void countersAndWindowedTimingsMatchTheSnapshotAfterContendedLoad() throws Exception {
    PoolwiseDataSource pool = pool("checkout", 3, 0);
    MeterRegistry registry = new SimpleMeterRegistry();
    new PoolwiseMetrics(pool).bindTo(registry);

    // 8 threads on 3 connections: every borrow holds for 0-2 ms, so threads queue and waits are real.
    int threads = 8;
    int borrowsPerThread = 150;
    AtomicInteger failures = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(Thread.ofPlatform().name("load-" + t).start(() -> {
        for (int i = 0; i < borrowsPerThread; i++) {
          try (Connection connection = pool.getConnection()) {
            execute(connection, "SELECT 1");
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(2_000_000));
          } catch (SQLException e) {
            failures.incrementAndGet();
          }
        }
      }));
    }
    for (Thread worker : workers) {
      worker.join(AWAIT.toMillis());
    }
    assertThat(failures).hasValue(0);

    // One deliberate timeout: another thread holds the only connection, this one asks with a short timeout.
    try (PoolwiseDataSource tight = PoolwiseDataSource.builder().url(database.url()).poolName("tight").maxSize(1)
        .acquireTimeout(Duration.ofMillis(50)).build()) {
      MeterRegistry tightRegistry = new SimpleMeterRegistry();
      new PoolwiseMetrics(tight).bindTo(tightRegistry);
      try (Holders holder = new Holders(new CountDownLatch(1))) {
        holder.start(tight, connection -> { });
        await().atMost(AWAIT).until(() -> tight.snapshot().active() == 1);
        assertThatThrownBy(tight::getConnection).isInstanceOf(PoolTimeoutException.class);
      }
      await().atMost(AWAIT).untilAsserted(() -> {
        assertThat(counter(tightRegistry, "poolwise.connections.timeouts")).isEqualTo(tight.snapshot().timeouts())
            .isEqualTo(1);
        assertThat(counter(tightRegistry, "poolwise.connections.acquisitions")).isEqualTo(1);
      });
    }

    await().atMost(AWAIT).untilAsserted(() -> {
      PoolSnapshot snapshot = pool.snapshot();
      assertThat(snapshot.waitTimes().samples()).isPositive();
      assertThat(counter(registry, "poolwise.connections.acquisitions")).isEqualTo(snapshot.acquisitions())
          .isEqualTo(threads * borrowsPerThread);
      assertThat(counter(registry, "poolwise.connections.timeouts")).isEqualTo(snapshot.timeouts()).isZero();
      assertTimings(registry, "poolwise.connections.wait", snapshot.waitTimes());
      assertTimings(registry, "poolwise.connections.usage", snapshot.holdTimes());
      assertThat(gauge(registry, "poolwise.connections.active") + gauge(registry, "poolwise.connections.idle"))
          .isEqualTo(gauge(registry, "poolwise.connections.total"));
    });
    // Contention was real: the busiest borrowers waited, and holds include the 0-2 ms of "work".
    assertThat(pool.snapshot().waitTimes().max()).isPositive();
    assertThat(pool.snapshot().holdTimes().p50()).isPositive();
  }

  @Test
  void everyMeterIsTaggedWithThePoolAndNamedByMicrometerConventions() throws Exception {
    PoolwiseDataSource pool = pool("reports", 2, 0);
    MeterRegistry registry = new SimpleMeterRegistry();
    new PoolwiseMetrics(pool, Tags.of("application", "shop")).bindTo(registry);

    // 8 gauges, 4 holder states, 5 counters, 10 eviction causes, the oldest wait, 3 × 5 timing gauges, 4 timers
    assertThat(registry.getMeters()).hasSize(47);
    for (Meter meter : registry.getMeters()) {
      Meter.Id id = meter.getId();
      assertThat(id.getName()).as("name").matches("poolwise\\.connections\\.[a-z0-9]+(\\.[a-z0-9]+)*");
      assertThat(id.getTag("pool")).as("pool tag of %s", id).isEqualTo("reports");
      assertThat(id.getTag("application")).as("extra tag of %s", id).isEqualTo("shop");
      assertThat(id.getDescription()).as("description of %s", id).isNotBlank();
      if (meter instanceof TimeGauge timeGauge) {
        assertThat(timeGauge.baseTimeUnit()).isEqualTo(TimeUnit.SECONDS);
      }
    }
    assertThat(registry.find("poolwise.connections.usage.p99").timeGauge()).isNotNull();
    assertThat(registry.find("poolwise.connections.wait.p50").timeGauge()).isNotNull();
  }

  @Test
  void closeRemovesTheMetersAndABinderBindsOnce() throws Exception {
    PoolwiseDataSource pool = pool("short-lived", 2, 0);
    MeterRegistry registry = new SimpleMeterRegistry();
    PoolwiseMetrics metrics = new PoolwiseMetrics(pool);
    metrics.bindTo(registry);
    assertThat(registry.getMeters()).isNotEmpty();
    assertThatThrownBy(() -> metrics.bindTo(new SimpleMeterRegistry()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("short-lived");

    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void twoPoolsInOneRegistryAreToldApartByTheirPoolTag() throws Exception {
    PoolwiseDataSource first = pool("first", 2, 0);
    PoolwiseDataSource second = pool("second", 5, 0);
    MeterRegistry registry = new SimpleMeterRegistry();
    new PoolwiseMetrics(first).bindTo(registry);
    new PoolwiseMetrics(second).bindTo(registry);
    try (Connection c = second.getConnection()) {
      assertThat(registry.get("poolwise.connections.max").tag("pool", "first").gauge().value()).isEqualTo(2);
      assertThat(registry.get("poolwise.connections.max").tag("pool", "second").gauge().value()).isEqualTo(5);
      await().atMost(AWAIT).untilAsserted(() ->
          assertThat(registry.get("poolwise.connections.active").tag("pool", "second").gauge().value()).isEqualTo(1));
      assertThat(registry.get("poolwise.connections.active").tag("pool", "first").gauge().value()).isZero();
    }
  }

  /**
   * Prints what a Prometheus scrape of a pool under load looks like, for {@code docs/metrics.md}:
   * {@code ./mvnw -q -B -pl poolwise-micrometer -am test -Dtest=PoolwiseMetricsTest#prometheusExposition
   * -Dsurefire.failIfNoSpecifiedTests=false}, then {@code poolwise-micrometer/target/prometheus-example.txt}.
   */
  @Test
  void prometheusExposition() throws Exception {
    PoolwiseDataSource pool = pool("orders", 10, 2);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new PoolwiseMetrics(pool).bindTo(registry);

    // Warm the windows with short borrows, then leave 3 connections held (one in a transaction).
    for (int i = 0; i < 200; i++) {
      try (Connection connection = pool.getConnection()) {
        execute(connection, "SELECT 1");
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(3_000_000));
      }
    }
    CountDownLatch release = new CountDownLatch(1);
    Holders holders = new Holders(release);
    cleanup.add(holders);
    holders.start(pool, connection -> { });
    holders.start(pool, connection -> { });
    holders.start(pool, connection -> {
      connection.setAutoCommit(false);
      execute(connection, "UPDATE stock SET n = n - 1");
    });

    await().atMost(AWAIT).until(() -> registry.scrape().contains("poolwise_connections_active{pool=\"orders\"} 3.0"));
    String scrape = registry.scrape();
    Path out = Path.of("target", "prometheus-example.txt");
    Files.writeString(out, scrape);
    assertThat(scrape)
        .contains("poolwise_connections_active{pool=\"orders\"} 3.0")
        .contains("poolwise_connections_acquisitions_total{pool=\"orders\"} 203.0")
        .contains("poolwise_connections_usage_p99_seconds{pool=\"orders\"}")
        .contains("poolwise_connections_holders{pool=\"orders\",state=\"idle_in_transaction\"} 1.0");
  }

  /* --- helpers --- */

  private static void assertTimings(MeterRegistry registry, String prefix, TimingStats expected) {
    assertThat(timeGaugeNanos(registry, prefix + ".mean")).as(prefix + ".mean").isEqualTo(expected.mean().toNanos());
    assertThat(timeGaugeNanos(registry, prefix + ".p50")).as(prefix + ".p50").isEqualTo(expected.p50().toNanos());
    assertThat(timeGaugeNanos(registry, prefix + ".p95")).as(prefix + ".p95").isEqualTo(expected.p95().toNanos());
    assertThat(timeGaugeNanos(registry, prefix + ".p99")).as(prefix + ".p99").isEqualTo(expected.p99().toNanos());
    assertThat(timeGaugeNanos(registry, prefix + ".max")).as(prefix + ".max").isEqualTo(expected.max().toNanos());
  }

  private static double gauge(MeterRegistry registry, String name) {
    Gauge gauge = registry.get(name).gauge();
    return gauge.value();
  }

  private static double counter(MeterRegistry registry, String name) {
    FunctionCounter counter = registry.get(name).functionCounter();
    return counter.count();
  }

  /** Rounded to whole nanoseconds: the registry converts to seconds and back in doubles. */
  private static long timeGaugeNanos(MeterRegistry registry, String name) {
    return Math.round(registry.get(name).timeGauge().value(TimeUnit.NANOSECONDS));
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What a holder does with its connection before it starts holding it. */
  @FunctionalInterface
  private interface Work {
    void run(Connection connection) throws SQLException;
  }

  /** Threads that each borrow a connection, do some work and keep it until {@link #close()}. */
  private static final class Holders implements AutoCloseable {
    private final CountDownLatch release;
    private final List<Thread> threads = new ArrayList<>();

    Holders(CountDownLatch release) {
      this.release = release;
    }

    /** Starts a thread that borrows (or waits to borrow) and then holds until released. */
    void start(PoolwiseDataSource pool, Work work) {
      threads.add(Thread.ofPlatform().name("holder-" + threads.size()).start(() -> {
        try (Connection connection = pool.getConnection()) {
          work.run(connection);
          release.await();
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      // One at a time: the next holder starts only once this one holds or waits, so which holders get the
      // pool's connections (FIFO) does not depend on thread scheduling.
      int started = threads.size();
      await().atMost(AWAIT).until(() -> {
        PoolSnapshot snapshot = pool.snapshot();
        return snapshot.active() + snapshot.waiting() >= started;
      });
    }

    @Override
    public void close() throws InterruptedException {
      release.countDown();
      for (Thread thread : threads) {
        thread.join(AWAIT.toMillis());
      }
    }
  }
}
