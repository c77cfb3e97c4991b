package dev.poolwise.lab;

import dev.poolwise.MultipleAcquisition;
import dev.poolwise.lab.model.AutoSizing;
import dev.poolwise.lab.model.Calibration;
import dev.poolwise.lab.model.PageLoadSimulation;
import dev.poolwise.lab.model.Prediction;
import dev.poolwise.lab.model.QueryKind;
import dev.poolwise.lab.model.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the page-load scenario against each topology in turn, on one server, and collects one
 * {@link LabResults.TopologyResult} per topology. Every topology gets the same treatment: its pools are built,
 * the users load pages through them for the warm-up and then the measured window, the pools are closed, and the
 * next topology starts only when the server is back to the connections it had before (bounded wait), so one
 * topology's leftovers never count against the next.
 */
final class LabEngine {

  /*
   * Concurrency: the engine runs on the caller's thread; the workload's users, the sampler and the progress line
   * run on virtual threads it starts and stops. Nothing here is shared between two lab runs.
   *
   * Failure modes: a topology that cannot run (no pgbouncer binary, PgBouncer not starting, a pool that cannot
   * be built) becomes a skipped row with the reason, and the run goes on. A server that goes away fails the
   * topology's requests ("other"), and the sampler skips samples, so the run still ends in bounded time.
   */

  /** How long to wait for the server's connection count to fall back to its baseline after a topology. */
  static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(10);
  /** The p99 acquire wait single:auto is sized for. */
  static final double AUTO_TARGET_P99_WAIT_MS = 50;
  /** single:auto's probe, when no earlier row measured the load: this many seconds on one pool. */
  static final int PROBE_SECONDS = 5;
  /**
   * The scenario runs this long, unmeasured, before the calibration and the first row: the database's caches, the
   * driver's and the workload's compiled code are then as warm for row 1 as for the rows after it.
   */
  static final int WARM_UP_SECONDS = 5;
  /** The pool the warm-up runs on: Poolwise's, of at most this many connections. */
  static final int WARM_UP_POOL_SIZE = 20;

  private final LabDatabase database;
  private final Scenario scenario;
  private final Progress progress;
  private final MultipleAcquisition multipleAcquisition;
  /** What each earlier row measured, for single:auto. Keyed by topology text, in run order. */
  private final Map<String, Load> measuredLoads = new LinkedHashMap<>();
  /** Server client connections before the first topology, not counting the sampler's own. */
  private int baseline;
  /** The server's parameters, measured once before the first row; null when the calibration failed. */
  private Calibration calibration;

  LabEngine(LabDatabase database, Scenario scenario, PrintStream progressOutput, MultipleAcquisition multipleAcquisition) {
    this.database = database;
    this.scenario = scenario;
    this.progress = new Progress(progressOutput);
    this.multipleAcquisition = multipleAcquisition;
  }

  /** The load a row measured: borrows per second and mean hold, as the Advisor wants them. */
  record Load(String topology, double acquisitionsPerSecond, double meanHoldMs) {}

  /** Seeds the schema, runs every topology, returns the results (verdict still empty). */
  LabResults run(List<Topology> topologies) throws SQLException, InterruptedException {
    database.seed();
    List<LabResults.TopologyResult> rows = new ArrayList<>();
    try (ConnectionSampler sampler = new ConnectionSampler(database.openSamplerConnection())) {
      baseline = sampler.countNow();
      warmUp(sampler);
      calibration = calibrate(topologies);
      progress.plan(topologies.size(), scenario.warmupSeconds() + scenario.durationSeconds());
      for (int i = 0; i < topologies.size(); i++) {
        Topology topology = topologies.get(i);
        progress.topology(i + 1, topology.text());
        LabResults.TopologyResult row;
        try {
          row = runTopology(topology, sampler);
        } catch (SQLException | IOException | RuntimeException e) {
          row = LabResults.TopologyResult.skipped(topology.text(), topology.poolLibrary(),
              "could not run: " + e.getMessage());
        }
        rows.add(row);
        progress.finished(row);
      }
    } finally {
      progress.close();
    }
    return new LabResults(database.serverInfo(), scenario, List.copyOf(rows), "", calibration);
  }

