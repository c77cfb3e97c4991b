package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the sample report in headless Chromium with the network cut off and checks that every chart was drawn
 * (the chart code marks each chart's element {@code data-drawn="true"} once ECharts accepted its options, which
 * needs the inlined library, the embedded data and the chart code all to work). Skipped when no {@code chromium} is installed ({@code apt-get install chromium}). Leaves
 * {@code target/report-sample/report.png} to look at.
 */
class ReportHtmlRenderTest {

  @TempDir
  Path profile;

  @Test
  void everyChartIsDrawnOffline() throws Exception {
    String chromium = findChromium();
    // CI installs chromium and sets this, so that a missing browser fails instead of hiding the render check.
    if ("true".equals(System.getenv("POOLWISE_REQUIRE_TEST_PREREQUISITES"))) {
      assertThat(chromium).as("chromium on the PATH (POOLWISE_REQUIRE_TEST_PREREQUISITES=true)").isNotNull();
    }
    assumeTrue(chromium != null, "chromium not installed");
    Path dir = Path.of("target", "report-sample").toAbsolutePath();
    Files.createDirectories(dir);
    Path report = dir.resolve("report.html");
    Reports.writeHtml(SampleResults.typical(), report);

    String dom = chromium(chromium, report, "--dump-dom");
    chromium(chromium, report, "--screenshot=" + dir.resolve("report.png"), "--window-size=1400,2700");

    for (String chart : new String[] {"chart-percentiles", "chart-latency", "chart-connections", "chart-acquire"}) {
      int at = dom.indexOf("id=\"" + chart + "\"");
      assertThat(at).as(chart).isPositive();
      String element = dom.substring(at, dom.indexOf("</p>", at));
      assertThat(element).as("%s drawn", chart).contains("data-drawn=\"true\"").contains("<canvas");
    }
    assertThat(dir.resolve("report.png")).isNotEmptyFile();
  }

  private String chromium(String binary, Path report, String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=3000",
        // No network at all: a report that needed to fetch something would show empty charts.
        "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"));
    command.addAll(List.of(extra));
    command.add(report.toUri().toString());
    Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish within 90 s: " + command);
    }
    return Files.readString(out);
  }

  private static String findChromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path candidate = Path.of(directory, name);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    return null;
  }
}
