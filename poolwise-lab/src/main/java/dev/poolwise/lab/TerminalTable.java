package dev.poolwise.lab;

import dev.poolwise.lab.LabResults.TopologyResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The terminal table: one row per topology under grouped column headers, numbers right-aligned, a skipped
 * topology's reason in place of its numbers; then the verdict, wrapped. About 155 columns with the default
 * topologies; columns widen to fit longer names or numbers rather than cut them.
 */
final class TerminalTable {

  /** Width the verdict paragraph is wrapped to below the table. */
  static final int VERDICT_WIDTH = 110;

  private static final String COLUMN_GAP = "  ";
  private static final String GROUP_GAP = "   ";

  private record Column(String group, String header, boolean alignLeft, Function<TopologyResult, String> cell) {}

  private static final List<Column> COLUMNS = List.of(
      new Column("", "topology", true, TopologyResult::topology),
      new Column("", "pool", true, r -> r.pool() == null ? "" : r.pool()),
      new Column("", "pages/s", false, r -> Figures.rate(r.pagesPerS())),
      new Column("", "95% CI", false, r -> rateInterval(r.pagesPerSCi())),
      new Column("page latency (ms)", "p50", false, r -> Figures.ms(r.pageLatencyMs().p50())),
      new Column("page latency (ms)", "p95", false, r -> Figures.ms(r.pageLatencyMs().p95())),
      new Column("page latency (ms)", "p99", false, r -> Figures.ms(r.pageLatencyMs().p99())),
      new Column("page latency (ms)", "max", false, r -> Figures.ms(r.pageLatencyMs().max())),
      new Column("page latency (ms)", "p99 95% CI", false, r -> interval(r.pageLatencyP99CiMs())),
      // BACKGROUND_COLUMNS go here when a row has background requests
      new Column("failed requests", "timeout", false, r -> Figures.count(r.failures().poolTimeout())),
      new Column("failed requests", "locked", false, r -> Figures.count(r.failures().poolLocked())),
      new Column("failed requests", "53300", false, r -> Figures.count(r.failures().tooManyClients())),
      new Column("failed requests", "other", false, r -> Figures.count(r.failures().other())),
      new Column("acquire wait (ms)", "p50", false, r -> Figures.ms(r.acquireWaitMs().p50())),
      new Column("acquire wait (ms)", "p99", false, r -> Figures.ms(r.acquireWaitMs().p99())),
      new Column("acquire wait (ms)", "predicted", false, r -> Figures.ms(r.predictedP99WaitMs())),
      new Column("hold (ms)", "p50", false, r -> Figures.ms(r.holdMs().p50())),
      new Column("hold (ms)", "p99", false, r -> Figures.ms(r.holdMs().p99())),
      new Column("server conns", "peak", false, r -> Figures.count(r.serverConnections().peak())),
      new Column("server conns", "mean", false, r -> Figures.rate(r.serverConnections().mean())),
      new Column("server conns", "refused", false,
          r -> r.connectsFailed() == null ? Figures.MISSING : Figures.count(r.connectsFailed())));

  /** Where {@link #BACKGROUND_COLUMNS} are inserted: after the page latency group. */
  private static final int BACKGROUND_POSITION = 9;

  /**
   * Shown only when a row has background requests ({@code --background}), so that a run without them prints
   * the table it always did: the background requests' own latency and failures.
   */
  private static final List<Column> BACKGROUND_COLUMNS = List.of(
      new Column("background requests (ms)", "p50", false, r -> background(r, b -> Figures.ms(b.latencyMs().p50()))),
      new Column("background requests (ms)", "p99", false, r -> background(r, b -> Figures.ms(b.latencyMs().p99()))),
      new Column("background requests (ms)", "failed", false,
          r -> background(r, b -> Figures.count(b.failures().total()))));

  /** After the failed requests group. */
  private static final int RETRY_POSITION = 13;

  /** Shown only when a row retried ({@code --retry}), so that a run without retries prints the table it always did. */
  private static final List<Column> RETRY_COLUMNS = List.of(
      new Column("retries (--retry)", "tries", false, r -> retries(r, x -> Figures.count(x.retries()))),
      new Column("retries (--retry)", "requests", false, r -> retries(r, x -> Figures.count(x.retriedRequests()))),
      new Column("retries (--retry)", "gave up", false, r -> retries(r, x -> Figures.count(x.failedAfterAllTries()))));

  /** Explains the retry columns, appended to {@link #LEGEND} when they are shown. */
  static final String RETRY_LEGEND = " · retries: tries after a pool timeout (the seed's executeWithRetry), the"
      + " requests that needed one, and those that timed out on every try (also counted under timeout)";