  /**
   * Runs the scenario for {@link #WARM_UP_SECONDS} on one pool and throws the figures away. Without it the first
   * row ran on a colder server and JVM than the rows after it: in an interleaved compare ({@code -t
   * hikari:20,single:20} twice) row 1 served about 8 % fewer pages/s than the three after it, and the default order
   * puts Poolwise's rows first. The pool's own code is warmed by each row's own warm-up; what this warms is shared by
   * every row (the server's buffers and plans, pgjdbc, the workload). {@code --warmup 0} skips it. A failure here is
   * only a note: the rows still run.
   */
  private void warmUp(ConnectionSampler sampler) throws InterruptedException {
    if (scenario.warmupSeconds() == 0) {
      return;
    }
    int size = Math.min(WARM_UP_POOL_SIZE, connectionLimit());
    progress.note("warming up: " + WARM_UP_SECONDS + " s of the scenario on one pool of " + size + " ("
        + PoolGroup.WARM_UP_POOL + "), not measured");
    DatabaseTarget target = database.target();
    PoolGroup.Connect connect = new PoolGroup.Connect(target.jdbcUrl(), target.username(), target.password(), Map.of());
    try (PoolGroup pools = PoolGroup.warmUp(size, connect, Duration.ofMillis(scenario.acquireTimeoutMs()),
        multipleAcquisition)) {
      PageLoadWorkload workload = new PageLoadWorkload(scenario, pools, new Measurements(), new Measurements());
      List<Thread> users = workload.start();
      sleepUntil(System.nanoTime() + Duration.ofSeconds(WARM_UP_SECONDS).toNanos());
      workload.stopAndJoin(users, stopPatience());
    } catch (SQLException | RuntimeException e) {
      progress.note("warm-up failed (" + e.getMessage() + "); the rows run without it");
    }
    try {
      awaitBaseline(sampler);
    } catch (SQLException e) {
      progress.note("after the warm-up the server's connections could not be counted (" + e.getMessage() + ")");
    }
  }

  /* --- The model --- */

  /** Connections the workload's role may open: the server's budget minus other sessions and the sampler. */
  private int connectionLimit() {
    LabResults.ServerInfo server = database.serverInfo();
    return Math.max(1, server.maxConnections() - server.superuserReservedConnections() - baseline - 1);
  }

  /**
   * Measures the server once, before any row, so that every prediction is made from it alone; with PgBouncer's hop
   * when a row runs through PgBouncer.
   */
  private Calibration calibrate(List<Topology> topologies) throws InterruptedException {
    progress.note("calibrating the model: query service demands, a concurrency sweep to 32 connections, connection setup (~10 s)");
    try {
      Calibration measured = LabCalibration.measure(database, scenario, connectionLimit());
      progress.note(String.format(Locale.ROOT, "calibration: %.2f effective cores, connection setup %.1f"
              + " ms, list query %.2f ms, task by id %.2f ms alone (load average %.2f)",
          measured.effectiveParallelism(), measured.connectionSetupMs(),
          measured.serviceDemandMs().get(QueryKind.TASK_LIST),
          measured.serviceDemandMs().get(QueryKind.TASK_BY_ID), measured.loadAverage()));
      return withPgbouncerHop(measured, topologies);
    } catch (SQLException | RuntimeException e) {
      progress.note("calibration failed (" + e.getMessage() + "); the rows run without predictions");
      return null;
    }
  }

  /**
   * The calibration with PgBouncer's hop when a row runs through PgBouncer and PgBouncer is installed: a PgBouncer
   * of one server connection started for it and stopped again. Without it (not needed, not installed, or it would
   * not start) the model has no hop, and the progress line says so when it was needed.
   */
  private Calibration withPgbouncerHop(Calibration measured, List<Topology> topologies) throws InterruptedException {
    boolean needed = topologies.stream().anyMatch(t -> t.serverPoolSize() > 0);
    Optional<Path> binary = needed ? PgBouncerProcess.findBinary() : Optional.empty();
    if (binary.isEmpty()) {
      return measured;
    }
    try (PgBouncerProcess bouncer = PgBouncerProcess.start(binary.get(), database.target(), 4, 1)) {
      double hop = LabCalibration.pgbouncerHopMs(database, bouncer);
      progress.note(String.format(Locale.ROOT, "calibration: PgBouncer adds %.3f ms to a short query",
          hop));
      return measured.withPgbouncerHop(hop);
    } catch (IOException | SQLException e) {
      progress.note("calibration: PgBouncer's hop not measured (" + e.getMessage() + "); the model leaves it out");
      return measured;
    }
  }

