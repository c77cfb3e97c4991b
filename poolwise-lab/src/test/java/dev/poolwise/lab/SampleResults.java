package dev.poolwise.lab;

import dev.poolwise.lab.LabResults.Bucket;
import dev.poolwise.lab.LabResults.Failures;
import dev.poolwise.lab.LabResults.Percentiles;
import dev.poolwise.lab.LabResults.Sample;
import dev.poolwise.lab.LabResults.ServerConnections;
import dev.poolwise.lab.LabResults.ServerInfo;
import dev.poolwise.lab.LabResults.TopologyResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Plausible, made-up lab results for tests of anything that renders or reads them: {@link #typical()} is a
 * default {@code compare} on a 2-core machine against the embedded PostgreSQL (the seven default topologies,
 * PgBouncer skipped), with histograms and timelines consistent with each row's percentiles. {@link #row}
 * builds a single row with sensible defaults for tests that need particular numbers.
 *
 * <p>None of these numbers were measured; {@code docs/lab.md} carries a real run.
 */
final class SampleResults {

  static final ServerInfo SERVER = new ServerInfo("14.22", 100, 3, true);

  static final Scenario SCENARIO = new Scenario(200, 30, 5, 8, 12, 1, 3, 0.2, 0.3, 0.01, 250, 70, 2000, false, 0, 42L);

  private SampleResults() {}

  /** The seven default topologies plus a skipped PgBouncer row, verdict computed. */
  static LabResults typical() {
    List<TopologyResult> rows = List.of(
        row("single:20").pagesPerS(38.5).latency(180, 420, 640, 1250).requests(11_550)
            .acquire(3.1, 95, 410).hold(4.2, 38).server(20, 19.2).sized(1, 20).predicted(88.0).build(),
        row("single:50").pagesPerS(39.1).latency(176, 405, 612, 1390).requests(11_730)
            .acquire(0.08, 12, 160).hold(9.8, 81).server(50, 41.3).sized(1, 50).predicted(4.0).build(),
        row("partitioned:3x12").pagesPerS(33.0).latency(205, 610, 980, 2210).requests(9_900)
            .acquire(6.4, 310, 1240).hold(5.1, 44).server(36, 33.4).sized(3, 36).build(),
        row("per-module:70x5").pagesPerS(29.4).latency(240, 1810, 2950, 6120).requests(8_820)
            .failures(12, 1_234, 0).acquire(0.4, 40, 2000).hold(6.3, 55).server(97, 88.6).sized(70, 350).build(),
        row("hikari:20").pool("hikari").pagesPerS(37.9).latency(183, 431, 655, 1310).requests(11_370)
            .acquire(3.4, 99, 455).hold(4.3, 39).server(20, 19.3).sized(1, 20).build(),
        row("hikari:50").pool("hikari").pagesPerS(38.8).latency(178, 409, 620, 1420).requests(11_640)
            .acquire(0.09, 13, 170).hold(9.9, 83).server(50, 41.0).sized(1, 50).build(),
        row("single:auto").pagesPerS(38.9).latency(178, 411, 618, 1280).requests(11_670)
            .acquire(1.2, 36, 280).hold(5.0, 45).server(24, 22.8).sized(1, 24).predicted(41.0).build(),
        TopologyResult.skipped("pgbouncer:4x20/20", "poolwise", "pgbouncer is not installed (no pgbouncer on PATH)"));
    return withVerdict(rows);
  }

  /** Wraps rows with the sample server and scenario and computes the verdict. */
  static LabResults withVerdict(List<TopologyResult> rows) {
    LabResults results = new LabResults(SERVER, SCENARIO, rows, null);
    return new LabResults(SERVER, SCENARIO, rows, Reports.verdict(results));
  }

  /** The rows with the sample server and scenario, verdict left null. */
  static LabResults of(TopologyResult... rows) {
    return new LabResults(SERVER, SCENARIO, List.of(rows), null);
  }

  static Row row(String topology) {
    return new Row(topology);
  }

  /** A row with defaults that describe a healthy single:20 run; every figure can be overridden. */
  static final class Row {
    private final String topology;
    private String pool = "poolwise";
    private double pagesPerS = 38;
    private Percentiles latency = new Percentiles(180, 420, 640, 1250);
    private long requests = 11_000;
    private Failures failures = new Failures(0, 0, 0);
    private Percentiles acquire = new Percentiles(2, 0, 60, 300);
    private Percentiles hold = new Percentiles(4, 0, 40, 200);
    private ServerConnections server = new ServerConnections(20, 19);
    private int poolCount = 1;
    private int total = 20;
    private Double predicted;
    private boolean histograms = true;
    private LabResults.Interval p99Interval;
    private LabResults.Interval pagesInterval;
    private LabResults.Retries retries;
    private LabResults.Background background;

    private Row(String topology) {
      this.topology = topology;
    }

    Row pool(String pool) { this.pool = pool; return this; }
    Row pagesPerS(double value) { this.pagesPerS = value; return this; }
    Row latency(double p50, double p95, double p99, double max) {
      this.latency = new Percentiles(p50, p95, p99, max);
      return this;
    }
    Row requests(long value) { this.requests = value; return this; }
    Row failures(long poolTimeout, long tooManyClients, long other) {
      this.failures = new Failures(poolTimeout, tooManyClients, other);
      return this;
    }
    Row acquire(double p50, double p99, double max) {
      this.acquire = new Percentiles(p50, (p50 + p99) / 2, p99, max);
      return this;
    }
    Row hold(double p50, double p99) {
      this.hold = new Percentiles(p50, (p50 + p99) / 2, p99, p99 * 3);
      return this;
    }
    Row server(int peak, double mean) { this.server = new ServerConnections(peak, mean); return this; }
    Row sized(int pools, int totalMaxConnections) {
      this.poolCount = pools;
      this.total = totalMaxConnections;
      return this;
    }
    Row predicted(Double p99WaitMs) { this.predicted = p99WaitMs; return this; }
    Row withoutHistograms() { this.histograms = false; return this; }
    Row p99Interval(double low, double high) { this.p99Interval = new LabResults.Interval(low, high); return this; }
    Row pagesInterval(double low, double high) { this.pagesInterval = new LabResults.Interval(low, high); return this; }
    Row retries(long retries, long retried, long succeeded, long failedAfterAllTries) {
      this.retries = new LabResults.Retries(retries, retried, succeeded, failedAfterAllTries);
      return this;
    }
    /** Background requests: latency p50 / p99 with the p99's interval, and failed ones (pool timeouts). */
    Row background(long requests, double p50, double p99, double low, double high, long poolTimeouts) {
      this.background = new LabResults.Background(requests, new Percentiles(p50, (p50 + p99) / 2, p99, p99 * 1.5),
          new Failures(poolTimeouts, 0, 0), new Percentiles(1, 5, 20, 60), new LabResults.Interval(low, high));
      return this;
    }

    TopologyResult build() {
      long pages = Math.round(pagesPerS * SCENARIO.durationSeconds());
      return new TopologyResult(topology, pool, pages, pagesPerS, latency, requests, failures, acquire, hold, server,
          null, poolCount, total, predicted,
          histograms ? histogram(latency, pages, 1.0) : List.of(),
          histograms ? histogram(acquire, requests * 2, 0.01) : List.of(),
          histograms ? timeline(server, topology.hashCode()) : List.of(), p99Interval, background, pagesInterval,
          retries, null, null, null);
    }
  }

  /**
   * Buckets on a 1.25× log scale whose cumulative counts pass through the percentiles: the distribution
   * function is interpolated in log space through (0, p50/4), (0.5, p50), (0.95, p95), (0.99, p99), (1, max).
   */
  static List<Bucket> histogram(Percentiles p, long events, double firstBound) {
    double low = Math.max(p.p50() / 4, firstBound / 2);
    double[] quantiles = {0, 0.5, 0.95, 0.99, 1};
    double[] values = {low, Math.max(p.p50(), low), Math.max(p.p95(), p.p50()), Math.max(p.p99(), p.p95()),
        Math.max(p.max(), p.p99())};
    List<Bucket> buckets = new ArrayList<>();
    long counted = 0;
    for (double bound = firstBound; counted < events; bound *= 1.25) {
      long cumulative = Math.round(events * cdf(bound, quantiles, values));
      if (bound >= values[4]) {
        cumulative = events;
      }
      buckets.add(new Bucket(Math.round(bound * 1000) / 1000.0, cumulative - counted));
      counted = cumulative;
    }
    return buckets;
  }

  private static double cdf(double x, double[] quantiles, double[] values) {
    if (x <= values[0]) {
      return 0;
    }
    for (int i = 1; i < values.length; i++) {
      if (x <= values[i]) {
        double span = Math.log(values[i]) - Math.log(values[i - 1]);
        double at = span == 0 ? 1 : (Math.log(x) - Math.log(values[i - 1])) / span;
        return quantiles[i - 1] + at * (quantiles[i] - quantiles[i - 1]);
      }
    }
    return 1;
  }

  /** Samples every 500 ms: a ramp over the first two seconds, then noise around the mean, touching the peak once. */
  static List<Sample> timeline(ServerConnections server, long seed) {
    Random random = new Random(seed);
    List<Sample> samples = new ArrayList<>();
    int count = (SCENARIO.warmupSeconds() + SCENARIO.durationSeconds()) * 2;
    for (int i = 0; i <= count; i++) {
      double ramp = Math.min(1, i / 4.0);
      double spread = Math.max(1, server.peak() - server.mean());
      int value = (int) Math.round(ramp * (server.mean() + (random.nextDouble() * 2 - 1) * spread));
      value = Math.max(0, Math.min(server.peak(), value));
      if (i == count / 2) {
        value = server.peak();
      }
      samples.add(new Sample(i * 500L, value));
    }
    return samples;
  }
}
