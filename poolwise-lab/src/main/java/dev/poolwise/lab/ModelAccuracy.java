package dev.poolwise.lab;

import dev.poolwise.lab.LabResults.TopologyResult;
import dev.poolwise.lab.model.Calibration;
import dev.poolwise.lab.model.PageLoadSimulation;
import dev.poolwise.lab.model.Prediction;
import dev.poolwise.lab.model.ServerModel;
import dev.poolwise.lab.model.Workload;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Predicted against measured, row by row, with the error of each figure: the HTML report's model section and the
 * tables of docs/model.md ({@code java -cp poolwise-lab/target/poolwise-lab.jar dev.poolwise.lab.ModelAccuracy
 * results.json…} prints them as Markdown). The targets are the issue's: page p99 within 25 %, pages/s within 15 %,
 * p99 acquire wait within 30 % or 3 ms, 53300 refusals within 30 % (or both zero), connection peak within 15 %.
 */
public final class ModelAccuracy {

  static final double PAGES_TOLERANCE = 0.15;
  static final double PAGE_P99_TOLERANCE = 0.25;
  static final double WAIT_TOLERANCE = 0.30;
  static final double WAIT_TOLERANCE_MS = 3;
  static final double REFUSALS_TOLERANCE = 0.30;
  static final double PEAK_TOLERANCE = 0.15;

  private ModelAccuracy() {}

  /** One figure: predicted, measured, and whether the prediction met its target. */
  record Figure(double predicted, double measured, boolean withinTarget, String error) {}

  /** The five compared figures of a row with a prediction. */
  record Row(String topology, Figure pagesPerS, Figure pageP99, Figure waitP99, Figure refusals, Figure peak) {

    boolean allWithinTarget() {
      return pagesPerS.withinTarget && pageP99.withinTarget && waitP99.withinTarget && refusals.withinTarget
          && peak.withinTarget;
    }
  }

  static List<Row> rows(LabResults results) {
    List<Row> rows = new ArrayList<>();
    for (TopologyResult r : results.results()) {
      Prediction p = r.prediction();
      if (r.skipped() != null || p == null) {
        continue;
      }
      rows.add(new Row(r.topology(),
          relative(p.pagesPerS(), r.pagesPerS(), PAGES_TOLERANCE, 0),
          relative(p.pageLatencyMs().p99(), r.pageLatencyMs().p99(), PAGE_P99_TOLERANCE, 0),
          relative(p.acquireWaitMs().p99(), r.acquireWaitMs().p99(), WAIT_TOLERANCE, WAIT_TOLERANCE_MS),
          relative(p.failures().tooManyClients(), r.failures().tooManyClients(), REFUSALS_TOLERANCE, 0),
          relative(p.serverConnectionsPeak(), r.serverConnections().peak(), PEAK_TOLERANCE, 0)));
    }
    return rows;
  }

  private static Figure relative(double predicted, double measured, double tolerance, double absoluteMs) {
    double difference = predicted - measured;
    boolean within = Math.abs(difference) <= Math.max(absoluteMs, tolerance * Math.abs(measured));
    String error = measured == 0 ? (predicted == 0 ? "0" : "+" + Figures.rate(predicted))
        : String.format(Locale.ROOT, "%+.0f %%", 100 * difference / measured);
    return new Figure(predicted, measured, within, error);
  }

  /** The comparison as a Markdown table (docs/model.md), with the run's calibration and load above it. */
  static String markdown(LabResults results) {
    StringBuilder s = new StringBuilder();
    Calibration c = results.calibration();
    if (c != null) {
      s.append(String.format(Locale.ROOT, "Calibration: %.2f effective cores, connection setup %.1f ms, %.1f s;"
          + " load average %.2f when calibrating.%n%n", c.effectiveParallelism(), c.connectionSetupMs(), c.seconds(),
          c.loadAverage()));
    }
    s.append("| row | pages/s pred / meas (err) | p99 page ms pred / meas (err) | p99 wait ms pred / meas (err)"
        + " | 53300 pred / meas | conns peak pred / meas | all within target |\n");
    s.append("|---|---:|---:|---:|---:|---:|:---:|\n");
    for (Row row : rows(results)) {
      s.append("| ").append(row.topology()).append(" | ")
          .append(cell(row.pagesPerS(), false)).append(" | ")
          .append(cell(row.pageP99(), true)).append(" | ")
          .append(cell(row.waitP99(), true)).append(" | ")
          .append(count(row.refusals())).append(" | ")
          .append(count(row.peak())).append(" | ")
          .append(row.allWithinTarget() ? "yes" : "no").append(" |\n");
    }
    return s.toString();
  }

