package dev.poolwise;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import javax.sql.DataSource;

/**
 * Background load for the fault scenarios: platform and virtual threads that borrow, run one short
 * query and return, in a loop, until {@link #close()} or {@code maxIterations} each. Failures are
 * classified by kind ({@code timeout}, {@code broken:SQLSTATE}, {@code closed}, {@code other:…}) so a
 * scenario can say exactly which failures it allows; the longest single iteration is kept so it can
 * assert that nothing hung.
 */
final class ScenarioLoad implements AutoCloseable {

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong succeeded = new AtomicLong();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  /** One example message per failure kind, for assertion messages. */
  private final Map<String, String> examples = new ConcurrentHashMap<>();
  private final LongAccumulator longestIterationNanos = new LongAccumulator(Math::max, 0);
  /** When each broken-connection failure's iteration started and ended ({@code System.nanoTime()}). */
  private final Queue<long[]> brokenFailureTimes = new ConcurrentLinkedQueue<>();

  private ScenarioLoad() {}

  /** Starts {@code platform} platform and {@code virtual} virtual threads running {@code sql} against {@code pool}. */
  static ScenarioLoad start(DataSource pool, int platform, int virtual, String sql, int maxIterations,
      Duration pauseBetween) {
    ScenarioLoad load = new ScenarioLoad();
    Runnable worker = () -> load.run(pool, sql, maxIterations, pauseBetween);
    for (int i = 0; i < platform; i++) {
      load.threads.add(Thread.ofPlatform().name("load-platform-" + i).start(worker));
    }
    for (int i = 0; i < virtual; i++) {
      load.threads.add(Thread.ofVirtual().name("load-virtual-" + i).start(worker));
    }
    return load;
  }

  private void run(DataSource pool, String sql, int maxIterations, Duration pauseBetween) {
    long pauseMillis = pauseBetween.toMillis();
    for (int i = 0; i < maxIterations && running.get(); i++) {
      long start = System.nanoTime();
      try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
           ResultSet rows = statement.executeQuery(sql)) {
        rows.next();
        succeeded.incrementAndGet();
      } catch (SQLException e) {
        String kind = classify(e);
        if (kind.startsWith("broken:")) {
          brokenFailureTimes.add(new long[] {start, System.nanoTime()});
        }
        failures.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        examples.putIfAbsent(kind, String.valueOf(e.getMessage()));
      } catch (RuntimeException e) {
        failures.computeIfAbsent("runtime:" + e.getClass().getName(), k -> new AtomicLong()).incrementAndGet();
        examples.putIfAbsent("runtime:" + e.getClass().getName(), String.valueOf(e.getMessage()));
      }
      longestIterationNanos.accumulate(System.nanoTime() - start);
      if (pauseMillis > 0) {
        try {
          Thread.sleep(ThreadLocalRandom.current().nextLong(pauseMillis + 1)); // think time, not a wait for a condition
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  static String classify(SQLException e) {
    if (e instanceof PoolTimeoutException) {
      return "timeout";
    }
    if ("08003".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("is closed")) {
      return "closed";
    }
    if (BrokenConnections.isBroken(e)) {
      return "broken:" + e.getSQLState();
    }
    return "other:" + e.getSQLState() + ":" + e.getClass().getSimpleName();
  }

  long succeeded() {
    return succeeded.get();
  }

  /** Failure counts by kind, sorted. */
  Map<String, Long> failures() {
    Map<String, Long> counts = new TreeMap<>();
    failures.forEach((kind, count) -> counts.put(kind, count.get()));
    return counts;
  }

  /** Start and end ({@code System.nanoTime()}) of each broken-connection failure that ended after {@code sinceNanos}. */
  List<long[]> brokenFailuresSince(long sinceNanos) {
    return brokenFailureTimes.stream().filter(times -> times[1] - sinceNanos > 0).toList();
  }

  long failed(String kindPrefix) {
    return failures().entrySet().stream().filter(e -> e.getKey().startsWith(kindPrefix))
        .mapToLong(Map.Entry::getValue).sum();
  }

  /** Failure kinds that start with none of {@code allowedPrefixes}, each with an example message. */
  Map<String, String> unexpectedFailures(String... allowedPrefixes) {
    Map<String, String> unexpected = new TreeMap<>();
    for (String kind : failures().keySet()) {
      boolean allowed = false;
      for (String prefix : allowedPrefixes) {
        allowed |= kind.startsWith(prefix);
      }
      if (!allowed) {
        unexpected.put(kind, examples.get(kind));
      }
    }
    return unexpected;
  }

  String example(String kind) {
    return examples.get(kind);
  }

  Duration longestIteration() {
    return Duration.ofNanos(longestIterationNanos.get());
  }

  /** Stops the workers and waits for them; throws if any is still running after {@code within}. */
  void stop(Duration within) throws InterruptedException {
    running.set(false);
    long deadline = System.nanoTime() + within.toNanos();
    for (Thread thread : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
        throw new AssertionError("load thread " + thread + " did not finish within " + within + ": something hangs");
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop(Duration.ofSeconds(60));
  }

  @Override
  public String toString() {
    return "ok " + succeeded() + ", failed " + failures() + ", longest iteration " + longestIteration().toMillis() + " ms";
  }
}