  /** Explains the background columns, appended to {@link #LEGEND} when they are shown. */
  static final String BACKGROUND_LEGEND = " · background requests: fired after each page (--background), timed from"
      + " firing to answer, not counted in page latency";

  /**
   * Shown when the rows carry the model's predictions (a calibrated run): each prediction beside its measurement's
   * group would double the table's width, so they sit together at the end, in the measured columns' order. They
   * replace the single "predicted" acquire wait column.
   */
  private static final List<Column> MODEL_COLUMNS = List.of(
      new Column("model: predicted before the row ran", "pages/s", false,
          r -> predicted(r, p -> Figures.rate(p.pagesPerS()))),
      new Column("model: predicted before the row ran", "p50", false,
          r -> predicted(r, p -> Figures.ms(p.pageLatencyMs().p50()))),
      new Column("model: predicted before the row ran", "p99", false,
          r -> predicted(r, p -> Figures.ms(p.pageLatencyMs().p99()))),
      new Column("model: predicted before the row ran", "timeout", false,
          r -> predicted(r, p -> Figures.count(p.failures().timeout()))),
      new Column("model: predicted before the row ran", "53300", false,
          r -> predicted(r, p -> Figures.count(p.failures().tooManyClients()))),
      new Column("model: predicted before the row ran", "wait p99", false,
          r -> predicted(r, p -> Figures.ms(p.acquireWaitMs().p99()))),
      new Column("model: predicted before the row ran", "conns", false,
          r -> predicted(r, p -> Figures.count(p.serverConnectionsPeak()))));

  static final String MODEL_LEGEND = " · model: the simulation's prediction for the row (pages/s, page latency p50"
      + " and p99, failed requests, p99 acquire wait, server connection peak), made from the calibration alone"
      + " before the row ran (docs/model.md)";

  /** Explains the columns whose header alone does not. */
  static final String LEGEND = "95% CI: bootstrap interval of pages/s (one-second slices of the measured window"
      + " resampled) · p99 95% CI: bootstrap interval of the page p99 (the measured pages resampled); the verdict"
      + " calls a difference only where the intervals do not overlap · timeout: no pool connection within the"
      + " acquire timeout · locked: failed at once by the pool-locking guard (every connection held by a"
      + " thread waiting for a second one) · 53300: the server refused, too many clients · predicted: the sizing model's p99 acquire"
      + " wait · server conns: sampled from pg_stat_activity; refused: connects the pools saw fail (53300 when the"
      + " server was full; counted by Poolwise pools only)";

  private TerminalTable() {}

  static String render(LabResults results, String verdict) {
    List<TopologyResult> rows = results.results() == null ? List.of() : results.results();
    boolean background = hasBackground(rows);
    boolean retries = hasRetries(rows);
    boolean model = hasPredictions(rows);
    List<Column> columns = columns(background, retries, model);
    int[] widths = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      widths[c] = columns.get(c).header().length();
      for (TopologyResult row : rows) {
        if (row.skipped() == null || c < 2) {
          widths[c] = Math.max(widths[c], columns.get(c).cell().apply(row).length());
        }
      }
    }
    widenForGroupLabels(columns, widths);

