package dev.poolwise.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.PoolListener;
import dev.poolwise.StartMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./poolwise bench}: issue 7's real-database comparison. For each workload and client count, Poolwise and
 * HikariCP (same size, every connection opened up front, same acquire timeout) are measured interleaved round by
 * round, P H P H … (plus L, the no-pool limit, in the 10-client case: 10 clients each with its own dedicated
 * connection); each round starts fresh clients, warms up, then counts completed operations in a fixed window and
 * records every acquire wait (time inside {@code getConnection()}) that started inside it, including waits that end
 * after it (a starved waiter is the point). With {@code --barging-reference}, the oversubscribed cases add N, a
 * {@link NaiveLifoPool} (no fairness), after H in every round: the other side of the fairness trade-off.
 *
 * <p>Concurrency: clients count into thread-local longs and a {@link LongAdder} at exit; waits go into one
 * HdrHistogram {@link Recorder} per round (wait-free for writers; its cost is the same for every pool).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    headerHeading = "%n", synopsisHeading = "Usage: ",
    description = {
        "Poolwise against HikariCP on a real PostgreSQL (an embedded one unless --url is given), pool of 10:"
            + " workloads 'select 1' and a primary-key lookup on a small seeded table, clients of 10 and 100"
            + " platform threads and 1,000 and 10,000 virtual threads, each client looping borrow -> query ->"
            + " return with no pause. Pools are interleaved round by round (P H P H ...); the 10-client case adds"
            + " the no-pool limit (10 clients with one dedicated connection each).",
        "",
        "Per case: ops/s median and min-max for each, the Poolwise/HikariCP and Poolwise/limit ratios of the"
            + " rounds (median and min-max; oversubscribed cases are compared with the same workload's 10-client"
            + " limit), p99 and longest acquire wait, and a FIFO check: the longest wait against what strict FIFO"
            + " predicts (queue length x mean hold / pool size). Writes bench.json into --output-dir.",
        "",
        "Full run: 5 rounds x (2 s warm-up + 5 s measured) per pool per case, about 10 minutes on 2 cores."
            + " --quick: 5 rounds x (0.5 s + 1 s), under 3 minutes; the output says it was quick.",
        "Only ratios within one run mean anything on a shared machine: per case the share of CPU that other"
            + " processes used is printed and written (the noise), and the min-max of the rounds shows its effect.",
        ""},
    footerHeading = "%nExamples:%n",
    footer = {
        "  ./poolwise bench --quick",
        "      every case, short rounds (< 3 min); table on stdout, bench.json in the current directory",
        "  ./poolwise bench",
        "      every case, full rounds (about 10 min)",
        "  ./poolwise bench --workloads select1 --clients platform:100,virtual:10000 --rounds 9 --seconds 4",
        "      only the oversubscribed select-1 cases, more and shorter rounds",
        "  ./poolwise bench --workloads select1 --clients platform:100,virtual:1000 --barging-reference",
        "      adds a naive barging LIFO pool (N) to the oversubscribed cases: the ops/s that strict FIFO gives up,"
            + " and the longest wait that barging costs",
        "  ./poolwise bench --url postgresql://app:secret@localhost:5432/app --output-dir /tmp/bench",
        "      your own (local) server; the bench creates and seeds the table poolwise_bench_item there",
        "",
        "Exit codes: 0 done, 1 the run failed (e.g. server unreachable), 2 bad arguments."})
final class BenchCommand implements Callable<Integer> {

  static final int POOL_SIZE = 10;
  static final int SEEDED_ROWS = 1000;
  static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(60);

  /** What a client runs on the connection it holds. */
  enum Workload {
    /** {@code select 1}: the cheapest round trip. */
    select1("select 1"),
    /** A primary-key lookup on a seeded 1,000-row table: a short query of fixed cost. */
    pk_lookup("select name from poolwise_bench_item where id = ?");

    final String sql;

    Workload(String sql) {
      this.sql = sql;
    }

