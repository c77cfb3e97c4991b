package dev.poolwise.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.PoolListener;
import dev.poolwise.StartMode;
import java.io.IOException;
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
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAccumulator;
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
 * {@link NaiveLifoPool} (no fairness), after H in every round: the other side of the fairness trade-off. With
 * {@code --fair-reference} they add F, a {@link FairSemaphorePool} (the least a fair pool can do with the JDK's own
 * primitives). {@code --peers} adds the other pools of {@link PeerPool} after H, each configured the same way.
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
        "  ./poolwise bench --peers hikari,agroal,vibur,dbcp2,tomcat --fair-reference --barging-reference",
        "      every peer pool and both references, interleaved in the same rounds (a second table lists them all)",
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

  @Option(names = "--fair-reference", description = "Also measure a minimal fair pool (10 dedicated connections"
      + " behind java.util.concurrent.Semaphore(10, true)) in the oversubscribed cases: what fairness itself costs"
      + " on this machine, the reference for Poolwise's strict FIFO.")
  boolean fairReference;

  @Option(names = "--peers", split = ",", paramLabel = "POOL",
      description = "Peer pools to measure beside Poolwise, comma-separated, from: hikari, agroal, vibur, dbcp2,"
          + " tomcat (default: hikari). HikariCP always runs: bench.json's existing ratio keys are against it. Each"
          + " is configured like Poolwise here (same size and timeout, connections opened up front, no validation"
          + " on every borrow, its fair mode where it has one; bench.json's peer_settings says which).")
  List<String> peers;

  @Option(names = "--quiet", description = "No progress lines on stderr.")
  boolean quiet;

  /* --- Results --- */

  /** One pool's (or the limit's) measured round. */
  /**
   * @param handOverMaxNanos Poolwise only (else null): the longest wait as the pool saw it, from {@code getConnection()}
   *     to the moment a connection was handed to the thread ({@link PoolListener#acquired}); the rest of the longest of
   *     {@link #waits} is the time the operating system took to run the thread it had just woken
   */
  record Round(double opsPerSecond, Histogram waits, double meanHoldMillis, Long handOverMaxNanos) {}

  /**
   * Everything measured for one case; {@code peers} in the order they ran, HikariCP first; {@code fair} and
   * {@code naive} are empty unless {@code --fair-reference} / {@code --barging-reference} ran them.
   */
  record CaseResult(String name, Workload workload, Clients clients, List<Round> poolwise,
      Map<PeerPool, List<Round>> peers, List<Round> limit, List<Round> fair, List<Round> naive,
      Double limitReferenceOps, double othersCpuShare) {

    List<Round> hikari() {
      return peers.get(PeerPool.HIKARI);
    }
  }

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
    List<PeerPool> peerList;
    try {
      peerList = peerList(peers);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
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
          CaseResult result = runCase(database, workload, client, peerList, roundCount, warm, measured,
              limitReference, err);
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
    if (peerList.size() > 1 || fairReference) {
      out.println(everyPoolTable(results));
    }
    try {
      Files.createDirectories(outputDirectory);
      Path file = outputDirectory.resolve("bench.json").toAbsolutePath().normalize();
      writeJson(file, results, peerList, serverVersion, roundCount, warm, measured, loadBefore, loadAfter, started);
      out.println("wrote " + file);
    } catch (IOException e) {
      err.println("poolwise: could not write bench.json: " + e.getMessage());
      return 1;
    }
    return 0;
  }

  /* --- Running --- */

  /** HikariCP first, then the others named, each once; {@code null} means HikariCP alone. */
  static List<PeerPool> peerList(List<String> names) {
    List<PeerPool> list = new ArrayList<>(List.of(PeerPool.HIKARI));
    if (names != null) {
      for (String name : names) {
        PeerPool peer = PeerPool.of(name);
        if (!list.contains(peer)) {
          list.add(peer);
        }
      }
    }
    return List.copyOf(list);
  }

  private CaseResult runCase(LabDatabase database, Workload workload, Clients client, List<PeerPool> peerList,
      int roundCount, double warm, double measured, Double limitReference, PrintStream err)
      throws SQLException, InterruptedException {
    String name = workload + " / " + client;
    boolean withLimit = !client.virtual() && client.count() == POOL_SIZE;
    boolean oversubscribed = client.count() > POOL_SIZE;
    List<DataSource> opened = new ArrayList<>();
    List<Connection> dedicated = new ArrayList<>();
    try {
      PoolwiseDataSource poolwise = openPoolwise(database);
      opened.add(poolwise);
      Map<PeerPool, DataSource> peerPools = new LinkedHashMap<>();
      PoolGroup.Connect connect = connect(database);
      for (PeerPool peer : peerList) {
        DataSource pool = peer.open(connect, new PoolGroup.PoolSpec("bench-" + peer.key, POOL_SIZE, POOL_SIZE,
            ACQUIRE_TIMEOUT, false, dev.poolwise.MultipleAcquisition.ALLOW, 0));
        opened.add(pool);
        peerPools.put(peer, pool);
      }
      FairSemaphorePool fair = fairReference && oversubscribed ? FairSemaphorePool.open(database, POOL_SIZE) : null;
      if (fair != null) {
        opened.add(fair);
      }
      NaiveLifoPool naive = bargingReference && oversubscribed ? NaiveLifoPool.open(database, POOL_SIZE) : null;
      if (naive != null) {
        opened.add(naive);
      }
      if (withLimit) {
        for (int i = 0; i < client.count(); i++) {
          dedicated.add(database.openAppConnection(LabDatabase.APPLICATION_NAME));
        }
      }
      NoiseMeter.Reading noiseBefore = NoiseMeter.read(database.postmasterPid());
      List<Round> p = new ArrayList<>();
      Map<PeerPool, List<Round>> peerRounds = new LinkedHashMap<>();
      peerPools.keySet().forEach(peer -> peerRounds.put(peer, new ArrayList<>()));
      List<Round> l = new ArrayList<>();
      List<Round> f = new ArrayList<>();
      List<Round> n = new ArrayList<>();
      for (int round = 1; round <= roundCount; round++) {
        p.add(round(workload, client, index -> poolwise.getConnection(), true, poolwise, warm, measured));
        for (var peer : peerPools.entrySet()) {
          DataSource pool = peer.getValue();
          peerRounds.get(peer.getKey()).add(round(workload, client, index -> pool.getConnection(), true, null, warm,
              measured));
        }
        if (withLimit) {
          l.add(round(workload, client, dedicated::get, false, null, warm, measured));
        }
        if (fair != null) {
          f.add(round(workload, client, index -> fair.getConnection(), true, null, warm, measured));
        }
        if (naive != null) {
          n.add(round(workload, client, index -> naive.getConnection(), true, null, warm, measured));
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-28s round %d/%d: poolwise %,.0f", name,
            round, roundCount, p.getLast().opsPerSecond()));
        peerRounds.forEach((peer, rounds) -> line.append(String.format(Locale.ROOT, "  %s %,.0f", peer.key,
            rounds.getLast().opsPerSecond())));
        if (withLimit) {
          line.append(String.format(Locale.ROOT, "  limit %,.0f", l.getLast().opsPerSecond()));
        }
        if (fair != null) {
          line.append(String.format(Locale.ROOT, "  fair %,.0f", f.getLast().opsPerSecond()));
        }
        if (naive != null) {
          line.append(String.format(Locale.ROOT, "  naive %,.0f", n.getLast().opsPerSecond()));
        }
        progress(err, line.append(" ops/s").toString());
      }
      double others = NoiseMeter.othersShare(noiseBefore, NoiseMeter.read(database.postmasterPid()));
      progress(err, String.format(Locale.ROOT, "  %-28s other processes used %.0f%% of the machine's CPU", name,
          others * 100));
      return new CaseResult(name, workload, client, p, peerRounds, l, f, n, withLimit ? null : limitReference,
          others);
    } finally {
      for (Connection connection : dedicated) {
        connection.close();
      }
      PoolGroup.closeAll(opened);
    }
  }

  private static PoolGroup.Connect connect(LabDatabase database) {
    DatabaseTarget target = database.target();
    return new PoolGroup.Connect(target.jdbcUrl(), target.username(), target.password(), target.parameters());
  }

  /** Where a client gets its connection: a pool's getConnection(), or its own dedicated connection. */
  private interface ConnectionSource {
    Connection get(int client) throws SQLException;
  }

  /**
   * One round: fresh clients loop until stopped; operations finished inside the measured window count; every
   * acquisition that started inside the window records its wait (even if it ends after the window: the clients go
   * on, uncounted, until each has asked again, at most a second, so that wait ends under the same load; see
   * {@link MeasuredWindow}).
   */
  private static Round round(Workload workload, Clients client, ConnectionSource source, boolean pooled,
      PoolwiseDataSource observed, double warm, double measured) throws InterruptedException {
    Recorder waits = new Recorder(3);
    // Only the longest is reported. A LongAccumulator writes only when a wait is longer than the longest so far, so the
    // listener costs Poolwise's clients a read of a rarely written field: a shared HdrHistogram Recorder here cost
    // Poolwise alone two contended atomic increments per borrow, 3-4 % of its ops/s with 10 clients on a fast VM.
    LongAccumulator handOverMax = new LongAccumulator(Math::max, 0);
    LongAdder completed = new LongAdder();
    LongAdder holdNanos = new LongAdder();
    MeasuredWindow window = new MeasuredWindow(client.count());
    var failed = new Object() {
      volatile Throwable failure;
    };
    List<Thread> threads = new ArrayList<>(client.count());
    for (int i = 0; i < client.count(); i++) {
      int index = i;
      Runnable loop = () -> {
        MeasuredWindow.Client mine = new MeasuredWindow.Client();
        long ops = 0;
        long myHold = 0;
        try {
          while (!window.stopped()) {
            boolean counted = window.startBorrow(mine);
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
            if (window.measuring()) {
              ops++;
              myHold += done - got;
            }
          }
        } catch (SQLException | RuntimeException e) {
          failed.failure = e;
        } finally {
          window.leave(mine);
        }
        completed.add(ops);
        holdNanos.add(myHold);
      };
      threads.add(client.virtual() ? Thread.ofVirtual().start(loop) : Thread.ofPlatform().start(loop));
    }
    // Poolwise reports each wait up to the hand-over (before the woken thread runs again); recorded for the waits
    // that began inside the window, like the clients' own (a wait that began in the warm-up and ended in the window
    // is the clients' to skip and must be the pool's too, or the pool's view can exceed theirs).
    PoolListener handOver = new PoolListener() {
      @Override
      public void acquired(long waitNanos) {
        // A borrow that took an idle connection reports 0 (one clock read): nothing to compare, no clock to read.
        if (waitNanos > 0 && window.beganInside(waitNanos)) {
          handOverMax.accumulate(waitNanos);
        }
      }
    };
    if (observed != null) {
      observed.addListener(handOver);
    }
    Thread.sleep((long) (warm * 1000));
    waits.reset();
    long start = window.open();
    Thread.sleep((long) (measured * 1000));
    long elapsed = window.close() - start;
    // The clients go on, uncounted, until every counted borrow has been served (see MeasuredWindow).
    window.awaitCaughtUp();
    window.stop();
    for (Thread thread : threads) {
      thread.join();
    }
    if (observed != null) {
      observed.removeListener(handOver);
    }
    if (failed.failure != null) {
      throw new IllegalStateException("a bench client failed: " + failed.failure, failed.failure);
    }
    long ops = completed.sum();
    return new Round(ops * 1e9 / elapsed, waits.getIntervalHistogram(), ops == 0 ? 0 : holdNanos.sum() / 1e6 / ops,
        observed == null ? null : handOverMax.get());
  }

  private static PoolwiseDataSource openPoolwise(LabDatabase database) throws SQLException {
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

  static double[] ratiosVsFair(CaseResult result) {
    return ratiosPerRound(result.poolwise(), result.fair());
  }

  /** Round i of {@code measured} against round i of {@code reference} (the two ran back to back). */
  private static double[] ratiosPerRound(List<Round> measured, List<Round> reference) {
    double[] ratios = new double[measured.size()];
    for (int i = 0; i < ratios.length; i++) {
      double referenceOps = reference.get(i).opsPerSecond();
      // a reference that completed nothing in its round (starved, or still opening) has no ratio, not an infinite one
      ratios[i] = referenceOps > 0 ? measured.get(i).opsPerSecond() / referenceOps : Double.NaN;
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

  /** The longest wait until the hand-over (Poolwise's rounds only; see {@link Round#handOverMaxNanos}). */
  static double handOverMaxMillis(List<Round> rounds) {
    return rounds.stream().map(Round::handOverMaxNanos).filter(java.util.Objects::nonNull)
        .mapToLong(Long::longValue).max().orElse(0) / 1e6;
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
            + " interleaved P H [other peers] [L]%s. ops/s: median (min-max) of the rounds. P/H, P/limit: median (min-max) of the"
            + " per-round ratios; oversubscribed cases against the workload's 10-client limit median. Waits: every"
            + " getConnection() started in a measured window (the clients keep going after it until each such wait has"
            + " ended, at most 1 s). FIFO factor: longest wait / (queue x mean hold /"
            + " pool size); in brackets Poolwise's longest wait until the hand-over (what the pool decides; the rest"
            + " is the operating system scheduling the woken thread).%s Others' CPU: share of the machine's CPU used by processes other than this JVM and its PostgreSQL during the case (the noise). Load average before %s, after %s.%n%n%s",
        quick ? "QUICK RUN (short rounds: coarse numbers). " : "", rounds, warm, measured, POOL_SIZE,
        withNaive ? " [N]" : "", withNaive ? " N: a naive barging LIFO pool of the same size, no fairness"
            + " (--barging-reference, oversubscribed cases only); P/naive: median (min-max) of the per-round ratios."
            : "", loadBefore, loadAfter, table.render(""));
  }

  /**
   * Every pool of every case on its own line (Poolwise, each peer, the references, the limit): the table
   * docs/benchmarks.md shows when {@code --peers} or {@code --fair-reference} ran.
   */
  static String everyPoolTable(List<CaseResult> results) {
    PlainTable table = new PlainTable("case", "pool", ">ops/s", ">Poolwise/pool", ">p99 wait ms", ">max wait ms",
        ">FIFO factor");
    for (CaseResult result : results) {
      Map<String, List<Round>> series = new LinkedHashMap<>();
      series.put("poolwise", result.poolwise());
      result.peers().forEach((peer, rounds) -> series.put(peer.key, rounds));
      series.put("fair reference", result.fair());
      series.put("naive (barging)", result.naive());
      series.put("limit (no pool)", result.limit());
      series.forEach((pool, rounds) -> {
        if (rounds.isEmpty()) {
          return;
        }
        Double fifo = rounds == result.limit() ? null : fifoPredictionMillis(result, rounds);
        table.row(result.name(), pool, opsCell(ops(rounds)),
            rounds == result.poolwise() ? "-" : ratioCell(ratiosPerRound(result.poolwise(), rounds)),
            rounds == result.limit() ? "-" : String.format(Locale.ROOT, "%.2f", p99Millis(rounds)),
            rounds == result.limit() ? "-" : String.format(Locale.ROOT, "%.1f", maxMillis(rounds)),
            fifo == null ? "-" : String.format(Locale.ROOT, "%.1f", maxMillis(rounds) / fifo));
      });
    }
    return String.format(Locale.ROOT, "Every pool, interleaved in the same rounds. ops/s: median (min-max) of the"
        + " rounds; Poolwise/pool: median (min-max) of the per-round ratios (above 1: Poolwise did more); waits:"
        + " every getConnection() started in a measured window, served under load; FIFO factor: longest wait / (queue x mean hold /"
        + " pool size).%n%n%s", table.render(""));
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

  /**
   * {poolwise, hikari[, fair_reference][, naive]}: a figure of each pool's rounds; the references only when they ran.
   * The other peers' figures are under "peers".
   */
  private static Map<String, Object> perPoolJson(CaseResult result, ToDoubleFunction<List<Round>> figure) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("poolwise", round3(figure.applyAsDouble(result.poolwise())));
    json.put("hikari", round3(figure.applyAsDouble(result.hikari())));
    if (!result.fair().isEmpty()) {
      json.put("fair_reference", round3(figure.applyAsDouble(result.fair())));
    }
    if (!result.naive().isEmpty()) {
      json.put("naive", round3(figure.applyAsDouble(result.naive())));
    }
    return json;
  }

  private static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  /** One peer's figures in a case: bench.json's {@code "peers": {"agroal": {…}}}. */
  private static Map<String, Object> peerJson(CaseResult result, List<Round> rounds) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("ops_per_s", spreadJson(ops(rounds)));
    json.put("ratio", spreadJson(ratiosPerRound(result.poolwise(), rounds)));
    json.put("acquire_wait_p99_ms", round3(p99Millis(rounds)));
    json.put("acquire_wait_max_ms", round3(maxMillis(rounds)));
    Double fifo = fifoPredictionMillis(result, rounds);
    json.put("fifo_factor", fifo == null ? null : round3(maxMillis(rounds) / fifo));
    return json;
  }

  private void writeJson(Path file, List<CaseResult> results, List<PeerPool> peerList, String serverVersion,
      int roundCount, double warm, double measured, String loadBefore, String loadAfter, Instant started)
      throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    // originalArgs() are the whole command line, sub-command name included
    root.put("command", "./poolwise " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    root.put("quick", quick);
    root.put("started", started.toString());
    root.put("rounds", roundCount);
    root.put("warmup_s", warm);
    root.put("measured_s", measured);
    root.put("pool_size", POOL_SIZE);
    root.put("order", "interleaved per round: poolwise, "
        + peerList.stream().map(peer -> peer.key).collect(java.util.stream.Collectors.joining(", "))
        + ", limit (10-client case only)"
        + (results.stream().anyMatch(result -> !result.fair().isEmpty())
            ? ", fair_reference (--fair-reference, oversubscribed cases only)" : "")
        + (results.stream().anyMatch(result -> !result.naive().isEmpty())
            ? ", naive (--barging-reference, oversubscribed cases only)" : ""));
    Map<String, Object> peerSettings = new LinkedHashMap<>();
    peerList.forEach(peer -> peerSettings.put(peer.key, peer.title + ": same size and acquire timeout as Poolwise,"
        + " every connection opened up front; " + peer.fairness));
    if (fairReference) {
      peerSettings.put("fair_reference", "10 dedicated connections behind java.util.concurrent.Semaphore(10, true)");
    }
    root.put("peer_settings", peerSettings);
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
    versions.put("poolwise", PeerPool.libraryVersion("dev.poolwise", "poolwise-core", PoolwiseDataSource.class));
    versions.put("hikaricp", PeerPool.HIKARI.version());
    peerList.stream().filter(peer -> peer != PeerPool.HIKARI).forEach(peer -> versions.put(peer.key, peer.version()));
    versions.put("pgjdbc", PeerPool.libraryVersion("org.postgresql", "postgresql", org.postgresql.Driver.class));
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
      c.put("fair_reference_ops_s", result.fair().isEmpty() ? null : spreadJson(ops(result.fair())));
      c.put("ratio_vs_fair_reference", result.fair().isEmpty() ? null : spreadJson(ratiosVsFair(result)));
      Map<String, Object> peerFigures = new LinkedHashMap<>();
      result.peers().forEach((peer, rounds) -> peerFigures.put(peer.key, peerJson(result, rounds)));
      c.put("peers", peerFigures);
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
