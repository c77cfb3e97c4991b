package dev.poolwise.lab;

import java.io.IOException;
import java.nio.file.Path;

/** SKELETON — the terminal table, results.json, report.html and the verdict paragraph. */
final class Reports {

  private Reports() {}

  /** The verdict paragraph, computed from the rows' numbers. */
  static String verdict(LabResults results) {
    return "";
  }

  /** The terminal table (one row per topology) followed by the verdict. */
  static String table(LabResults results) {
    return results.toString();
  }

  /** {@code results.json} with the contract's snake_case keys. */
  static void writeJson(LabResults results, Path file) throws IOException {
    throw new UnsupportedOperationException("skeleton");
  }

  /** {@code report.html}: self-contained (no CDN), charts inlined. */
  static void writeHtml(LabResults results, Path file) throws IOException {
    throw new UnsupportedOperationException("skeleton");
  }
}
