package dev.poolwise.lab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwise.lab.LabResults.ServerInfo;
import dev.poolwise.lab.LabResults.TopologyResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code report.html}: one file that opens offline. It inlines Apache ECharts from its WebJar on the
 * classpath, the results as a JavaScript object ({@code window.POOLWISE_RESULTS}, the same keys as
 * {@code results.json}), the chart code ({@code report-charts.js}) and the style sheet ({@code report.css});
 * nothing is fetched. The verdict, the table, the scenario and the server are plain HTML written here, so
 * they read even with scripts disabled; the four charts are drawn by the script from the embedded results.
 *
 * <p>Escaping: every string from the results goes through {@link #html} in markup, and through
 * {@link ResultsJson#toScriptLiteral} (which escapes {@code <}, {@code >}, {@code &}) inside the script.
 * The chart code escapes names again where it builds tooltip HTML.
 */
final class HtmlReport {

  private static final String WEBJAR_PROPERTIES = "META-INF/maven/org.webjars.npm/echarts/pom.properties";
  private static final String ECHARTS = "META-INF/resources/webjars/echarts/%s/dist/echarts.min.js";
  private static final Pattern SCRIPT_END = Pattern.compile("</(script)", Pattern.CASE_INSENSITIVE);

  private HtmlReport() {}

  static void write(LabResults results, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, render(results), StandardCharsets.UTF_8);
  }

  static String render(LabResults results) {
    String css = resource("dev/poolwise/lab/report.css");
    String charts = resource("dev/poolwise/lab/report-charts.js");
    return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Poolwise lab report</title>
        <style>
        %s</style>
        </head>
        <body>
        <header>
        <h1>Poolwise lab report</h1>
        <p class="subtitle">%s</p>
        </header>
        <main>
        <section class="card verdict">
        <h2>Verdict</h2>
        %s
        </section>
        <section class="card">
        <h2>Results</h2>
        %s
        <p class="legend">%s</p>
        </section>
        <section class="charts">
        <div class="card chart-card wide"><h2>Page latency percentiles</h2><div id="chart-percentiles" class="chart"></div>
        <p class="caption">p50, p95 and p99 of the time to load one page (all its API requests in parallel), per topology. Lower is better.</p></div>
        <div class="card chart-card"><h2>Page latency distribution</h2><div id="chart-latency" class="chart"></div>
        <p class="caption">Share of pages loaded within x ms (cumulative; x on a log scale). Further left and steeper is better.</p></div>
        <div class="card chart-card"><h2>Acquire wait distribution</h2><div id="chart-acquire" class="chart"></div>
        <p class="caption">Share of getConnection() calls that returned within x ms (cumulative; x on a log scale).</p></div>
        <div class="card chart-card wide"><h2>Server connections over time</h2><div id="chart-connections" class="chart"></div>
        <p class="caption">Client connections in pg_stat_activity while each topology ran, sampled; the shaded band is the warm-up (not counted in the table), the dashed line the server's max_connections.</p></div>
        %s</section>
        <section class="card facts">
        <div><h2>Scenario</h2>
        %s</div>
        <div><h2>Server</h2>
        %s</div>
        </section>
        </main>
        <footer>Written by the Poolwise lab (<code>./poolwise</code>). The data behind this page is <code>results.json</code>, \
        also embedded here as <code>window.POOLWISE_RESULTS</code>. Charts: Apache ECharts %s, inlined.</footer>
        <noscript><p class="noscript">The charts need JavaScript; the table and verdict above do not.</p></noscript>
        <script>
        %s
        </script>
        <script>
        window.POOLWISE_RESULTS = %s;
        </script>
        <script>
        %s</script>
        </body>
        </html>
        """.formatted(
            css,
            html(subtitle(results)),
            verdictHtml(results),
            table(results) + ModelAccuracy.html(results),
            html(TerminalTable.hasBackground(results.results()) ? TerminalTable.LEGEND + TerminalTable.BACKGROUND_LEGEND
                : TerminalTable.LEGEND),
            backgroundChart(results),
            scenario(results),
            server(results.server()),
            html(echartsVersion()),
            SCRIPT_END.matcher(echarts()).replaceAll("<\\\\/$1"),
            ResultsJson.toScriptLiteral(results),
            charts);
  }

  /* --- Markup --- */

  private static String subtitle(LabResults results) {
    StringBuilder s = new StringBuilder();
    ServerInfo server = results.server();
    if (server != null) {
      s.append("PostgreSQL ").append(server.version()).append(server.embedded() ? " (embedded)" : "")
          .append(" · max_connections ").append(server.maxConnections());
    }
    Scenario scenario = results.scenario();
    if (scenario != null) {
      s.append(s.isEmpty() ? "" : " · ").append(scenario.users()).append(" users · ")
          .append(scenario.durationSeconds()).append(" s per topology · seed ").append(scenario.seed());
    }
    return s.toString();
  }

  /**
   * The verdict, escaped, with each topology name set in code type: one point per sentence when it is the
   * computed verdict (whose sentence boundaries are known), else the paragraph as given.
   */
  private static String verdictHtml(LabResults results) {
    String verdict = results.verdict() == null ? "" : results.verdict();
    List<String> sentences = Verdict.sentences(results);
    if (!verdict.equals(String.join(" ", sentences)) || sentences.size() < 2) {
      return "<p>" + markTopologies(results, html(verdict)) + "</p>";
    }
    return sentences.stream().map(s -> "<li>" + markTopologies(results, html(s)) + "</li>")
        .collect(Collectors.joining("\n", "<ul>\n", "\n</ul>"));
  }

  private static String markTopologies(LabResults results, String escaped) {
    List<String> names = results.results().stream().map(r -> html(r.topology())).distinct()
        .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    if (names.isEmpty()) {
      return escaped;
    }
    // Longest first so that single:200 is not read as single:20 followed by "0".
    Pattern topology = Pattern.compile("(?<![\\w:/-])(" + names.stream().map(Pattern::quote)
        .collect(Collectors.joining("|")) + ")(?![\\w/])");
    return topology.matcher(escaped).replaceAll(m -> Matcher.quoteReplacement("<code>" + m.group(1) + "</code>"));
  }

  /**
   * The background loading chart, only when the run had background requests: per row, the pages' p50 and p99 and
   * the background requests' p50 and p99, so a lane row and its twin stand side by side.
   */
  private static String backgroundChart(LabResults results) {
    if (!TerminalTable.hasBackground(results.results())) {
      return "";
    }
    return """
        <div class="card chart-card wide"><h2>Background loading: page latency with and without the lane</h2>\
        <div id="chart-background" class="chart"></div>
        <p class="caption">Per topology, the foreground page latency (p50, p99) beside the latency of the background \
        requests fired after each page (p50, p99); the tooltip gives each p99's 95 % bootstrap interval. A +lane:K row \
        borrows its background requests in a lane capped at K: compare it with the same pools without the lane.</p></div>
        """;
  }

  private static String table(LabResults results) {
    List<TopologyResult> rows = results.results();
    boolean background = TerminalTable.hasBackground(rows);
    boolean retries = TerminalTable.hasRetries(rows);
    TopologyResult best = rows.stream().filter(r -> r.skipped() == null && r.pages() > 0 && Verdict.failed(r) == 0)
        .max(Comparator.comparingDouble(TopologyResult::pagesPerS)).orElse(null);
    StringBuilder t = new StringBuilder("""
        <div class="table-wrap"><table class="results">
        <thead>
        <tr class="groups"><th colspan="4"></th><th colspan="5">page latency (ms)</th>%s<th colspan="4">failed requests</th>%s\
        <th colspan="3">acquire wait (ms)</th><th colspan="2">hold (ms)</th><th colspan="3">server connections</th></tr>
        <tr><th class="text">topology</th><th class="text">pool</th><th>pages/s</th>\
        <th title="95 %% bootstrap interval of pages/s (one-second slices of the measured window resampled)">95%% CI</th>\
        <th class="first">p50</th><th>p95</th><th>p99</th><th>max</th>\
        <th title="95 %% bootstrap interval of the p99 over the measured pages">p99 95%% CI</th>%s\
        <th class="first">pool timeout</th>\
        <th title="failed at once by the pool-locking guard: every connection held by a thread waiting for a second one">pool locked</th><th>53300</th><th>other</th>%s\
        <th class="first">p50</th><th>p99</th><th title="the sizing model's p99 acquire wait">predicted p99</th>\
        <th class="first">p50</th><th>p99</th><th class="first">peak</th><th>mean</th>\
        <th title="connects the pools saw fail: 53300 when the server was full (Poolwise pools count them)">refused</th></tr>
        </thead>
        <tbody>
        """.formatted(background ? "<th colspan=\"3\">background requests (ms)</th>" : "",
            retries ? "<th colspan=\"3\">retries (--retry)</th>" : "",
            background ? "<th class=\"first\">p50</th><th>p99</th><th>failed</th>" : "",
            retries ? "<th class=\"first\" title=\"tries after a pool timeout\">tries</th>"
                + "<th title=\"requests that tried more than once\">requests</th>"
                + "<th title=\"requests that timed out on every try (also under pool timeout)\">gave up</th>" : ""));
    int columns = 21 + (background ? 3 : 0) + (retries ? 3 : 0);
    for (TopologyResult r : rows) {
      String name = "<td class=\"text topology\">" + html(r.topology()) + "</td><td class=\"text\">"
          + html(r.pool() == null ? "" : r.pool()) + "</td>";
      if (r.skipped() != null) {
        t.append("<tr class=\"skipped\">").append(name).append("<td colspan=\"").append(columns - 2)
            .append("\" class=\"text\">skipped: ")
            .append(html(r.skipped())).append("</td></tr>\n");
        continue;
      }
      t.append(r == best ? "<tr class=\"best\" title=\"most pages/s with no failed request\">" : "<tr>").append(name)
          .append(num(Figures.rate(r.pagesPerS()), ""))
          .append(num(TerminalTable.rateInterval(r.pagesPerSCi()), "interval"))
          .append(num(Figures.ms(r.pageLatencyMs().p50()), "first"))
          .append(num(Figures.ms(r.pageLatencyMs().p95()), ""))
          .append(num(Figures.ms(r.pageLatencyMs().p99()), ""))
          .append(num(Figures.ms(r.pageLatencyMs().max()), ""))
          .append(num(TerminalTable.interval(r.pageLatencyP99CiMs()), "interval"))
          .append(background ? backgroundCells(r) : "")
          .append(failures(r.failures().poolTimeout(), "first"))
          .append(failures(r.failures().poolLocked(), ""))
          .append(failures(r.failures().tooManyClients(), ""))
          .append(failures(r.failures().other(), ""))
          .append(retries ? retryCells(r) : "")
          .append(num(Figures.ms(r.acquireWaitMs().p50()), "first"))
          .append(num(Figures.ms(r.acquireWaitMs().p99()), ""))
          .append(num(Figures.ms(r.predictedP99WaitMs()), "model"))
          .append(num(Figures.ms(r.holdMs().p50()), "first"))
          .append(num(Figures.ms(r.holdMs().p99()), ""))
          .append(num(Figures.count(r.serverConnections().peak()), "first"))
          .append(num(Figures.rate(r.serverConnections().mean()), ""))
          .append(num(r.connectsFailed() == null ? Figures.MISSING : Figures.count(r.connectsFailed()), ""))
          .append("</tr>\n");
    }
    if (rows.isEmpty()) {
      t.append("<tr><td colspan=\"").append(columns).append("\" class=\"text\">No topologies.</td></tr>\n");
    }
    return t.append("</tbody>\n</table></div>").toString();
  }

  private static String backgroundCells(TopologyResult r) {
    LabResults.Background b = r.background();
    return b == null ? num(Figures.MISSING, "first") + num(Figures.MISSING, "") + num(Figures.MISSING, "")
        : num(Figures.ms(b.latencyMs().p50()), "first") + num(Figures.ms(b.latencyMs().p99()), "")
            + failures(b.failures().total(), "");
  }

  private static String retryCells(TopologyResult r) {
    LabResults.Retries x = r.retries();
    return x == null ? num(Figures.MISSING, "first") + num(Figures.MISSING, "") + num(Figures.MISSING, "")
        : num(Figures.count(x.retries()), "first") + num(Figures.count(x.retriedRequests()), "")
            + failures(x.failedAfterAllTries(), "");
  }

  private static String num(String value, String cssClass) {
    return (cssClass.isEmpty() ? "<td>" : "<td class=\"" + cssClass + "\">") + html(value) + "</td>";
  }

  private static String failures(long count, String cssClass) {
    String classes = (cssClass + (count > 0 ? " failed" : "")).strip();
    return num(Figures.count(count), classes);
  }

  private static String scenario(LabResults results) {
    if (results.scenario() == null) {
      return "<p>Not recorded.</p>";
    }
    // The same names as in results.json, in the record's order, so every future parameter shows up here.
    JsonNode tree = ResultsJson.mapper().valueToTree(results.scenario());
    StringBuilder dl = new StringBuilder("<table class=\"kv\">\n");
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      dl.append("<tr><th>").append(html(field.getKey())).append("</th><td>")
          .append(html(field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString()))
          .append("</td></tr>\n");
    }
    return dl.append("</table>").toString();
  }

  private static String server(ServerInfo server) {
    if (server == null) {
      return "<p>Not recorded.</p>";
    }
    return "<table class=\"kv\">\n"
        + "<tr><th>version</th><td>" + html(String.valueOf(server.version())) + "</td></tr>\n"
        + "<tr><th>max_connections</th><td>" + server.maxConnections() + "</td></tr>\n"
        + "<tr><th>superuser_reserved_connections</th><td>" + server.superuserReservedConnections() + "</td></tr>\n"
        + "<tr><th>available to the application</th><td>"
        + (server.maxConnections() - server.superuserReservedConnections()) + "</td></tr>\n"
        + "<tr><th>embedded</th><td>" + (server.embedded() ? "yes, started by the lab" : "no, --url") + "</td></tr>\n"
        + "</table>";
  }

  /** Escapes text for HTML element content and quoted attribute values. */
  static String html(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /* --- Inlined resources --- */

  static String echartsVersion() {
    try (InputStream in = classLoader().getResourceAsStream(WEBJAR_PROPERTIES)) {
      if (in == null) {
        throw new IllegalStateException("ECharts WebJar not on the classpath (" + WEBJAR_PROPERTIES
            + " missing): the lab's dependencies are incomplete; rebuild with ./mvnw -pl poolwise-lab -am package");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String echarts() {
    return resource(ECHARTS.formatted(echartsVersion()));
  }

  private static String resource(String name) {
    try (InputStream in = classLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " not on the classpath: rebuild the lab with"
            + " ./mvnw -pl poolwise-lab -am package");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ClassLoader classLoader() {
    return HtmlReport.class.getClassLoader();
  }
}