  /** The scenario as the model runs it. */
  private Workload workload() {
    return Workload.of(scenario);
  }

  /** The row's prediction, from the calibration alone; null without a calibration. */
  private Prediction predict(Topology sized) {
    return calibration == null ? null
        : PageLoadSimulation.predict(workload(), Predictions.layout(sized,
            calibration.serverModel().connectionLimit()), Predictions.server(sized, calibration.serverModel()));
  }

  /* --- One topology --- */

  private LabResults.TopologyResult runTopology(Topology topology, ConnectionSampler sampler)
      throws SQLException, IOException, InterruptedException {
    DatabaseTarget target = database.target();
    PoolGroup.Connect connect = new PoolGroup.Connect(target.jdbcUrl(), target.username(), target.password(), Map.of());
    PgBouncerProcess bouncer = null;
    if (topology.serverPoolSize() > 0) { // pgbouncer:KxN/M and replicas:KxN/M
      Optional<Path> binary = PgBouncerProcess.findBinary();
      if (binary.isEmpty()) {
        return LabResults.TopologyResult.skipped(topology.text(), topology.poolLibrary(),
            "pgbouncer is not installed (looked on the PATH and in /usr/sbin); install it (e.g. apt-get install"
                + " pgbouncer) to run this topology");
      }
      try {
        bouncer = PgBouncerProcess.start(binary.get(), target, topology.totalMaxConnections(), topology.serverPoolSize());
      } catch (IOException e) {
        return LabResults.TopologyResult.skipped(topology.text(), topology.poolLibrary(), e.getMessage());
      }
      // Transaction pooling hands each transaction to any server connection: no server-side prepared statements.
      connect = new PoolGroup.Connect(DatabaseTarget.jdbcUrl("127.0.0.1", bouncer.port(), target.database(),
          target.parameters()), target.username(), target.password(), Map.of("prepareThreshold", "0"));
    }
    try {
      Topology sized = topology;
      String sizing = null;
      if (topology.auto()) {
        if (calibration != null) {
          AutoSizing.Choice choice = AutoSizing.choose(workload(), calibration.serverModel(), connectionLimit());
          sized = topology.withSize(Math.max(1, Math.min(Topology.MAX_POOL_SIZE, choice.size())));
          sizing = choice.reason();
        } else {
          Load load = measuredLoads.values().stream().findFirst().orElse(null);
          if (load == null) {
            load = probe(sampler, connect);
          }
          Advisor.Advice advice = Advisor.advise(advisorInput(load));
          sized = topology.withSize(Math.max(1, Math.min(Topology.MAX_POOL_SIZE, advice.recommendedSize())));
          sizing = topology.text() + " = " + sized.size() + " connections (Advisor, from " + load.topology() + ": "
              + String.format(Locale.ROOT, "%.0f borrows/s × %.1f ms mean hold",
                  load.acquisitionsPerSecond(), load.meanHoldMs()) + ")";
        }
        progress.note(sizing);
      }
      Prediction modelPrediction = predict(sized);
      Measured measured = sized.kind() == Topology.Kind.REPLICAS ? measureReplicas(sized, sampler, connect, bouncer)
          : measure(sized, sampler, connect, bouncer, scenario.warmupSeconds(), scenario.durationSeconds());
      Load load = new Load(topology.text(), measured.acquisitionsPerSecond(), measured.meanHoldMs());
      if (measured.snapshot().acquisitions() > 0 && sized.isOnePool() && !topology.auto()) {
        measuredLoads.putIfAbsent(topology.text(), load);
      }
      Double predicted = null;
      if (sized.isOnePool()) {
        double prediction = Advisor.predictedP99WaitMs(advisorInput(load), sized.size());
        predicted = Double.isFinite(prediction) ? Measurements.round(prediction) : null;
      }
      Measurements.Snapshot snapshot = measured.snapshot();
      return new LabResults.TopologyResult(topology.text(), topology.poolLibrary(), snapshot.pages(),
          Measurements.round(snapshot.pages() / measured.windowSeconds()),
          Measurements.percentiles(snapshot.pageLatency()), snapshot.requests(), snapshot.failures(),
          Measurements.percentiles(snapshot.acquireWait()), Measurements.percentiles(snapshot.hold()),
          measured.sampled().connections(), null, sized.pools(), sized.totalMaxConnections(), predicted,
          Measurements.buckets(snapshot.pageLatency()), Measurements.buckets(snapshot.acquireWait()),
          measured.sampled().timeline(), BootstrapInterval.p99(snapshot.pageLatency(), scenario.seed()),
          scenario.backgroundRequests() == 0 ? null : background(measured.background()), measured.pagesPerSCi(),
          scenario.retryPolicy().retries() ? snapshot.retries() : null, null, null, measured.connectsFailed())
          .withPrediction(modelPrediction, Predictions.FROM_CALIBRATION);
    } finally {
      if (bouncer != null) {
        bouncer.close(); // idempotent; here for the paths that failed before measuring
      }
    }
  }

