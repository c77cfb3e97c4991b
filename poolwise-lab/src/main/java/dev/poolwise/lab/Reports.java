package dev.poolwise.lab;

import dev.poolwise.lab.LabResults.Background;
import dev.poolwise.lab.LabResults.Failures;
import dev.poolwise.lab.LabResults.Percentiles;
import dev.poolwise.lab.LabResults.ServerConnections;
import dev.poolwise.lab.LabResults.TopologyResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a lab run prints and writes: the terminal table, {@code results.json}, {@code report.html} and the
 * verdict paragraph. Each is computed from {@link LabResults} alone, so a report can be regenerated from a
 * saved {@code results.json} ({@link #readJson}).
 *
 * <p>Where the results carry no verdict (null or blank), the one computed by {@link #verdict} is used. Rows
 * with missing parts (a null percentile block, a null histogram) render as zeros and empty charts rather than
 * failing: a report that crashes after a five-minute run loses the run.
 *
 * @see Verdict the sentences and the thresholds behind them
 * @see TerminalTable the table's columns
 * @see HtmlReport the page and its charts
 */
final class Reports {

  private Reports() {}

  /** The verdict paragraph, computed from the rows' numbers. */
  static String verdict(LabResults results) {
    return Verdict.of(complete(results));
  }

  /** The terminal table (one row per topology) followed by the verdict. */
  static String table(LabResults results) {
    LabResults complete = withVerdict(complete(results));
    return TerminalTable.render(complete, complete.verdict());
  }

  /** {@code results.json} with the contract's snake_case keys. */
  static void writeJson(LabResults results, Path file) throws IOException {
    ResultsJson.write(withVerdict(complete(results)), file);
  }

  /** Reads a {@code results.json} written by {@link #writeJson} (unknown keys are ignored). */
  static LabResults readJson(Path file) throws IOException {
    return complete(ResultsJson.read(file));
  }

  /** {@code report.html}: self-contained (no CDN), charts inlined. */
  static void writeHtml(LabResults results, Path file) throws IOException {
    HtmlReport.write(withVerdict(complete(results)), file);
  }

  /* --- Tolerating incomplete results --- */

  static LabResults withVerdict(LabResults results) {
    if (results.verdict() != null && !results.verdict().isBlank()) {
      return results;
    }
    return new LabResults(results.server(), results.scenario(), results.results(), Verdict.of(results),
        results.calibration());
  }

  /** The results with every null part of a row replaced by zeros or an empty list. */
  static LabResults complete(LabResults results) {
    List<TopologyResult> rows = results.results() == null ? List.of()
        : results.results().stream().filter(r -> r != null).map(Reports::complete).toList();
    return new LabResults(results.server(), results.scenario(), rows, results.verdict(), results.calibration());
  }

  private static TopologyResult complete(TopologyResult r) {
    return new TopologyResult(
        r.topology() == null ? "(unnamed)" : r.topology(),
        r.pool(),
        r.pages(),
        r.pagesPerS(),
        orZero(r.pageLatencyMs()),
        r.requests(),
        r.failures() == null ? new Failures(0, 0, 0) : r.failures(),
        orZero(r.acquireWaitMs()),
        orZero(r.holdMs()),
        r.serverConnections() == null ? new ServerConnections(0, 0) : r.serverConnections(),
        r.skipped(),
        r.poolCount(),
        r.totalMaxConnections(),
        r.predictedP99WaitMs(),
        r.pageLatencyHistogram() == null ? List.of() : r.pageLatencyHistogram(),
        r.acquireWaitHistogram() == null ? List.of() : r.acquireWaitHistogram(),
        r.serverConnectionsTimeline() == null ? List.of() : r.serverConnectionsTimeline(),
        r.pageLatencyP99CiMs(),
        complete(r.background()),
        r.pagesPerSCi(),
        r.retries(),
        r.prediction(),
        r.predictionFrom(),
        r.connectsFailed());
  }

  private static Background complete(Background b) {
    if (b == null) {
      return null;
    }
    return new Background(b.requests(), orZero(b.latencyMs()), b.failures() == null ? new Failures(0, 0, 0)
        : b.failures(), orZero(b.acquireWaitMs()), b.latencyP99CiMs());
  }

  private static Percentiles orZero(Percentiles p) {
    return p == null ? Percentiles.ZERO : p;
  }
}
