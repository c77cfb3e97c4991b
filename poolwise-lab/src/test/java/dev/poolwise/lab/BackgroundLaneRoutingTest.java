package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.poolwise.PoolSnapshot;
import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.testkit.StubDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The page-load workload on the stub driver: every borrow of a background request is made in the pool's
 * {@code background} lane (on every thread the request uses), every borrow of a page request in the default lane,
 * and the lane's cap holds while both compete. Seen from inside the pool: at each statement, the pool's own
 * snapshot says which lane and tag the executing thread's connection was borrowed with.
 */
class BackgroundLaneRoutingTest {

  private static final int POOL_SIZE = 6;
  private static final int LANE_SIZE = 2;

  private final StubDatabase database = StubDatabase.create().executeDelay(Duration.ofMillis(2));
  private PoolwiseDataSource pool;

  @AfterEach
  void close() {
    if (pool != null) {
      pool.close();
    }
    database.forget();
  }

  @Test
  void backgroundRequestsBorrowInTheLaneAndPageRequestsInTheDefaultLane() throws Exception {
    pool = PoolwiseDataSource.builder().url(database.url()).maxSize(POOL_SIZE)
        .lane(Topology.BACKGROUND_LANE, LANE_SIZE).acquireTimeout(Duration.ofSeconds(30)).build();
    Map<String, LongAdder> borrowsByKindAndLane = new ConcurrentHashMap<>();
    AtomicInteger mostInLane = new AtomicInteger();
    database.executeHook((connection, sql) -> {
      PoolSnapshot.Holder mine = pool.snapshot().holders().stream()
          .filter(h -> h.threadId() == Thread.currentThread().threadId()).findFirst().orElseThrow();
      String kind = mine.tag() != null && mine.tag().startsWith("prefetch ") ? "background" : "page";
      borrowsByKindAndLane.computeIfAbsent(kind + " in " + mine.lane(), k -> new LongAdder()).increment();
      long inLane = pool.snapshot().holders().stream().filter(h -> Topology.BACKGROUND_LANE.equals(h.lane())).count();
      mostInLane.accumulateAndGet((int) inLane, Math::max);
    });

    Scenario scenario = new Scenario(4, 1, 0, 3, 5, 1, 3, 0.5, 0.3, 0, 0, 70, 30_000, false, 4, 7L);
    Measurements pages = new Measurements();
    Measurements background = new Measurements();
    PageLoadWorkload workload = new PageLoadWorkload(scenario,
        new PoolGroup.RoundRobin(List.of(pool), Topology.BACKGROUND_LANE), pages, background);
    long now = System.nanoTime();
    workload.measureUntil(now, now + Duration.ofMinutes(5).toNanos());
    List<Thread> users = workload.start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> count(borrowsByKindAndLane, "background in background") >= 300
          && count(borrowsByKindAndLane, "page in null") >= 300);
    } finally {
      assertThat(workload.stopAndJoin(users, Duration.ofSeconds(60))).as("users stopped").isTrue();
    }

    assertThat(borrowsByKindAndLane.keySet()).containsExactlyInAnyOrder("background in background", "page in null");
    assertThat(mostInLane.get()).as("background connections held at once").isBetween(1, LANE_SIZE);
    Measurements.Snapshot measured = background.snapshot();
    assertThat(measured.requests()).isPositive();
    assertThat(measured.pages()).as("one latency per background request").isEqualTo(measured.requests());
    assertThat(measured.failures().total()).isZero();
    assertThat(measured.acquisitions()).isGreaterThanOrEqualTo(measured.requests());
    Measurements.Snapshot measuredPages = pages.snapshot();
    assertThat(measuredPages.pages()).isPositive();
    assertThat(measured.requests()).as("4 background requests after every page")
        .isEqualTo(4 * measuredPages.pages());
  }

  @Test
  void withoutALaneBackgroundRequestsBorrowInTheDefaultLane() throws Exception {
    pool = PoolwiseDataSource.builder().url(database.url()).maxSize(POOL_SIZE)
        .acquireTimeout(Duration.ofSeconds(30)).build();
    Map<String, LongAdder> lanes = new ConcurrentHashMap<>();
    database.executeHook((connection, sql) -> pool.snapshot().holders().stream()
        .filter(h -> h.threadId() == Thread.currentThread().threadId()).findFirst()
        .ifPresent(h -> lanes.computeIfAbsent(h.tag().startsWith("prefetch ") + " in " + h.lane(),
            k -> new LongAdder()).increment()));

    Scenario scenario = new Scenario(2, 1, 0, 2, 3, 1, 2, 0, 0.3, 0, 0, 70, 30_000, false, 3, 7L);
    PageLoadWorkload workload = new PageLoadWorkload(scenario, new PoolGroup.RoundRobin(List.of(pool), null),
        new Measurements(), new Measurements());
    long now = System.nanoTime();
    workload.measureUntil(now, now + Duration.ofMinutes(5).toNanos());
    List<Thread> users = workload.start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> count(lanes, "true in null") >= 50);
    } finally {
      assertThat(workload.stopAndJoin(users, Duration.ofSeconds(60))).isTrue();
    }
    assertThat(lanes.keySet()).containsExactlyInAnyOrder("true in null", "false in null");
  }

  private static long count(Map<String, LongAdder> counts, String key) {
    LongAdder adder = counts.get(key);
    return adder == null ? 0 : adder.sum();
  }
}