  /** The background requests' figures; a background "page" is one background request. */
  private LabResults.Background background(Measurements.Snapshot background) {
    return new LabResults.Background(background.requests(), Measurements.percentiles(background.pageLatency()),
        background.failures(), Measurements.percentiles(background.acquireWait()),
        BootstrapInterval.p99(background.pageLatency(), scenario.seed()));
  }

  private Advisor.Input advisorInput(Load load) {
    LabResults.ServerInfo server = database.serverInfo();
    // Other sessions (and this sampler's own) take slots from the budget, as they would from the application's.
    int budget = server.maxConnections() - server.superuserReservedConnections() - baseline - 1;
    return new Advisor.Input(load.acquisitionsPerSecond(), load.meanHoldMs(), Math.max(1, budget), 1,
        scenario.nested() ? 2 : 1, scenario.users() * scenario.maxRequestsPerPage(), AUTO_TARGET_P99_WAIT_MS);
  }

  /** The load single:auto is sized from when no earlier row measured it: a short run on one pool. */
  private Load probe(ConnectionSampler sampler, PoolGroup.Connect connect) throws SQLException, InterruptedException {
    LabResults.ServerInfo server = database.serverInfo();
    int size = Math.max(1, Math.min(50, server.maxConnections() - server.superuserReservedConnections() - baseline - 2));
    Topology probe = new Topology("single:" + size, Topology.Kind.SINGLE, 1, size, 0);
    progress.note("single:auto: no earlier single-pool row to size from; probing with " + probe + " for "
        + PROBE_SECONDS + " s");
    Measured measured = measure(probe, sampler, connect, null, 1, Math.min(PROBE_SECONDS, scenario.durationSeconds()));
    return new Load(probe.text() + " (probe)", measured.acquisitionsPerSecond(), measured.meanHoldMs());
  }


  /**
   * @param snapshot the pages' measurements
   * @param background the background requests' measurements (empty without {@code --background})
   */
  private record Measured(Measurements.Snapshot snapshot, Measurements.Snapshot background, double windowSeconds,
      ConnectionSampler.Result sampled, long windowStartNanos, long seed, Long connectsFailed) {

    /** The 95 % interval of pages/s: the window's one-second slices bootstrapped ({@link BootstrapInterval#rate}). */
    LabResults.Interval pagesPerSCi() {
      if (snapshot.pages() == 0 || snapshot.pageStartsNanos().length == 0) {
        return null; // no pages, or merged from replicas whose page start times are on other clocks
      }
      int slices = BootstrapInterval.slices(windowSeconds);
      long windowNanos = Math.round(windowSeconds * 1e9);
      return BootstrapInterval.rate(snapshot.pagesPerSlice(windowStartNanos, windowNanos, slices),
          windowSeconds / slices, seed);
    }

    /** Every borrow the pool served per second, the pages' and the background requests'. */
    double acquisitionsPerSecond() {
      return (snapshot.acquisitions() + background.acquisitions()) / windowSeconds;
    }

    /** The mean hold over every borrow, the pages' and the background requests'. */
    double meanHoldMs() {
      long borrows = snapshot.acquisitions() + background.acquisitions();
      return borrows == 0 ? 0 : (snapshot.holdNanos() + background.holdNanos()) / 1e6 / borrows;
    }
  }

