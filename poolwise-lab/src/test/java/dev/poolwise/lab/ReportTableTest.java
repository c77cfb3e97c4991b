package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTableTest {

  private final String table = Reports.table(SampleResults.typical());
  /** The table's lines, without the verdict below it. */
  private final List<String> lines = Arrays.asList(table.substring(0, table.indexOf("\n\n")).split("\n"));

  @Test
  void hasOneRowPerTopologyInRunOrder() {
    List<String> topologies = List.of("single:20", "single:50", "partitioned:3x12", "per-module:70x5", "hikari:20",
        "hikari:50", "single:auto", "pgbouncer:4x20/20");
    List<String> rows = lines.stream().filter(l -> topologies.stream().anyMatch(l::startsWith)).toList();

    assertThat(rows).hasSize(8);
    for (int i = 0; i < topologies.size(); i++) {
      assertThat(rows.get(i)).startsWith(topologies.get(i) + " ");
    }
  }

  @Test
  void namesEveryColumn() {
    assertThat(lines.get(0)).contains("page latency (ms)", "failed requests", "acquire wait (ms)", "hold (ms)",
        "server conns");
    assertThat(lines.get(1)).contains("topology", "pool", "pages/s", "p50", "p95", "p99", "max", "timeout", "locked", "53300",
        "other", "predicted", "peak", "mean");
  }

  @Test
  void fitsIn190ColumnsAndNumbersLineUp() {
    String header = lines.get(1);
    List<String> measuredRows = lines.stream().filter(l -> l.contains("poolwise") || l.contains("hikari"))
        .filter(l -> !l.contains("skipped")).toList();

    // 169 with the two interval columns empty; a real run's intervals (61.8–66.0, 1,455–1,887) add up to 15 more.
    assertThat(lines.stream().mapToInt(String::length).max().orElseThrow()).isLessThanOrEqualTo(190);
    assertThat(measuredRows).hasSize(7).allSatisfy(row -> assertThat(row).hasSameSizeAs(header));
    // Right-aligned: the page latency max column ends where its header ends.
    int maxEnd = header.indexOf("max") + "max".length();
    assertThat(measuredRows.get(3).substring(0, maxEnd)).endsWith("6,120");
  }

  @Test
  void showsTheFiguresOfEachRow() {
    String perModule = row("per-module:70x5");
    assertThat(perModule).contains("29.4", "2,950", "6,120", " 12 ", "1,234", "97", "88.6");
    assertThat(row("single:20")).contains("38.5", " 88 ");
    assertThat(row("hikari:20")).contains(" – ");
  }

  @Test
  void aSkippedRowShowsWhy() {
    assertThat(row("pgbouncer:4x20/20")).contains("skipped: pgbouncer is not installed");
  }

  @Test
  void endsWithTheVerdict() {
    String verdict = SampleResults.typical().verdict();
    String afterTable = table.substring(table.indexOf("\n\n") + 2).replace('\n', ' ').strip();

    assertThat(afterTable).isEqualTo(verdict);
  }

  @Test
  void anEmptyRunStillPrints() {
    assertThat(Reports.table(SampleResults.of())).contains("no topologies").contains("nothing to compare");
  }

  private String row(String topology) {
    return lines.stream().filter(l -> l.startsWith(topology + " ")).findFirst().orElseThrow();
  }
}
