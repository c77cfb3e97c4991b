package dev.poolwise.lab.model;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures a {@link Calibration} on a live server, in a few seconds: how long opening a connection takes, each
 * query kind's service demand alone (one connection, back to back), and the effective cores from a short
 * concurrency sweep of the scenario's query mix (1, 2, 4, … 32 connections at once, the work they finish per unit
 * of time against one connection's alone). What runs on the connections
 * is the caller's ({@link Probe}): the lab's real queries on PostgreSQL, or anything on the stub driver.
 */
public final class Calibrator {

  /*
   * Concurrency: the sweep runs one platform thread per connection; they take their kinds from one shared
   * AtomicLong sequence, count their queries into adders and stop at their own deadline; the caller's thread waits
   * on a latch. No state outlives a call.
   * Failure modes: any SQLException in a probe aborts the calibration with it (the caller then runs without
   * predictions); every opened session is closed on every path.
   */

  /** One connection to calibrate on: runs a query of the given kind and waits for its rows. */
  public interface Session extends AutoCloseable {
    void run(QueryKind kind) throws SQLException;

    @Override
    void close() throws SQLException;
  }

  /** Opens sessions; the time {@link #open} takes is the connection setup cost. */
  public interface Probe {
    Session open() throws SQLException;
  }

  /**
   * How long each step runs.
   *
   * @param perKind back-to-back runs of one kind, alone (at least {@link #MIN_RUNS_ALONE} runs)
   * @param perSweepLevel the mix on N connections at once
   * @param connectionsToTime connections opened one after the other for the setup cost
   * @param sweepLevels connection counts of the sweep, ascending, starting at 1
   * @param warmUp the mix on a few connections first, not measured: the driver's code compiled as in the rows
   */
  public record Budget(Duration perKind, Duration perSweepLevel, int connectionsToTime, int[] sweepLevels,
      Duration warmUp) {

    /** A budget with a warm-up as long as one sweep level. */
    public Budget(Duration perKind, Duration perSweepLevel, int connectionsToTime, int[] sweepLevels) {
      this(perKind, perSweepLevel, connectionsToTime, sweepLevels, perSweepLevel);
    }


    /**
     * About ten seconds: short enough for every compare. The sweep goes to 32 connections because the lab's pools
     * run 20 to 50 queries at once, and a server that gives 2 cores to 4 queries may give 1.6 to 32.
     */
    public static final Budget DEFAULT = new Budget(Duration.ofMillis(300), Duration.ofMillis(700), 6,
        new int[] {1, 2, 4, 8, 16, 32}, Duration.ofMillis(2500));
  }

  /**
   * The fewest runs a kind's demand alone is averaged over, however long they take: the slow report's aggregate
   * (about 50 ms here) ran only five or six times in 300 ms, and its mean moved by a third from one run to the next.
   */
  static final int MIN_RUNS_ALONE = 10;

  /** Connections the warm-up runs the mix on. */
  private static final int WARM_UP_CONNECTIONS = 4;

  private Calibrator() {}