    void run(Connection connection) throws SQLException {
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        if (this == pk_lookup) {
          statement.setInt(1, 1 + ThreadLocalRandom.current().nextInt(SEEDED_ROWS));
        }
        try (ResultSet result = statement.executeQuery()) {
          if (!result.next()) {
            throw new SQLException("the bench query returned no row: " + sql);
          }
        }
      }
    }
  }

  /** How many clients, on which kind of thread. */
  record Clients(boolean virtual, int count) {
    static Clients parse(String text) {
      String[] parts = text.trim().split(":");
      if (parts.length == 2 && (parts[0].equals("platform") || parts[0].equals("virtual"))) {
        try {
          int count = Integer.parseInt(parts[1]);
          if (count >= 1) {
            return new Clients(parts[0].equals("virtual"), count);
          }
        } catch (NumberFormatException e) {
          // the message below
        }
      }
      throw new IllegalArgumentException("--clients takes platform:N or virtual:N with N >= 1, was '" + text + "'");
    }

    @Override
    public String toString() {
      return count + (virtual ? " virtual" : " platform");
    }
  }

  @Spec
  CommandSpec spec;

  @Option(names = "--quick", description = "Short rounds (0.5 s warm-up + 1 s measured, 5 rounds): the whole run"
      + " in under 3 minutes. Coarser numbers; the output and bench.json say so.")
  boolean quick;

  @Option(names = "--rounds", paramLabel = "N", description = "Rounds per pool per case (default: 5; at least 5 for"
      + " a report that issue 7 accepts).")
  Integer rounds;

  @Option(names = "--seconds", paramLabel = "S", description = "Measured seconds per round (default: 5, --quick 1).")
  Double seconds;

  @Option(names = "--warmup", paramLabel = "S", description = "Warm-up seconds per round (default: 2, --quick 0.5).")
  Double warmup;

  @Option(names = "--workloads", split = ",", paramLabel = "W",
      description = "Workloads, comma-separated: ${COMPLETION-CANDIDATES} (default: both).")
  List<Workload> workloads;

  @Option(names = "--clients", split = ",", paramLabel = "KIND:N",
      description = "Client counts, comma-separated (default: platform:10,platform:100,virtual:1000,virtual:10000)."
          + " The no-pool limit runs for a client count equal to the pool size (10).")
  List<String> clients;

  @Option(names = "--url", paramLabel = "URL", description = "An existing PostgreSQL on this machine instead of the"
      + " embedded one (JDBC URL or DATABASE_URL; loopback only). Needs at least 31 free connections.")
  String url;

  @Option(names = "--output-dir", paramLabel = "DIR", defaultValue = ".",
      description = "Where bench.json is written (default: the current directory).")
  Path outputDirectory;

  @Option(names = "--barging-reference", description = "Also measure a naive barging LIFO pool (no fairness) as a"
      + " third series in the oversubscribed cases (clients > pool size), to show what strict FIFO costs and what"
      + " barging does to the longest wait.")
  boolean bargingReference;

  @Option(names = "--quiet", description = "No progress lines on stderr.")
  boolean quiet;

  /* --- Results --- */

  /** One pool's (or the limit's) measured round. */
  /**
   * @param handOverWaits Poolwise only (else null): each wait as the pool saw it, from {@code getConnection()} to the
   *     moment a connection was handed to the thread ({@link PoolListener#acquired}); the rest of {@link #waits} is
   *     the time the operating system took to run the thread it had just woken
   */
  record Round(double opsPerSecond, Histogram waits, double meanHoldMillis, Histogram handOverWaits) {}

  /** Everything measured for one case; {@code naive} is empty unless {@code --barging-reference} ran it. */
  record CaseResult(String name, Workload workload, Clients clients, List<Round> poolwise, List<Round> hikari,
      List<Round> limit, List<Round> naive, Double limitReferenceOps, double othersCpuShare) {}

  @Override
  public Integer call() {
    PrintStream out = System.out;
    PrintStream err = System.err;
    int roundCount = rounds != null ? rounds : 5;
    double measured = seconds != null ? seconds : quick ? 1 : 5;
    double warm = warmup != null ? warmup : quick ? 0.5 : 2;
    List<Clients> clientList;
    try {
      clientList = (clients != null ? clients : List.of("platform:10", "platform:100", "virtual:1000", "virtual:10000"))
          .stream().map(Clients::parse).toList();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (roundCount < 1 || measured <= 0 || warm < 0) {
      throw new ParameterException(spec.commandLine(), "--rounds must be >= 1, --seconds > 0, --warmup >= 0");
    }
    List<Workload> workloadList = workloads != null ? workloads : List.of(Workload.values());
    String loadBefore = loadAverage();
    Instant started = Instant.now();
    List<CaseResult> results = new ArrayList<>();
    String serverVersion;
    try (LabDatabase database = url == null ? LabDatabase.startEmbedded(100) : LabDatabase.connect(url, false)) {
      serverVersion = database.serverInfo().version();
      seed(database);
      progress(err, String.format(Locale.ROOT, "poolwise bench: PostgreSQL %s, pool of %d, %d rounds x (%.1f s warm-up"
              + " + %.1f s measured) per pool per case%s; load average %s", serverVersion, POOL_SIZE, roundCount, warm,
          measured, quick ? " (QUICK)" : "", loadBefore));
      for (Workload workload : workloadList) {
        Double limitReference = null;
        for (Clients client : clientList) {
          CaseResult result = runCase(database, workload, client, roundCount, warm, measured, limitReference, err);
          if (!result.limit().isEmpty()) {
            limitReference = median(ops(result.limit()));
          }
          results.add(result);
        }
      }
    } catch (IllegalArgumentException e) {
      err.println("poolwise: " + e.getMessage());
      return 2;
    } catch (SQLException | RuntimeException e) {
      err.println("poolwise: bench failed: " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("poolwise: interrupted");
      return 130;
    }
    String loadAfter = loadAverage();
    out.println(table(results, quick, roundCount, warm, measured, loadBefore, loadAfter));
    try {
      Files.createDirectories(outputDirectory);
      Path file = outputDirectory.resolve("bench.json").toAbsolutePath().normalize();
      writeJson(file, results, serverVersion, roundCount, warm, measured, loadBefore, loadAfter, started);
      out.println("wrote " + file);
    } catch (IOException e) {
      err.println("poolwise: could not write bench.json: " + e.getMessage());
      return 1;
    }
    return 0;
  }

  /* --- Running --- */

  private CaseResult runCase(LabDatabase database, Workload workload, Clients client, int roundCount, double warm,
      double measured, Double limitReference, PrintStream err) throws SQLException, InterruptedException {
    String name = workload + " / " + client;
    DataSource poolwise = openPoolwise(database);
    DataSource hikari = openHikari(database);
    List<Connection> dedicated = new ArrayList<>();
    boolean withLimit = !client.virtual() && client.count() == POOL_SIZE;
    boolean withNaive = bargingReference && client.count() > POOL_SIZE;
    NoiseMeter.Reading noiseBefore = NoiseMeter.read(database.postmasterPid());
    // a null resource is not closed; the pools above are closed in finally even if this one fails to open
    try (NaiveLifoPool naive = withNaive ? NaiveLifoPool.open(database, POOL_SIZE) : null) {
      if (withLimit) {
        for (int i = 0; i < client.count(); i++) {
          dedicated.add(database.openAppConnection(LabDatabase.APPLICATION_NAME));
        }
      }
      List<Round> p = new ArrayList<>();
      List<Round> h = new ArrayList<>();
      List<Round> l = new ArrayList<>();
      List<Round> n = new ArrayList<>();
      for (int round = 1; round <= roundCount; round++) {
        p.add(round(workload, client, index -> poolwise.getConnection(), true, (PoolwiseDataSource) poolwise, warm,
            measured));
        h.add(round(workload, client, index -> hikari.getConnection(), true, null, warm, measured));
        if (withLimit) {
          l.add(round(workload, client, dedicated::get, false, null, warm, measured));
        }
        if (naive != null) {
          n.add(round(workload, client, index -> naive.getConnection(), true, null, warm, measured));
        }
        progress(err, String.format(Locale.ROOT, "  %-28s round %d/%d: poolwise %,.0f  hikari %,.0f%s%s ops/s", name,
            round, roundCount, p.getLast().opsPerSecond(), h.getLast().opsPerSecond(),
            withLimit ? String.format(Locale.ROOT, "  limit %,.0f", l.getLast().opsPerSecond()) : "",
            naive != null ? String.format(Locale.ROOT, "  naive %,.0f", n.getLast().opsPerSecond()) : ""));
      }
      double others = NoiseMeter.othersShare(noiseBefore, NoiseMeter.read(database.postmasterPid()));
      progress(err, String.format(Locale.ROOT, "  %-28s other processes used %.0f%% of the machine's CPU", name,
          others * 100));
      return new CaseResult(name, workload, client, p, h, l, n, withLimit ? null : limitReference, others);
    } finally {
      for (Connection connection : dedicated) {
        connection.close();
      }
      ((PoolwiseDataSource) poolwise).close();
      ((HikariDataSource) hikari).close();
    }
  }

  /** Where a client gets its connection: a pool's getConnection(), or its own dedicated connection. */
  private interface ConnectionSource {
    Connection get(int client) throws SQLException;
  }

  /**
   * One round: fresh clients loop until stopped; operations finished inside the measured window count; every
   * acquisition that started inside the window records its wait (even if it ends after the window).
   */
  private static Round round(Workload workload, Clients client, ConnectionSource source, boolean pooled,
      PoolwiseDataSource observed, double warm, double measured) throws InterruptedException {
    Recorder waits = new Recorder(3);
    Recorder handOverWaits = new Recorder(3);
    LongAdder completed = new LongAdder();
    LongAdder holdNanos = new LongAdder();
    var state = new Object() {
      volatile boolean measuring;
      /** When measuring began ({@code System.nanoTime}); the hand-over view counts only waits that began after it. */
      volatile long measuringSince = Long.MAX_VALUE;
      volatile boolean stop;
      volatile Throwable failure;
    };
    List<Thread> threads = new ArrayList<>(client.count());
    for (int i = 0; i < client.count(); i++) {
      int index = i;
      Runnable loop = () -> {
        long mine = 0;
        long myHold = 0;
        try {
          while (!state.stop) {
            boolean counted = state.measuring;
            long asked = System.nanoTime();
            Connection connection = source.get(index);
            long got = System.nanoTime();
            try {
              workload.run(connection);
            } finally {
              if (pooled) {
                connection.close();
              }
            }
            long done = System.nanoTime();
            if (counted) {
              waits.recordValue(got - asked);
            }
            if (state.measuring) {
              mine++;
              myHold += done - got;
            }
          }
        } catch (SQLException | RuntimeException e) {
          state.failure = e;
        }
        completed.add(mine);
        holdNanos.add(myHold);
      };
      threads.add(client.virtual() ? Thread.ofVirtual().start(loop) : Thread.ofPlatform().start(loop));
    }
    // Poolwise reports each wait up to the hand-over (before the woken thread runs again); recorded while measuring,
    // for the waits that began inside the window, like the clients' own (a wait that began in the warm-up and ended
    // in the window is the clients' to skip and must be the pool's too, or the pool's view can exceed theirs).
    PoolListener handOver = new PoolListener() {
      @Override
      public void acquired(long waitNanos) {
        if (state.measuring && System.nanoTime() - waitNanos - state.measuringSince >= 0) {
          handOverWaits.recordValue(Math.max(0, waitNanos));
        }
      }
    };
    if (observed != null) {
      observed.addListener(handOver);
    }
    Thread.sleep((long) (warm * 1000));
    waits.reset();
    long start = System.nanoTime();
    state.measuringSince = start;
    state.measuring = true;
    Thread.sleep((long) (measured * 1000));
    state.measuring = false;
    long elapsed = System.nanoTime() - start;
    state.stop = true;
    for (Thread thread : threads) {
      thread.join();
    }
    if (observed != null) {
      observed.removeListener(handOver);
    }
    if (state.failure != null) {
      throw new IllegalStateException("a bench client failed: " + state.failure, state.failure);
    }
    long ops = completed.sum();
    return new Round(ops * 1e9 / elapsed, waits.getIntervalHistogram(), ops == 0 ? 0 : holdNanos.sum() / 1e6 / ops,
        observed == null ? null : handOverWaits.getIntervalHistogram());
  }

  private static DataSource openPoolwise(LabDatabase database) throws SQLException {
    DatabaseTarget target = database.target();
    PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder()
        .url(target.jdbcUrl())
        .username(target.username())
        .password(target.password())
        .poolName("bench-poolwise")
        .maxSize(POOL_SIZE)
        .minIdle(POOL_SIZE)
        .acquireTimeout(ACQUIRE_TIMEOUT)
        .startMode(StartMode.FAIL_FAST)
        .driverProperty("ApplicationName", LabDatabase.APPLICATION_NAME);
    target.parameters().forEach(builder::driverProperty);
    return builder.build();
  }

  private static DataSource openHikari(LabDatabase database) {
    DatabaseTarget target = database.target();
    HikariConfig config = new HikariConfig();
    config.setPoolName("bench-hikari");
    config.setJdbcUrl(target.jdbcUrl());
    config.setUsername(target.username());
    config.setPassword(target.password());
    config.setMaximumPoolSize(POOL_SIZE);
    config.setMinimumIdle(POOL_SIZE);
    config.setConnectionTimeout(ACQUIRE_TIMEOUT.toMillis());
    config.addDataSourceProperty("ApplicationName", LabDatabase.APPLICATION_NAME);
    target.parameters().forEach(config::addDataSourceProperty);
    return new HikariDataSource(config);
  }

  private static void seed(LabDatabase database) throws SQLException {
    try (Connection connection = database.openAppConnection(LabDatabase.SAMPLER_APPLICATION_NAME);
        Statement statement = connection.createStatement()) {
      statement.execute("create table if not exists poolwise_bench_item (id int primary key, name text not null)");
      statement.execute("insert into poolwise_bench_item select i, 'item ' || i from generate_series(1, "
          + SEEDED_ROWS + ") i on conflict do nothing");
      statement.execute("analyze poolwise_bench_item");
    }
  }

  /* --- Figures --- */

  static double[] ops(List<Round> rounds) {
    return rounds.stream().mapToDouble(Round::opsPerSecond).toArray();
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** {median, min, max}. */
  static double[] spread(double[] values) {
    return new double[] {median(values), Arrays.stream(values).min().orElse(Double.NaN),
        Arrays.stream(values).max().orElse(Double.NaN)};
  }

  static double[] ratiosVsHikari(CaseResult result) {
    return ratiosPerRound(result.poolwise(), result.hikari());
  }

  static double[] ratiosVsNaive(CaseResult result) {
    return ratiosPerRound(result.poolwise(), result.naive());
  }

  /** Round i of {@code measured} against round i of {@code reference} (the two ran back to back). */
  private static double[] ratiosPerRound(List<Round> measured, List<Round> reference) {
    double[] ratios = new double[measured.size()];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = measured.get(i).opsPerSecond() / reference.get(i).opsPerSecond();
    }
    return ratios;
  }

  /** Per round against the same round's limit (10-client case), else against the workload's 10-client limit median. */
  static double[] ratiosVsLimit(CaseResult result) {
    double[] ratios = new double[result.poolwise().size()];
    for (int i = 0; i < ratios.length; i++) {
      double limit = !result.limit().isEmpty() ? result.limit().get(i).opsPerSecond()
          : result.limitReferenceOps() != null ? result.limitReferenceOps() : Double.NaN;
      ratios[i] = result.poolwise().get(i).opsPerSecond() / limit;
    }
    return ratios;
  }

  static Histogram merged(List<Round> rounds) {
    Histogram all = new Histogram(3);
    rounds.forEach(round -> all.add(round.waits()));
    return all;
  }

  static double p99Millis(List<Round> rounds) {
    return merged(rounds).getValueAtPercentile(99) / 1e6;
  }

  static double maxMillis(List<Round> rounds) {
    return merged(rounds).getMaxValue() / 1e6;
  }

  /** The longest wait until the hand-over (Poolwise's rounds only; see {@link Round#handOverWaits}). */
  static double handOverMaxMillis(List<Round> rounds) {
    Histogram all = new Histogram(3);
    rounds.stream().map(Round::handOverWaits).filter(java.util.Objects::nonNull).forEach(all::add);
    return all.getMaxValue() / 1e6;
  }

  /**
   * Strict FIFO's longest wait: a newcomer finds (clients − pool size) waiters ahead of it, and the pool serves
   * pool-size of them per mean hold. Null when nobody queues (clients ≤ pool size).
   */
  static Double fifoPredictionMillis(CaseResult result, List<Round> rounds) {
    int queue = result.clients().count() - POOL_SIZE;
    if (queue <= 0) {
      return null;
    }
    double meanHold = rounds.stream().mapToDouble(Round::meanHoldMillis).average().orElse(Double.NaN);
    return queue * meanHold / POOL_SIZE;
  }

  static double meanHold(List<Round> rounds) {
    return rounds.stream().mapToDouble(Round::meanHoldMillis).average().orElse(Double.NaN);
  }

  /* --- Output --- */

  static String table(List<CaseResult> results, boolean quick, int rounds, double warm, double measured,
      String loadBefore, String loadAfter) {
    // the naive reference's columns stand before the noise, and only when some case ran it
    boolean withNaive = results.stream().anyMatch(result -> !result.naive().isEmpty());
    List<String> headers = new ArrayList<>(List.of("case", ">poolwise ops/s", ">hikari ops/s", ">limit ops/s", ">P/H",
        ">P/limit", ">p99 wait P|H ms", ">max wait P|H ms", ">FIFO factor P (hand-over)|H"));
    if (withNaive) {
      headers.addAll(List.of(">naive ops/s", ">P/naive", ">max wait N ms"));
    }
    headers.add(">others' CPU");
    PlainTable table = new PlainTable(headers.toArray(String[]::new));
    for (CaseResult result : results) {
      Double fifoP = fifoPredictionMillis(result, result.poolwise());
      Double fifoH = fifoPredictionMillis(result, result.hikari());
      List<Object> cells = new ArrayList<>(List.of(result.name(), opsCell(ops(result.poolwise())),
          opsCell(ops(result.hikari())), result.limit().isEmpty() ? "-" : opsCell(ops(result.limit())),
          ratioCell(ratiosVsHikari(result)),
          result.limit().isEmpty() && result.limitReferenceOps() == null ? "-" : ratioCell(ratiosVsLimit(result)),
          String.format(Locale.ROOT, "%.2f | %.2f", p99Millis(result.poolwise()), p99Millis(result.hikari())),
          String.format(Locale.ROOT, "%.1f | %.1f", maxMillis(result.poolwise()), maxMillis(result.hikari())),
          fifoP == null ? "-" : String.format(Locale.ROOT, "%.1f (%.1f) | %.1f", maxMillis(result.poolwise()) / fifoP,
              handOverMaxMillis(result.poolwise()) / fifoP, maxMillis(result.hikari()) / fifoH)));
      if (withNaive) {
        boolean ran = !result.naive().isEmpty();
        cells.addAll(List.of(ran ? opsCell(ops(result.naive())) : "-", ran ? ratioCell(ratiosVsNaive(result)) : "-",
            ran ? String.format(Locale.ROOT, "%.1f", maxMillis(result.naive())) : "-"));
      }
      cells.add(Double.isNaN(result.othersCpuShare()) ? "?"
          : String.format(Locale.ROOT, "%.0f%%", result.othersCpuShare() * 100));
      table.row(cells.toArray());
    }
    return String.format(Locale.ROOT, "%n%s%d rounds x (%.1f s warm-up + %.1f s measured) per pool per case, pool of %d,"
            + " interleaved P H [L]%s. ops/s: median (min-max) of the rounds. P/H, P/limit: median (min-max) of the"
            + " per-round ratios; oversubscribed cases against the workload's 10-client limit median. Waits: every"
            + " getConnection() started in a measured window. FIFO factor: longest wait / (queue x mean hold /"
            + " pool size); in brackets Poolwise's longest wait until the hand-over (what the pool decides; the rest"
            + " is the operating system scheduling the woken thread).%s Others' CPU: share of the machine's CPU used by processes other than this JVM and its PostgreSQL during the case (the noise). Load average before %s, after %s.%n%n%s",
        quick ? "QUICK RUN (short rounds: coarse numbers). " : "", rounds, warm, measured, POOL_SIZE,
        withNaive ? " [N]" : "", withNaive ? " N: a naive barging LIFO pool of the same size, no fairness"
            + " (--barging-reference, oversubscribed cases only); P/naive: median (min-max) of the per-round ratios."
            : "", loadBefore, loadAfter, table.render(""));
  }

  private static String opsCell(double[] values) {
    double[] s = spread(values);
    return String.format(Locale.ROOT, "%,.0f (%,.0f-%,.0f)", s[0], s[1], s[2]);
  }

  private static String ratioCell(double[] values) {
    double[] s = spread(values);
    return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", s[0], s[1], s[2]);
  }

  private static Map<String, Object> spreadJson(double[] values) {
    double[] s = spread(values);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("median", round3(s[0]));
    json.put("min", round3(s[1]));
    json.put("max", round3(s[2]));
    json.put("rounds", Arrays.stream(values).map(BenchCommand::round3).boxed().toList());
    return json;
  }

  /** {poolwise, hikari[, naive]}: a figure of each pool's rounds; naive only when it ran. */
  private static Map<String, Object> perPoolJson(CaseResult result, ToDoubleFunction<List<Round>> figure) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("poolwise", round3(figure.applyAsDouble(result.poolwise())));
    json.put("hikari", round3(figure.applyAsDouble(result.hikari())));
    if (!result.naive().isEmpty()) {
      json.put("naive", round3(figure.applyAsDouble(result.naive())));
    }
    return json;
  }

  private static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  private void writeJson(Path file, List<CaseResult> results, String serverVersion, int roundCount, double warm,
      double measured, String loadBefore, String loadAfter, Instant started) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    // originalArgs() are the whole command line, sub-command name included
    root.put("command", "./poolwise " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    root.put("quick", quick);
    root.put("started", started.toString());
    root.put("rounds", roundCount);
    root.put("warmup_s", warm);
    root.put("measured_s", measured);
    root.put("pool_size", POOL_SIZE);
    root.put("order", "interleaved per round: poolwise, hikari, limit (10-client case only)"
        + (results.stream().anyMatch(result -> !result.naive().isEmpty())
            ? ", naive (--barging-reference, oversubscribed cases only)" : ""));
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("memory_total_mb", memoryTotalMb());
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    machine.put("load_average_before", loadBefore);
    machine.put("load_average_after", loadAfter);
    machine.put("shared", "others may use this machine: each case's others_cpu_share is the share of all cores that"
        + " processes other than this JVM and its PostgreSQL used during it; the min-max of the rounds shows the noise");
    root.put("machine", machine);
    Map<String, Object> versions = new LinkedHashMap<>();
    versions.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
    versions.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
    versions.put("poolwise", versionOf("dev.poolwise", "poolwise-core", PoolwiseDataSource.class));
    versions.put("hikaricp", versionOf("com.zaxxer", "HikariCP", HikariDataSource.class));
    versions.put("pgjdbc", versionOf("org.postgresql", "postgresql", org.postgresql.Driver.class));
    versions.put("postgresql", serverVersion + (url == null ? " (embedded)" : ""));
    root.put("versions", versions);
    List<Map<String, Object>> cases = new ArrayList<>();
    for (CaseResult result : results) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("case", result.name());
      c.put("workload", result.workload().name());
      c.put("sql", result.workload().sql);
      c.put("clients", result.clients().count());
      c.put("threads", result.clients().virtual() ? "virtual" : "platform");
      c.put("poolwise_ops_s", spreadJson(ops(result.poolwise())));
      c.put("hikari_ops_s", spreadJson(ops(result.hikari())));
      c.put("limit_ops_s", result.limit().isEmpty() ? null : spreadJson(ops(result.limit())));
      c.put("naive_ops_s", result.naive().isEmpty() ? null : spreadJson(ops(result.naive())));
      c.put("ratio_vs_hikari", spreadJson(ratiosVsHikari(result)));
      c.put("ratio_vs_limit", result.limit().isEmpty() && result.limitReferenceOps() == null ? null
          : spreadJson(ratiosVsLimit(result)));
      c.put("ratio_vs_limit_reference", result.limit().isEmpty()
          ? (result.limitReferenceOps() == null ? null : "median of this workload's 10-client limit: "
              + Math.round(result.limitReferenceOps()) + " ops/s")
          : "the same round's limit");
      c.put("ratio_vs_naive", result.naive().isEmpty() ? null : spreadJson(ratiosVsNaive(result)));
      c.put("acquire_wait_p99_ms", perPoolJson(result, BenchCommand::p99Millis));
      c.put("acquire_wait_max_ms", perPoolJson(result, BenchCommand::maxMillis));
      Map<String, Object> fifo = new LinkedHashMap<>();
      fifo.put("queue_length", Math.max(0, result.clients().count() - POOL_SIZE));
      fifo.put("mean_hold_ms", Map.of("poolwise", round3(meanHold(result.poolwise())), "hikari",
          round3(meanHold(result.hikari()))));
      Double fifoP = fifoPredictionMillis(result, result.poolwise());
      Double fifoH = fifoPredictionMillis(result, result.hikari());
      fifo.put("predicted_max_wait_ms", fifoP == null ? null : Map.of("poolwise", round3(fifoP), "hikari", round3(fifoH)));
      fifo.put("factor", fifoP == null ? null : Map.of("poolwise", round3(maxMillis(result.poolwise()) / fifoP),
          "hikari", round3(maxMillis(result.hikari()) / fifoH)));
      fifo.put("hand_over_max_wait_ms", Map.of("poolwise", round3(handOverMaxMillis(result.poolwise()))));
      fifo.put("hand_over_factor", fifoP == null ? null
          : Map.of("poolwise", round3(handOverMaxMillis(result.poolwise()) / fifoP)));
      c.put("fifo_check", fifo);
      c.put("others_cpu_share", Double.isNaN(result.othersCpuShare()) ? null : round3(result.othersCpuShare()));
      cases.add(c);
    }
    root.put("cases", cases);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }

  private static String versionOf(String group, String artifact, Class<?> anyClass) {
    try (InputStream in = anyClass.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        return properties.getProperty("version");
      }
    } catch (IOException e) {
      // fall back below
    }
    String version = anyClass.getPackage().getImplementationVersion();
    return version != null ? version : "unknown";
  }

  private static long memoryTotalMb() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() >> 20;
    }
    return -1;
  }

  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private void progress(PrintStream err, String line) {
    if (!quiet) {
      err.println(line);
    }
  }
}