  /**
   * Builds the pools, runs warm-up and measured window, closes the pools (and {@code bouncer}, whose server
   * connections would otherwise stay) and waits for the server to be back at its baseline.
   */
  private Measured measure(Topology topology, ConnectionSampler sampler, PoolGroup.Connect connect,
      PgBouncerProcess bouncer, int warmupSeconds, int durationSeconds) throws SQLException, InterruptedException {
    Measurements measurements = new Measurements();
    Measurements background = new Measurements();
    PoolGroup pools = PoolGroup.open(topology, connect, Duration.ofMillis(scenario.acquireTimeoutMs()), multipleAcquisition);
    ConnectionSampler.Result sampled;
    long windowStart;
    long windowEnd;
    Long connectsFailed;
    try {
      PageLoadWorkload workload = new PageLoadWorkload(scenario, pools, measurements, background);
      sampler.start();
      long started = System.nanoTime();
      windowStart = started + Duration.ofSeconds(warmupSeconds).toNanos();
      windowEnd = windowStart + Duration.ofSeconds(durationSeconds).toNanos();
      workload.measureUntil(windowStart, windowEnd);
      sampler.window(windowStart, windowEnd);
      List<Thread> users = workload.start();
      progress.phases(windowStart, windowEnd);
      sleepUntil(windowEnd);
      Duration patience = stopPatience();
      if (!workload.stopAndJoin(users, patience)) {
        progress.note(topology + ": some users were still busy " + patience.toSeconds() + " s after the end; closing"
            + " the pools under them");
      }
      sampled = sampler.stop();
      connectsFailed = pools.connectsFailed();
    } finally {
      pools.close();
      if (bouncer != null) {
        bouncer.close();
      }
    }
    awaitBaseline(sampler);
    double windowSeconds = Math.max(0.001, (windowEnd - windowStart) / 1e9);
    return new Measured(measurements.snapshot(), background.snapshot(), windowSeconds, sampled, windowStart,
        scenario.seed(), connectsFailed);
  }

  /**
   * How long stopping the users may take: a page's borrows are each bounded by the acquire timeout (4 cover the
   * nested ones), times the tries.
   */
  private Duration stopPatience() {
    RetryPolicy retry = scenario.retryPolicy();
    return Duration.ofMillis(4L * scenario.acquireTimeoutMs()).plus(retry.interval()).multipliedBy(retry.tries())
        .plusSeconds(15);
  }

  /**
   * Runs a {@code replicas:KxN} topology: K replica JVMs measure (see {@link Replicas}), this one samples the
   * server over the same window; then {@code bouncer} is closed and the server must settle back to its baseline.
   */
  private Measured measureReplicas(Topology topology, ConnectionSampler sampler, PoolGroup.Connect connect,
      PgBouncerProcess bouncer) throws SQLException, IOException, InterruptedException {
    Replicas.Merged merged;
    ConnectionSampler.Result sampled;
    long[] window = new long[2];
    sampler.start();
    try {
      merged = Replicas.run(topology, scenario, connect, multipleAcquisition, (from, to) -> {
        sampler.window(from, to);
        progress.phases(from, to);
        window[0] = from;
        window[1] = to;
      });
    } finally {
      sampled = sampler.stop();
      if (bouncer != null) {
        bouncer.close();
      }
    }
    awaitBaseline(sampler);
    if (merged.connectsFailed() > 0) {
      progress.note(topology + ": the replicas' pools failed " + merged.connectsFailed() + " connects"
          + " (refused with 53300 when the server was full, or timed out)");
    }
    if (merged.fleetNote() != null) {
      progress.note(topology + ": " + merged.fleetNote());
    }
    double windowSeconds = Math.max(0.001, (window[1] - window[0]) / 1e9);
    return new Measured(merged.snapshot(), new Measurements().snapshot(), windowSeconds, sampled, window[0],
        scenario.seed(), merged.connectsFailed());
  }

  /** Waits (bounded) until the server has no more client connections than before the topology started. */
  private void awaitBaseline(ConnectionSampler sampler) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    int now = sampler.countNow();
    while (now > baseline && System.nanoTime() < deadline) {
      Thread.sleep(100);
      now = sampler.countNow();
    }
    if (now > baseline) {
      progress.note("the server still has " + now + " client connections (" + baseline + " before); going on");
    }
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Duration.ofNanos(Math.min(left, Duration.ofMillis(250).toNanos())));
    }
  }
}