  private static String cell(Figure f, boolean ms) {
    String predicted = ms ? Figures.ms(f.predicted()) : Figures.rate(f.predicted());
    String measured = ms ? Figures.ms(f.measured()) : Figures.rate(f.measured());
    return predicted + " / " + measured + " (" + f.error() + (f.withinTarget() ? "" : " ✗") + ")";
  }

  private static String count(Figure f) {
    return Figures.count(Math.round(f.predicted())) + " / " + Figures.count(Math.round(f.measured()))
        + (f.withinTarget() ? "" : " ✗");
  }

  /** The report's model section: predicted against measured, or nothing when no row has a prediction. */
  static String html(LabResults results) {
    List<Row> rows = rows(results);
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder t = new StringBuilder("""
        <h2>The model: predicted before each row ran, against what the row measured</h2>
        <div class="table-wrap"><table class="results model">
        <thead><tr><th class="text">topology</th><th>pages/s</th><th>p99 page latency (ms)</th>\
        <th>p99 acquire wait (ms)</th><th>53300 refusals</th><th>server connections peak</th></tr>
        <tr><th></th><th>predicted / measured (error)</th><th>predicted / measured (error)</th>\
        <th>predicted / measured (error)</th><th>predicted / measured</th><th>predicted / measured</th></tr></thead>
        <tbody>
        """);
    for (Row row : rows) {
      t.append("<tr><td class=\"text topology\">").append(HtmlReport.html(row.topology())).append("</td>")
          .append(td(cell(row.pagesPerS(), false), row.pagesPerS()))
          .append(td(cell(row.pageP99(), true), row.pageP99()))
          .append(td(cell(row.waitP99(), true), row.waitP99()))
          .append(td(count(row.refusals()), row.refusals()))
          .append(td(count(row.peak()), row.peak()))
          .append("</tr>\n");
    }
    t.append("</tbody></table></div>\n<p class=\"legend\">");
    Calibration c = results.calibration();
    if (c != null) {
      t.append(HtmlReport.html(String.format(Locale.ROOT, "Calibrated once before the first row in %.1f s: %.2f"
              + " effective cores, connection setup %.1f ms, list query %.2f ms and task by id %.2f ms alone; load"
              + " average %.2f. ", c.seconds(), c.effectiveParallelism(), c.connectionSetupMs(),
          c.serviceDemandMs().getOrDefault(dev.poolwise.lab.model.QueryKind.TASK_LIST, Double.NaN),
          c.serviceDemandMs().getOrDefault(dev.poolwise.lab.model.QueryKind.TASK_BY_ID, Double.NaN),
          c.loadAverage())));
    }
    t.append("✗ marks a figure outside its target (pages/s ±15 %, p99 page ±25 %, p99 wait ±30 % or ±3 ms,"
        + " refusals ±30 %, peak ±15 %); see docs/model.md.</p>\n");
    return t.toString();
  }

  private static String td(String text, Figure f) {
    return (f.withinTarget() ? "<td>" : "<td class=\"failed\">") + HtmlReport.html(text) + "</td>";
  }

  /**
   * The same results with every row's prediction made again by today's model from the file's own calibration (the
   * row's measurement still unseen): how a change to the model would have done on runs already measured.
   */
  static LabResults repredicted(LabResults results) {
    Calibration c = results.calibration();
    if (c == null) {
      return results;
    }
    ServerModel server = c.serverModel();
    Workload workload = Workload.of(results.scenario());
    List<TopologyResult> rows = new ArrayList<>();
    for (TopologyResult r : results.results()) {
      if (r.skipped() != null || r.prediction() == null) {
        rows.add(r);
        continue;
      }
      Topology topology = Topology.parse(r.topology());
      if (topology.auto()) {
        topology = topology.withSize(Math.max(1, r.totalMaxConnections() / Math.max(1, r.poolCount())));
      }
      Prediction p = PageLoadSimulation.predict(workload, Predictions.layout(topology, server.connectionLimit()),
          Predictions.server(topology, server));
      rows.add(r.withPrediction(p, r.predictionFrom()));
    }
    return new LabResults(results.server(), results.scenario(), rows, results.verdict(), c);
  }

  /**
   * Prints the Markdown comparison of each results.json given; {@code --repredict} first makes every prediction
   * again with today's model from the file's calibration.
   */
  public static void main(String[] args) throws IOException {
    boolean repredict = false;
    for (String arg : args) {
      if (arg.equals("--repredict")) {
        repredict = true;
        continue;
      }
      LabResults results = Reports.readJson(Path.of(arg));
      System.out.println("### " + arg + (repredict ? " (predictions made again by today's model)" : "") + "\n");
      System.out.println(markdown(repredict ? repredicted(results) : results));
    }
  }
}
