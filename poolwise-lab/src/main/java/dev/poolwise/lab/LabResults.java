package dev.poolwise.lab;

import dev.poolwise.lab.model.Calibration;
import dev.poolwise.lab.model.Prediction;
import java.util.List;

/**
 * Everything one {@code compare} (or {@code run}) produced; serialised as {@code results.json} with
 * snake_case keys (Jackson's SNAKE_CASE naming: {@code pagesPerS} becomes {@code pages_per_s}).
 *
 * @param server the database the run used
 * @param scenario every parameter of the scenario, including the seed
 * @param results one row per topology, in the order they ran
 * @param verdict the paragraph computed from the rows
 * @param calibration the server's parameters measured before the first row, which every row's prediction is made
 *     from; {@code null} when the calibration failed or the results predate it
 */
public record LabResults(ServerInfo server, Scenario scenario, List<TopologyResult> results, String verdict,
    Calibration calibration) {

  /** Results without a calibration. */
  public LabResults(ServerInfo server, Scenario scenario, List<TopologyResult> results, String verdict) {
    this(server, scenario, results, verdict, null);
  }

  /**
   * @param version PostgreSQL's version string ({@code server_version})
   * @param maxConnections {@code max_connections}
   * @param superuserReservedConnections {@code superuser_reserved_connections}
   * @param embedded whether the lab started the server itself
   */
  public record ServerInfo(String version, int maxConnections, int superuserReservedConnections, boolean embedded) {}

  /**
   * One topology's measurements.
   *
   * @param topology the topology as written on the command line ({@code single:20}, {@code per-module:70x5})
   * @param pool {@code "poolwise"}, or the peer library ({@code "hikari"}, {@code "agroal"}, {@code "vibur"},
   *     {@code "dbcp2"}, {@code "tomcat"})
   * @param pages pages completed (all requests answered, successfully or not)
   * @param pagesPerS pages per second over the measured window
   * @param pageLatencyMs page latency percentiles
   * @param requests API requests issued
   * @param failures failed requests by cause
   * @param acquireWaitMs time spent in {@code getConnection()}, percentiles
   * @param holdMs time between {@code getConnection()} returning and {@code close()}, percentiles
   * @param serverConnections client connections seen in {@code pg_stat_activity}, sampled
   * @param skipped {@code null}, or why the topology did not run (e.g. no pgbouncer binary)
   * @param poolCount how many pools the topology used
   * @param totalMaxConnections the sum of every pool's maximum
   * @param predictedP99WaitMs the sizing model's prediction of the p99 acquire wait for this row
   *     ({@code null} where the model does not apply, e.g. partitioned pools)
   * @param pageLatencyHistogram page latency distribution for the report's chart
   * @param acquireWaitHistogram acquire wait distribution for the report's chart
   * @param serverConnectionsTimeline server connections over time for the report's chart
   * @param pageLatencyP99CiMs the 95 % bootstrap interval of the p99 page latency (resampling the measured
   *     pages); {@code null} where there were no pages or the results predate it
   * @param background the background requests' figures ({@code --background}); {@code null} when the scenario had
   *     none
   * @param pagesPerSCi the 95 % interval of {@code pagesPerS} (a block bootstrap over one-second slices of the
   *     measured window, {@link BootstrapInterval#rate}); {@code null} where there were no pages or the results
   *     predate it
   * @param retries what the seed's retries did ({@code --retry}); {@code null} when the scenario did not retry
   * @param prediction the model's prediction for this row, made before the row ran; {@code null} without one
   * @param predictionFrom what the prediction was made from ({@code "calibration"}), {@code null} without one
   */
  public record TopologyResult(
      String topology,
      String pool,
      long pages,
      double pagesPerS,
      Percentiles pageLatencyMs,
      long requests,
      Failures failures,
      Percentiles acquireWaitMs,
      Percentiles holdMs,
      ServerConnections serverConnections,
      String skipped,
      int poolCount,
      int totalMaxConnections,
      Double predictedP99WaitMs,
      List<Bucket> pageLatencyHistogram,
      List<Bucket> acquireWaitHistogram,
      List<Sample> serverConnectionsTimeline,
      Interval pageLatencyP99CiMs,
      Background background,
      Interval pagesPerSCi,
      Retries retries,
      Prediction prediction,
      String predictionFrom,
      Long connectsFailed) {

    /** A row without noise interval of pages/s, retries or prediction (results written before they existed). */
    public TopologyResult(String topology, String pool, long pages, double pagesPerS, Percentiles pageLatencyMs,
        long requests, Failures failures, Percentiles acquireWaitMs, Percentiles holdMs,
        ServerConnections serverConnections, String skipped, int poolCount, int totalMaxConnections,
        Double predictedP99WaitMs, List<Bucket> pageLatencyHistogram, List<Bucket> acquireWaitHistogram,
        List<Sample> serverConnectionsTimeline, Interval pageLatencyP99CiMs, Background background) {
      this(topology, pool, pages, pagesPerS, pageLatencyMs, requests, failures, acquireWaitMs, holdMs,
          serverConnections, skipped, poolCount, totalMaxConnections, predictedP99WaitMs, pageLatencyHistogram,
          acquireWaitHistogram, serverConnectionsTimeline, pageLatencyP99CiMs, background, null, null, null, null,
          null);
    }

    /** This row with the model's prediction. */
    public TopologyResult withPrediction(Prediction newPrediction, String from) {
      return new TopologyResult(topology, pool, pages, pagesPerS, pageLatencyMs, requests, failures, acquireWaitMs,
          holdMs, serverConnections, skipped, poolCount, totalMaxConnections,
          newPrediction == null ? predictedP99WaitMs : Double.valueOf(newPrediction.acquireWaitMs().p99()),
          pageLatencyHistogram, acquireWaitHistogram, serverConnectionsTimeline, pageLatencyP99CiMs, background,
          pagesPerSCi, retries, newPrediction, newPrediction == null ? null : from, connectsFailed);
    }

    /** A topology that could not run, with the reason. */
    public static TopologyResult skipped(String topology, String pool, String reason) {
      return new TopologyResult(topology, pool, 0, 0, Percentiles.ZERO, 0, new Failures(0, 0, 0), Percentiles.ZERO,
          Percentiles.ZERO, new ServerConnections(0, 0), reason, 0, 0, null, List.of(), List.of(), List.of(), null,
          null, null, null, null, null, null);
    }
  }

  /**
   * The requests the users' browsers fired in the background after each page ({@code --background}): they do not
   * count toward page latency, pages, requests or the row's acquire wait and hold; their own figures are here.
   *
   * @param requests background requests fired after pages of the measured window
   * @param latencyMs from firing to the answer (the acquire wait included), percentiles
   * @param failures failed background requests by cause; a pool timeout here is a prefetch that got no connection
   *     (in a {@code +lane:K} topology: none within the lane's cap) within the acquire timeout
   * @param acquireWaitMs time the background requests' borrows spent in {@code getConnection()}
   * @param latencyP99CiMs the 95 % bootstrap interval of {@code latencyMs.p99}
   */
  public record Background(long requests, Percentiles latencyMs, Failures failures, Percentiles acquireWaitMs,
      Interval latencyP99CiMs) {}

  /**
   * The page requests' retries ({@code --retry}, the seed's {@code executeWithRetry}): a request whose connection did
   * not come within the acquire timeout tried again, after the interval. Background requests are not retried.
   *
   * @param retries tries after the first, over all requests
   * @param retriedRequests requests that tried more than once
   * @param succeededOnRetry retried requests that succeeded on a later try
   * @param failedAfterAllTries requests that timed out on every try (also counted in {@code failures.pool_timeout})
   */
  public record Retries(long retries, long retriedRequests, long succeededOnRetry, long failedAfterAllTries) {}

  /** A 95 % confidence interval, in the unit of the figure it belongs to (ms, or pages/s). */
  public record Interval(double low, double high) {

    /** True when the two intervals share no value. */
    public boolean disjointFrom(Interval other) {
      return high < other.low || other.high < low;
    }
  }

  /** Milliseconds. {@code hold_ms} in the JSON contract needs only p50 and p99; all four are written. */
  public record Percentiles(double p50, double p95, double p99, double max) {
    public static final Percentiles ZERO = new Percentiles(0, 0, 0, 0);
  }

  /**
   * @param poolTimeout requests that failed because no connection came within the acquire timeout
   * @param tooManyClients requests that failed because the server refused a connection (53300)
   * @param other any other failure
   * @param poolLocked requests that failed because the pool locked itself: every connection held by a thread
   *     waiting for a second one (Poolwise's {@code PoolLockedException}); last so that the older keys keep
   *     their order in results.json
   */
  public record Failures(long poolTimeout, long tooManyClients, long other, long poolLocked) {
    /** Failures without pool locking (results.json files written before {@code pool_locked} existed read as 0). */
    public Failures(long poolTimeout, long tooManyClients, long other) {
      this(poolTimeout, tooManyClients, other, 0);
    }

    public long total() {
      return poolTimeout + tooManyClients + other + poolLocked;
    }
  }

  public record ServerConnections(int peak, double mean) {}

  /** Events with a value up to {@code upToMs} (and above the previous bucket's bound). */
  public record Bucket(double upToMs, long count) {}

  /** Server connections at {@code atMs} milliseconds after the topology started. */
  public record Sample(long atMs, int connections) {}
}
