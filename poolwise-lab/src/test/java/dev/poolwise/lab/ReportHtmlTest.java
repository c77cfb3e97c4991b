package dev.poolwise.lab;

import static dev.poolwise.lab.SampleResults.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportHtmlTest {

  private static final Pattern REMOTE_REFERENCE = Pattern.compile(
      "(?i)(<script[^>]*\\ssrc\\s*=|<link[^>]*\\shref\\s*=|<img[^>]*\\ssrc\\s*=|@import|url\\(\\s*['\"]?https?:)");

  @TempDir
  Path dir;

  @Test
  void isOneFileThatFetchesNothing() throws Exception {
    String html = write(SampleResults.typical());
    // The inlined ECharts library builds markup in strings (its toolbox's "save as image" page); what matters is
    // the page's own markup, so script bodies are set aside and checked separately.
    String markup = html.replaceAll("(?s)(<script[^>]*>).*?</script>", "$1</script>");
    String ownScripts = html.substring(html.indexOf("window.POOLWISE_RESULTS = "));

    assertThat(REMOTE_REFERENCE.matcher(markup).find()).as("a script, link, image or import that would be fetched")
        .isFalse();
    assertThat(markup).doesNotContain("http://").doesNotContain("https://");
    assertThat(ownScripts).doesNotContain("http://").doesNotContain("https://").doesNotContain("fetch(")
        .doesNotContain("XMLHttpRequest");
    assertThat(markup).containsPattern("<script>\\s*</script>");
  }

  @Test
  void inlinesEchartsAndTheData() throws Exception {
    String html = write(SampleResults.typical());

    assertThat(html.length()).as("ECharts is about a megabyte").isGreaterThan(900_000);
    assertThat(html).contains("echarts.init(").contains("window.POOLWISE_RESULTS = {")
        .contains("\"page_latency_histogram\"").contains("\"server_connections_timeline\"")
        .contains("\"acquire_wait_histogram\"").contains("Apache ECharts " + HtmlReport.echartsVersion());
    for (String chart : new String[] {"chart-percentiles", "chart-latency", "chart-connections", "chart-acquire"}) {
      assertThat(html).contains("id=\"" + chart + "\"");
    }
  }

  @Test
  void theEmbeddedDataIsTheResults() throws Exception {
    LabResults sample = SampleResults.typical();
    String html = write(sample);
    String start = "window.POOLWISE_RESULTS = ";
    int from = html.indexOf(start) + start.length();
    String json = html.substring(from, html.indexOf(";\n</script>", from));

    assertThat(ResultsJson.mapper().readValue(json, LabResults.class)).isEqualTo(sample);
  }

  @Test
  void showsTheTableTheVerdictTheScenarioAndTheServer() throws Exception {
    String html = write(SampleResults.typical());

    assertThat(html).contains("<table class=\"results\">").contains("<td class=\"text topology\">per-module:70x5</td>")
        .contains("<td class=\"failed\">1,234</td>")
        .contains("skipped: pgbouncer is not installed (no pgbouncer on PATH)")
        .contains("<li><code>single:50</code> served the most pages with no failed request")
        .contains("<th>acquire_timeout_ms</th><td>2000</td>").contains("<th>seed</th><td>42</td>")
        .contains("<th>max_connections</th><td>100</td>").contains("PostgreSQL 14.22 (embedded)");
  }

  @Test
  void escapesNamesAndTextEverywhere() throws Exception {
    String hostile = "single:<script>alert(1)</script>";
    LabResults results = new LabResults(SampleResults.SERVER, SampleResults.SCENARIO,
        java.util.List.of(row(hostile).build(),
            LabResults.TopologyResult.skipped("pgbouncer:1x1/1", "poolwise", "</script><b>\"quoted\" & 'single'</b>")),
        "A verdict that tries </script><script>alert(2)</script> and <!-- a comment & more");

    String html = write(results);

    assertThat(html).doesNotContain("<script>alert").doesNotContain("</script><b>").doesNotContain("<!-- a comment");
    assertThat(html).contains("single:&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("&lt;/script&gt;&lt;b&gt;&quot;quoted&quot; &amp; &#39;single&#39;&lt;/b&gt;")
        .contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(2)");
  }

  @Test
  void rendersWithoutChartDataWithoutFailing() throws Exception {
    String html = write(SampleResults.of(row("single:20").withoutHistograms().build()));

    assertThat(html).contains("window.POOLWISE_RESULTS").contains("single:20");
  }

  private String write(LabResults results) throws Exception {
    Path file = dir.resolve("report.html");
    Reports.writeHtml(results, file);
    return Files.readString(file);
  }
}
