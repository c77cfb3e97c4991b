package dev.poolwise.bench;

import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * The virtual-thread variant of {@link PoolCycleBenchmark} (JMH has no virtual-thread mode): N virtual threads
 * each run the statement cycle ({@code getConnection()} → {@code prepareStatement} → {@code execute} → close) in a
 * loop on the stub driver for a fixed time, Poolwise and HikariCP interleaved round by round (P H P H …) over one
 * pool of each kept open for the whole run. Prints ops/s per round and the median Poolwise/HikariCP ratio of the
 * rounds. Each round: a warm-up, then the measured window; only cycles completed inside the window count.
 *
 * <p>Run (after {@code ./mvnw -q -B -o package -pl poolwise-bench -am -DskipTests}):
 * <pre>
 * java -cp poolwise-bench/target/benchmarks.jar dev.poolwise.bench.VirtualThreadHarness [threads,…] [poolSize] [seconds] [rounds]
 * </pre>
 * Defaults: {@code 100,1000,10000 10 2 5}; the run behind docs/benchmarks.md is the default one.
 */
public final class VirtualThreadHarness {

  private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(60);

  private VirtualThreadHarness() {}

  /** One round's result: completed cycles per second inside the measured window. */
  record Round(String pool, int threads, double opsPerSecond) {}

  public static void main(String[] args) throws Exception {
    int[] threadCounts = args.length > 0 ? Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {100, 1000, 10000};
    int poolSize = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 2;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    System.out.printf(Locale.ROOT, "virtual threads on the stub driver, pool of %d, %d rounds of %.1f s (+%.1f s"
        + " warm-up) each, interleaved; %d cores, load average %s%n", poolSize, rounds, seconds, seconds / 2,
        Runtime.getRuntime().availableProcessors(), loadAverage());
    System.out.println("threads  poolwise ops/s (median, min-max)  hikari ops/s (median, min-max)  ratio median (min-max)");
    for (int threads : threadCounts) {
      List<Round> results = run(threads, poolSize, Duration.ofMillis((long) (seconds * 1000)), rounds);
      double[] poolwise = results.stream().filter(r -> r.pool().equals("poolwise")).mapToDouble(Round::opsPerSecond).toArray();
      double[] hikari = results.stream().filter(r -> r.pool().equals("hikari")).mapToDouble(Round::opsPerSecond).toArray();
      double[] ratios = new double[poolwise.length];
      for (int i = 0; i < ratios.length; i++) {
        ratios[i] = poolwise[i] / hikari[i];
      }
      System.out.printf(Locale.ROOT, "%7d  %30s  %30s  %s%n", threads, spread(poolwise, "%.0f"), spread(hikari, "%.0f"),
          spread(ratios, "%.2f"));
    }
    System.out.println("load average after: " + loadAverage());
  }

  /** Interleaved rounds for one thread count: P H P H …, each pool opened once for all its rounds. */
  static List<Round> run(int threads, int poolSize, Duration window, int rounds) throws Exception {
    StubDatabase database = StubDatabase.create();
    DataSource poolwise = BenchPools.open("poolwise", database.url(), poolSize, ACQUIRE_TIMEOUT);
    DataSource hikari = BenchPools.open("hikari", database.url(), poolSize, ACQUIRE_TIMEOUT);
    try {
      List<Round> results = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        results.add(new Round("poolwise", threads, round(poolwise, threads, window)));
        results.add(new Round("hikari", threads, round(hikari, threads, window)));
      }
      return results;
    } finally {
      BenchPools.close(poolwise);
      BenchPools.close(hikari);
      database.forget();
    }
  }

  /** One round: start the threads, warm up for half the window, count cycles over the window, stop, join. */
  static double round(DataSource dataSource, int threads, Duration window) throws InterruptedException {
    LongAdder completed = new LongAdder();
    var state = new Object() {
      volatile boolean measuring;
      volatile boolean stop;
      volatile Throwable failure;
    };
    List<Thread> clients = new ArrayList<>(threads);
    for (int i = 0; i < threads; i++) {
      clients.add(Thread.ofVirtual().name("vt-client-", i).start(() -> {
        long mine = 0;
        try {
          while (!state.stop) {
            statementCycle(dataSource);
            if (state.measuring) {
              mine++;
            }
          }
        } catch (SQLException | RuntimeException e) {
          state.failure = e;
        }
        completed.add(mine);
      }));
    }
    Thread.sleep(window.toMillis() / 2);
    state.measuring = true;
    long start = System.nanoTime();
    Thread.sleep(window.toMillis());
    state.measuring = false;
    long elapsed = System.nanoTime() - start;
    state.stop = true;
    for (Thread client : clients) {
      client.join();
    }
    if (state.failure != null) {
      throw new IllegalStateException("a client failed: " + state.failure, state.failure);
    }
    return completed.sum() * 1e9 / elapsed;
  }

  static void statementCycle(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement("select 1")) {
      statement.execute();
    }
  }

  static String spread(double[] values, String format) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    return String.format(Locale.ROOT, format + " (" + format + "-" + format + ")", median, sorted[0],
        sorted[sorted.length - 1]);
  }

  static String loadAverage() {
    try {
      String[] fields = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