  /**
   * Calibrates.
   *
   * @param mix each kind's share of the scenario's queries (for the sweep); need not sum to 1
   * @param connectionLimit connections the workload may open (not measured here: the caller reads it from the
   *     server's settings)
   */
  public static Calibration calibrate(Probe probe, Map<QueryKind, Double> mix, int connectionLimit, Budget budget)
      throws SQLException, InterruptedException {
    long started = System.nanoTime();
    double loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    double setupMs = connectionSetupMs(probe, budget.connectionsToTime());
    // Warm the client first: the rows run on a JVM whose driver code is compiled, and the calibration is the
    // first thing this JVM does with it. Measured cold, the demands and the sweep came out as low as half of what
    // the same queries cost once compiled, and the model predicted 20-30 % fewer pages than the rows served.
    throughput(probe, mix, Map.of(), Math.min(WARM_UP_CONNECTIONS, Math.max(1, connectionLimit)),
        budget.warmUp());
    Map<QueryKind, Double> demands = new EnumMap<>(QueryKind.class);
    Map<QueryKind, Double> clientCpu = new EnumMap<>(QueryKind.class);
    try (Session session = probe.open()) {
      for (QueryKind kind : QueryKind.values()) {
        session.run(kind); // warm: plan cache, buffers
        session.run(kind);
      }
      for (QueryKind kind : QueryKind.values()) {
        Alone alone = alone(session, kind, budget.perKind());
        demands.put(kind, round(alone.wallMs()));
        if (alone.clientCpuMs() >= 0) {
          clientCpu.put(kind, round(Math.min(alone.clientCpuMs(), alone.wallMs())));
        }
      }
      if (clientCpu.size() != demands.size()) {
        clientCpu.clear(); // no thread CPU time on this JVM: the client is not modelled apart
      }
    }
    List<Calibration.SweepPoint> sweep = new ArrayList<>();
    for (int connections : budget.sweepLevels()) {
      if (connections > connectionLimit && !sweep.isEmpty()) {
        break; // the server would refuse them
      }
      Throughput measured = throughput(probe, mix, demands, connections, budget.perSweepLevel());
      sweep.add(new Calibration.SweepPoint(connections, round(measured.queriesPerS()),
          round(Math.min(connections, measured.effectiveCores())), measured.meanMs(), measured.counts()));
    }
    double best = 1;
    for (Calibration.SweepPoint point : sweep) {
      best = Math.max(best, point.effectiveCores());
    }
    return new Calibration(demands, round(best), round(setupMs), connectionLimit, sweep,
        round((System.nanoTime() - started) / 1e9), round(loadAverage), clientCpu,
        Runtime.getRuntime().availableProcessors(), 0);
  }

  /** The mix of the page-load scenario's queries: lookups, list share, slow share, the three short kinds. */
  public static Map<QueryKind, Double> mixOf(dev.poolwise.lab.Scenario scenario) {
    double queries = (scenario.minQueriesPerRequest() + scenario.maxQueriesPerRequest()) / 2.0;
    double lookups = scenario.cacheMissProbability();
    double shortShare = Math.max(0, 1 - scenario.listQueryShare() - scenario.slowQueryShare()) / 3;
    Map<QueryKind, Double> mix = new EnumMap<>(QueryKind.class);
    mix.put(QueryKind.USER_BY_ID, lookups);
    mix.put(QueryKind.ORGANIZATION_BY_ID, lookups);
    mix.put(QueryKind.TASK_LIST, queries * scenario.listQueryShare());
    mix.put(QueryKind.ACTIVITY_REPORT, queries * scenario.slowQueryShare());
    mix.put(QueryKind.TASK_BY_ID, queries * shortShare);
    mix.put(QueryKind.TASKS_OF_PROJECT, queries * shortShare);
    mix.put(QueryKind.COMMENTS_OF_TASK, queries * shortShare);
    return mix;
  }

  private static double connectionSetupMs(Probe probe, int count) throws SQLException {
    double[] times = new double[Math.max(1, count)];
    for (int i = 0; i < times.length; i++) {
      long start = System.nanoTime();
      Session session = probe.open();
      times[i] = (System.nanoTime() - start) / 1e6;
      session.close();
    }
    Arrays.sort(times);
    return times[times.length / 2];
  }

  /** One kind run alone: mean wall time per query and mean CPU time of the calling thread (-1: not available). */
  private record Alone(double wallMs, double clientCpuMs) {}

  private static Alone alone(Session session, QueryKind kind, Duration budget) throws SQLException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean cpuTime = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
    long cpuStart = cpuTime ? threads.getCurrentThreadCpuTime() : 0;
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    int runs = 0;
    do {
      session.run(kind);
      runs++;
    } while (System.nanoTime() < deadline || runs < MIN_RUNS_ALONE);
    double wallMs = (System.nanoTime() - start) / 1e6 / runs;
    double cpuMs = cpuTime ? (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6 / runs : -1;
    return new Alone(wallMs, cpuMs);
  }

  /**
   * A sweep level's outcome: queries per second, service demand finished per unit of time, and each kind's mean
   * latency and count (kinds that ran).
   */
  private record Throughput(double queriesPerS, double effectiveCores, Map<QueryKind, Double> meanMs,
      Map<QueryKind, Long> counts) {}

