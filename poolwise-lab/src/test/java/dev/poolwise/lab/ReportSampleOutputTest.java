package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Writes the sample results' table, results.json and report.html to {@code target/report-sample/}, for a
 * person to open and look at ({@code ./mvnw -pl poolwise-lab -am test -Dtest=ReportSampleOutputTest}).
 */
class ReportSampleOutputTest {

  @Test
  void writesTheSampleReportForInspection() throws Exception {
    Path dir = Path.of("target", "report-sample");
    LabResults sample = SampleResults.typical();
    String table = Reports.table(sample);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("table.txt"), table);
    Reports.writeJson(sample, dir.resolve("results.json"));
    Reports.writeHtml(sample, dir.resolve("report.html"));
    System.out.println(table);

    assertThat(dir.resolve("report.html")).isNotEmptyFile();
    assertThat(Reports.readJson(dir.resolve("results.json"))).isEqualTo(sample);
  }
}
