package dev.poolwise.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * A terminal table for {@code advise} and {@code doctor}: a header, a rule, rows; columns padded to the widest
 * cell, numeric columns right-aligned. Cells are used as given (callers format and truncate them).
 */
final class PlainTable {

  private final List<String> headers;
  private final boolean[] rightAligned;
  private final List<List<String>> rows = new ArrayList<>();

  /** A header starting with {@code >} is a right-aligned column; the {@code >} is not printed. */
  PlainTable(String... headers) {
    this.headers = new ArrayList<>();
    this.rightAligned = new boolean[headers.length];
    for (int i = 0; i < headers.length; i++) {
      rightAligned[i] = headers[i].startsWith(">");
      this.headers.add(rightAligned[i] ? headers[i].substring(1) : headers[i]);
    }
  }

  PlainTable row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
    }
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(cell == null ? "" : cell.toString());
    }
    rows.add(row);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /** The table, each line indented by {@code indent}, ending with a newline. */
  String render(String indent) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, indent, headers, widths);
    List<String> rule = new ArrayList<>();
    for (int width : widths) {
      rule.add("-".repeat(width));
    }
    line(out, indent, rule, widths);
    for (List<String> row : rows) {
      line(out, indent, row, widths);
    }
    return out.toString();
  }

  private void line(StringBuilder out, String indent, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder(indent);
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      String padding = " ".repeat(widths[i] - cell.length());
      line.append(rightAligned[i] ? padding + cell : cell + padding);
      if (i < cells.size() - 1) {
        line.append("  ");
      }
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }
}