    StringBuilder out = new StringBuilder();
    out.append(stripEnd(groupLine(columns, widths))).append('\n');
    List<String> headers = columns.stream().map(Column::header).toList();
    String headerLine = line(columns, headers, widths);
    out.append(headerLine).append('\n');
    out.append("─".repeat(headerLine.length())).append('\n');
    for (TopologyResult row : rows) {
      if (row.skipped() != null) {
        String lead = line(columns, List.of(row.topology(), row.pool() == null ? "" : row.pool()), widths);
        out.append(lead).append(GROUP_GAP).append("skipped: ").append(row.skipped().strip()).append('\n');
      } else {
        out.append(stripEnd(line(columns, columns.stream().map(c -> c.cell().apply(row)).toList(), widths)))
            .append('\n');
      }
    }
    if (rows.isEmpty()) {
      out.append("(no topologies)\n");
    }
    String legend = LEGEND + (retries ? RETRY_LEGEND : "") + (background ? BACKGROUND_LEGEND : "")
        + (model ? MODEL_LEGEND : "");
    out.append(wrap(legend, Math.max(80, headerLine.length())))
        .append('\n');
    if (verdict != null && !verdict.isBlank()) {
      out.append('\n').append(wrap(verdict.strip(), VERDICT_WIDTH)).append('\n');
    }
    return out.toString();
  }

  static boolean hasBackground(List<TopologyResult> rows) {
    return rows.stream().anyMatch(r -> r.skipped() == null && r.background() != null);
  }

  static boolean hasRetries(List<TopologyResult> rows) {
    return rows.stream().anyMatch(r -> r.skipped() == null && r.retries() != null);
  }

  static boolean hasPredictions(List<TopologyResult> rows) {
    return rows.stream().anyMatch(r -> r.skipped() == null && r.prediction() != null);
  }

  private static List<Column> columns(boolean background, boolean retries, boolean model) {
    List<Column> columns = new ArrayList<>(COLUMNS);
    if (model) {
      columns.removeIf(c -> c.header().equals("predicted"));
      columns.addAll(MODEL_COLUMNS);
    }
    if (retries) {
      columns.addAll(RETRY_POSITION, RETRY_COLUMNS);
    }
    if (background) {
      columns.addAll(BACKGROUND_POSITION, BACKGROUND_COLUMNS);
    }
    return columns;
  }

  private static String retries(TopologyResult row, Function<LabResults.Retries, String> figure) {
    return row.retries() == null ? Figures.MISSING : figure.apply(row.retries());
  }

  private static String predicted(TopologyResult row, Function<dev.poolwise.lab.model.Prediction, String> figure) {
    return row.prediction() == null ? Figures.MISSING : figure.apply(row.prediction());
  }

  private static String background(TopologyResult row, Function<LabResults.Background, String> figure) {
    return row.background() == null ? Figures.MISSING : figure.apply(row.background());
  }

  /** {@code 79.1–81.3} pages/s, or a dash. */
  static String rateInterval(LabResults.Interval interval) {
    return interval == null ? Figures.MISSING
        : Figures.rate(interval.low()) + "–" + Figures.rate(interval.high());
  }

  /** {@code 398–430}, or a dash. */
  static String interval(LabResults.Interval interval) {
    return interval == null ? Figures.MISSING
        : Figures.ms(interval.low()) + "–" + Figures.ms(interval.high());
  }

  /** The first {@code cells.size()} columns, padded and joined with the column and group gaps. */
  private static String line(List<Column> columns, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      if (c > 0) {
        line.append(sameGroup(columns, c - 1, c) ? COLUMN_GAP : GROUP_GAP);
      }
      String cell = cells.get(c);
      String pad = " ".repeat(Math.max(0, widths[c] - cell.length()));
      line.append(columns.get(c).alignLeft() ? cell + pad : pad + cell);
    }
    return line.toString();
  }

  private static String groupLine(List<Column> columns, int[] widths) {
    StringBuilder line = new StringBuilder();
    int c = 0;
    while (c < columns.size()) {
      if (c > 0) {
        line.append(GROUP_GAP);
      }
      int end = groupEnd(columns, c);
      int span = span(c, end, widths);
      String label = columns.get(c).group();
      if (label.isEmpty()) {
        line.append(" ".repeat(span));
      } else {
        int dashes = span - label.length() - 2;
        int left = dashes / 2;
        line.append("─".repeat(left)).append(' ').append(label).append(' ').append("─".repeat(dashes - left));
      }
      c = end;
    }
    return line.toString();
  }

  private static void widenForGroupLabels(List<Column> columns, int[] widths) {
    int c = 0;
    while (c < columns.size()) {
      int end = groupEnd(columns, c);
      int needed = columns.get(c).group().length() + 4;
      int span = span(c, end, widths);
      // Spread the extra width over the group's columns so no single column looks detached.
      for (int extra = needed - span, i = 0; !columns.get(c).group().isEmpty() && extra > 0; extra--, i++) {
        widths[c + i % (end - c)]++;
      }
      c = end;
    }
  }

  /** Index after the last column of the group that starts at {@code start}. */
  private static int groupEnd(List<Column> columns, int start) {
    int end = start + 1;
    while (end < columns.size() && sameGroup(columns, start, end)) {
      end++;
    }
    return end;
  }

  private static int span(int start, int end, int[] widths) {
    int span = 0;
    for (int c = start; c < end; c++) {
      span += widths[c] + (c > start ? COLUMN_GAP.length() : 0);
    }
    return span;
  }

  private static boolean sameGroup(List<Column> columns, int a, int b) {
    String group = columns.get(a).group();
    return !group.isEmpty() && group.equals(columns.get(b).group());
  }

  static String wrap(String text, int width) {
    StringBuilder out = new StringBuilder();
    int lineLength = 0;
    for (String word : text.split("\\s+")) {
      if (lineLength > 0 && lineLength + 1 + word.length() > width) {
        out.append('\n');
        lineLength = 0;
      } else if (lineLength > 0) {
        out.append(' ');
        lineLength++;
      }
      out.append(word);
      lineLength += word.length();
    }
    return out.toString();
  }

  private static String stripEnd(String s) {
    return s.stripTrailing();
  }
}
