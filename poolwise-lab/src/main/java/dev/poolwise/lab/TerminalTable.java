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
      new Column("page latency (ms)", "p50", false, r -> Figures.ms(r.pageLatencyMs().p50())),
      new Column("page latency (ms)", "p95", false, r -> Figures.ms(r.pageLatencyMs().p95())),
      new Column("page latency (ms)", "p99", false, r -> Figures.ms(r.pageLatencyMs().p99())),
      new Column("page latency (ms)", "max", false, r -> Figures.ms(r.pageLatencyMs().max())),
      new Column("failed requests", "timeout", false, r -> Figures.count(r.failures().poolTimeout())),
      new Column("failed requests", "53300", false, r -> Figures.count(r.failures().tooManyClients())),
      new Column("failed requests", "other", false, r -> Figures.count(r.failures().other())),
      new Column("acquire wait (ms)", "p50", false, r -> Figures.ms(r.acquireWaitMs().p50())),
      new Column("acquire wait (ms)", "p99", false, r -> Figures.ms(r.acquireWaitMs().p99())),
      new Column("acquire wait (ms)", "predicted", false, r -> Figures.ms(r.predictedP99WaitMs())),
      new Column("hold (ms)", "p50", false, r -> Figures.ms(r.holdMs().p50())),
      new Column("hold (ms)", "p99", false, r -> Figures.ms(r.holdMs().p99())),
      new Column("server conns", "peak", false, r -> Figures.count(r.serverConnections().peak())),
      new Column("server conns", "mean", false, r -> Figures.rate(r.serverConnections().mean())));

  /** Explains the columns whose header alone does not. */
  static final String LEGEND = "timeout: no pool connection within the acquire timeout · 53300: the server refused,"
      + " too many clients · predicted: the sizing model's p99 acquire wait · server conns: sampled from"
      + " pg_stat_activity";

  private TerminalTable() {}

  static String render(LabResults results, String verdict) {
    List<TopologyResult> rows = results.results() == null ? List.of() : results.results();
    int[] widths = new int[COLUMNS.size()];
    for (int c = 0; c < COLUMNS.size(); c++) {
      widths[c] = COLUMNS.get(c).header().length();
      for (TopologyResult row : rows) {
        if (row.skipped() == null || c < 2) {
          widths[c] = Math.max(widths[c], COLUMNS.get(c).cell().apply(row).length());
        }
      }
    }
    widenForGroupLabels(widths);

    StringBuilder out = new StringBuilder();
    out.append(stripEnd(groupLine(widths))).append('\n');
    List<String> headers = COLUMNS.stream().map(Column::header).toList();
    String headerLine = line(headers, widths);
    out.append(headerLine).append('\n');
    out.append("─".repeat(headerLine.length())).append('\n');
    for (TopologyResult row : rows) {
      if (row.skipped() != null) {
        String lead = line(List.of(row.topology(), row.pool() == null ? "" : row.pool()), widths);
        out.append(lead).append(GROUP_GAP).append("skipped: ").append(row.skipped().strip()).append('\n');
      } else {
        out.append(stripEnd(line(COLUMNS.stream().map(c -> c.cell().apply(row)).toList(), widths))).append('\n');
      }
    }
    if (rows.isEmpty()) {
      out.append("(no topologies)\n");
    }
    out.append(wrap(LEGEND, Math.max(80, headerLine.length()))).append('\n');
    if (verdict != null && !verdict.isBlank()) {
      out.append('\n').append(wrap(verdict.strip(), VERDICT_WIDTH)).append('\n');
    }
    return out.toString();
  }

  /** The first {@code cells.size()} columns, padded and joined with the column and group gaps. */
  private static String line(List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      if (c > 0) {
        line.append(sameGroup(c - 1, c) ? COLUMN_GAP : GROUP_GAP);
      }
      String cell = cells.get(c);
      String pad = " ".repeat(Math.max(0, widths[c] - cell.length()));
      line.append(COLUMNS.get(c).alignLeft() ? cell + pad : pad + cell);
    }
    return line.toString();
  }

  private static String groupLine(int[] widths) {
    StringBuilder line = new StringBuilder();
    int c = 0;
    while (c < COLUMNS.size()) {
      if (c > 0) {
        line.append(GROUP_GAP);
      }
      int end = groupEnd(c);
      int span = span(c, end, widths);
      String label = COLUMNS.get(c).group();
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

  private static void widenForGroupLabels(int[] widths) {
    int c = 0;
    while (c < COLUMNS.size()) {
      int end = groupEnd(c);
      int needed = COLUMNS.get(c).group().length() + 4;
      int span = span(c, end, widths);
      // Spread the extra width over the group's columns so no single column looks detached.
      for (int extra = needed - span, i = 0; !COLUMNS.get(c).group().isEmpty() && extra > 0; extra--, i++) {
        widths[c + i % (end - c)]++;
      }
      c = end;
    }
  }

  /** Index after the last column of the group that starts at {@code start}. */
  private static int groupEnd(int start) {
    int end = start + 1;
    while (end < COLUMNS.size() && sameGroup(start, end)) {
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

  private static boolean sameGroup(int a, int b) {
    String group = COLUMNS.get(a).group();
    return !group.isEmpty() && group.equals(COLUMNS.get(b).group());
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