  /**
   * The golden ratio's fractional part: the n-th query of a sweep level takes the kind at {@code frac(n * GOLDEN)} of
   * the mix's cumulative shares. That sequence is spread evenly over [0, 1) at every length, so after n queries each
   * kind has run within a few of its share of n. Drawn at random, the slow report (1 % of a default page's queries,
   * about half of a level's work) runs some 11 times in a level give or take 3 by chance alone, which moves the
   * level's cores by about ±15 %.
   */
  static final double GOLDEN = 0.6180339887498949;

  /**
   * The mix on {@code connections} connections running back to back: each thread starts queries until the level's
   * time is up and finishes its last one; the level lasts until the last thread is done, and every query counts
   * whole. The drain at the end (fewer and fewer queries running, each faster) is part of what the model's capacity
   * curve was fitted to: counting only the work inside a fixed window (the in-flight queries prorated) measured
   * about half the cores at 32 connections, and the model then predicted 35-50 % fewer pages/s than every row of a
   * default compare served (docs/model.md).
   */
  private static Throughput throughput(Probe probe, Map<QueryKind, Double> mix, Map<QueryKind, Double> demands,
      int connections, Duration duration) throws SQLException, InterruptedException {
    QueryKind[] kinds = QueryKind.values();
    double[] cumulative = new double[kinds.length];
    double sum = 0;
    for (int i = 0; i < kinds.length; i++) {
      sum += Math.max(0, mix.getOrDefault(kinds[i], 0.0));
      cumulative[i] = sum;
    }
    if (!(sum > 0)) {
      throw new IllegalArgumentException("the query mix is empty: " + mix);
    }
    List<Session> sessions = new ArrayList<>();
    try {
      for (int i = 0; i < connections; i++) {
        sessions.add(probe.open());
      }
      AtomicLong sequence = new AtomicLong();
      LongAdder done = new LongAdder();
      DoubleAdder work = new DoubleAdder();
      LongAdder[] perKind = new LongAdder[kinds.length];
      DoubleAdder[] latencyMs = new DoubleAdder[kinds.length];
      for (int i = 0; i < kinds.length; i++) {
        perKind[i] = new LongAdder();
        latencyMs[i] = new DoubleAdder();
      }
      AtomicReference<SQLException> failure = new AtomicReference<>();
      CountDownLatch ready = new CountDownLatch(connections);
      CountDownLatch finished = new CountDownLatch(connections);
      long[] window = new long[2];
      double total = sum;
      for (int i = 0; i < connections; i++) {
        Session session = sessions.get(i);
        Thread.ofPlatform().name("poolwise-calibration-" + (i + 1)).start(() -> {
          ready.countDown();
          try {
            ready.await();
            long deadline = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < deadline && failure.get() == null) {
              double draw = (sequence.incrementAndGet() * GOLDEN) % 1.0 * total;
              int k = 0;
              while (k < kinds.length - 1 && draw >= cumulative[k]) {
                k++;
              }
              long queryStart = System.nanoTime();
              session.run(kinds[k]);
              latencyMs[k].add((System.nanoTime() - queryStart) / 1e6);
              perKind[k].increment();
              done.increment();
              work.add(demands.getOrDefault(kinds[k], 0.0));
            }
          } catch (SQLException e) {
            failure.compareAndSet(null, e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            finished.countDown();
          }
        });
      }
      ready.await();
      window[0] = System.nanoTime();
      finished.await();
      window[1] = System.nanoTime();
      if (failure.get() != null) {
        throw failure.get();
      }
      double elapsedMs = (window[1] - window[0]) / 1e6;
      Map<QueryKind, Double> meanMs = new EnumMap<>(QueryKind.class);
      Map<QueryKind, Long> counts = new EnumMap<>(QueryKind.class);
      for (int i = 0; i < kinds.length; i++) {
        long count = perKind[i].sum();
        if (count > 0) {
          counts.put(kinds[i], count);
          meanMs.put(kinds[i], round(latencyMs[i].sum() / count));
        }
      }
      return new Throughput(done.sum() / (elapsedMs / 1e3), work.sum() / elapsedMs, meanMs, counts);
    } finally {
      SQLException closing = null;
      for (Session session : sessions) {
        try {
          session.close();
        } catch (SQLException e) {
          closing = e;
        }
      }
      if (closing != null) {
        throw closing;
      }
    }
  }

  static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }
}
