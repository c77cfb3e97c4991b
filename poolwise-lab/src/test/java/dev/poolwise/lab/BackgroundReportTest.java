package dev.poolwise.lab;

import static dev.poolwise.lab.SampleResults.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwise.lab.LabResults.TopologyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code --background} and {@code +lane:K} add to the table, results.json, report.html and the verdict, from
 * constructed numbers: the verdict's lane sentence for a win, a tie (overlapping intervals, or a difference under
 * the noise floor), a split (pages faster, prefetches failing) and a loss; and a run without background requests
 * that renders exactly as before.
 */
class BackgroundReportTest {

  static final Scenario SIX_PER_PAGE = new Scenario(12, 15, 3, 8, 12, 1, 3, 0.2, 0.3, 0.01, 100, 70, 2000, false, 6,
      42L);

  @TempDir
  Path dir;

  /** single:20 with 6 background requests per page: slow pages, fast prefetch (numbers of a real run). */
  static TopologyResult plain() {
    return row("single:20").pagesPerS(16.6).latency(502, 1199, 1646, 1887).p99Interval(1455, 1887)
        .background(1494, 263, 813, 788, 890, 0).build();
  }

  /** single:20+lane:4 with pages much faster than {@link #plain()}'s, the prefetch as given. */
  static SampleResults.Row fastPagesLane() {
    return row("single:20+lane:4").pagesPerS(18.5).latency(40, 618, 754, 806).p99Interval(676, 806);
  }

  static LabResults run(TopologyResult... rows) {
    LabResults results = new LabResults(SampleResults.SERVER, SIX_PER_PAGE, List.of(rows), null);
    return new LabResults(SampleResults.SERVER, SIX_PER_PAGE, List.of(rows), Reports.verdict(results));
  }

  /* --- Verdict --- */

  @Test
  void aLaneThatLowersThePagesP99BeyondTheNoiseIntervalIsAWinWithItsCostToThePrefetch() {
    String verdict = run(plain(), fastPagesLane().background(1668, 374, 970, 936, 999, 0).build()).verdict();

    assertThat(verdict)
        .contains("With 6 background requests after every page, single:20+lane:4 lowered the foreground p99 page"
            + " latency beyond the noise interval: 754 ms (95 % CI 676–806) against single:20's 1,646 ms"
            + " (95 % CI 1,455–1,887), 54 % lower; pages/s 18.5 against 16.6.")
        .contains("The prefetch paid for the lane: its p99 rose beyond the noise interval to 970 ms"
            + " (95 % CI 936–999) against 813 ms (95 % CI 788–890), p50 374 against 263 ms, and all 1,668"
            + " background requests completed.");
  }

  @Test
  void overlappingIntervalsAreATieWhateverThePointEstimatesSay() {
    String verdict = run(plain(), row("single:20+lane:4").latency(500, 1100, 1500, 1900).p99Interval(1300, 1700)
        .background(1500, 265, 820, 790, 880, 0).build()).verdict();

    assertThat(verdict)
        .contains("single:20+lane:4 did not change the foreground p99 page latency beyond the noise interval: 1,500 ms"
            + " (95 % CI 1,300–1,700) against single:20's 1,646 ms (95 % CI 1,455–1,887)")
        .contains("The prefetch's p99 did not change beyond the noise interval: 820 ms")
        .doesNotContain("lowered");
  }

  @Test
  void aDifferenceUnderTheNoiseFloorIsATieEvenWithDisjointIntervals() {
    TopologyResult plain = row("single:20").latency(300, 650, 720, 800).p99Interval(715, 725)
        .background(1500, 200, 600, 590, 610, 0).build();
    TopologyResult lane = row("single:20+lane:4").latency(300, 640, 700, 790).p99Interval(698, 702)
        .background(1500, 200, 600, 590, 610, 0).build();

    assertThat(Verdict.compare(700, new LabResults.Interval(698, 702), 720, new LabResults.Interval(715, 725)))
        .isEqualTo(Verdict.Difference.WITHIN_NOISE);
    assertThat(run(plain, lane).verdict()).contains("did not change the foreground p99 page latency beyond the"
        + " noise interval: 700 ms");
  }

  @Test
  void fasterPagesWithFailedPrefetchesIsASplitAndSaysSo() {
    String verdict = run(plain(), fastPagesLane().background(1668, 900, 2100, 2010, 2150, 35).build()).verdict();

    assertThat(verdict)
        .contains("single:20+lane:4 lowered the foreground p99 page latency beyond the noise interval (754 ms"
            + " (95 % CI 676–806) against single:20's 1,646 ms (95 % CI 1,455–1,887), 54 % lower), but 35 of its"
            + " 1,668 background requests got no connection within the acquire timeout of 2,000 ms (the lane holds at"
            + " most 4): the pages' gain was paid for with failed prefetches")
        .contains("and 35 of 1,668 background requests failed.");
  }

  @Test
  void aLaneThatRaisesThePagesP99SaysSo() {
    String verdict = run(plain(), row("single:20+lane:4").latency(800, 1900, 2400, 2600).p99Interval(2200, 2550)
        .background(1400, 120, 400, 380, 420, 0).build()).verdict();

    assertThat(verdict)
        .contains("single:20+lane:4 raised the foreground p99 page latency beyond the noise interval: 2,400 ms")
        .contains("46 % higher")
        .contains("The prefetch did not pay for the lane: its p99 fell beyond the noise interval to 400 ms");
  }

  @Test
  void aLaneRowWithoutItsTwinIsReportedButNotCompared() {
    String verdict = run(fastPagesLane().background(1668, 374, 970, 936, 999, 0).build()).verdict();

    assertThat(verdict).contains("single:20+lane:4 ran without single:20 to compare with, so what the lane bought"
        + " cannot be told: foreground p99 page latency 754 ms (95 % CI 676–806), background p99 970 ms"
        + " (95 % CI 936–999), all 1,668 background requests completed.");
  }

  @Test
  void aLaneWithoutBackgroundRequestsHadNothingToDo() {
    String verdict = Reports.verdict(SampleResults.of(row("single:20").build(), row("single:20+lane:4").build()));

    assertThat(verdict).contains("single:20+lane:4 has a background lane, but no background requests were fired"
        + " (--background 0), so the lane had nothing to do and the row measured the same pools as single:20.");
  }

  @Test
  void failedBackgroundRequestsOfARowWithoutALaneAreCounted() {
    String verdict = run(row("single:20").background(1494, 263, 2100, 2000, 2200, 12).build()).verdict();

    assertThat(verdict).contains("12 of single:20's 1,494 background requests failed: 12 timed out waiting for a pool"
        + " connection.");
  }

  @Test
  void laneRowsStayOutOfTheComparisonsOfPoolsWithoutLanes() {
    String verdict = run(row("single:20+lane:4").pagesPerS(50).background(1500, 1, 2, 1, 3, 0).build(),
        row("single:50").pagesPerS(30).background(1500, 1, 2, 1, 3, 0).sized(1, 50).build(),
        row("hikari:20").pool("hikari").pagesPerS(30).background(1500, 1, 2, 1, 3, 0).build()).verdict();

    assertThat(verdict).doesNotContain("Poolwise and HikariCP").doesNotContain("At 20 connections Poolwise")
        .doesNotContain("single:50 served").doesNotContain("than single:20+lane:4");
  }

  /* --- Table --- */

  @Test
  void theTableShowsTheBackgroundColumnsOnlyWhenThereAreBackgroundRequests() {
    String withBackground = Reports.table(run(plain()));
    String without = Reports.table(SampleResults.typical());

    List<String> lines = withBackground.lines().toList();
    assertThat(lines.get(0)).contains("page latency (ms)", "background requests (ms)");
    assertThat(lines.get(1)).contains("p99 95% CI", "failed");
    assertThat(lines.stream().filter(l -> l.startsWith("single:20 ")).findFirst().orElseThrow())
        .contains("1,455–1,887").containsPattern("1,455–1,887\\s+263\\s+813\\s+0\\s");
    assertThat(withBackground).contains("background requests: fired after each");
    assertThat(without).doesNotContain("background");
  }

  /* --- results.json --- */

  @Test
  void resultsJsonCarriesTheBackgroundFiguresAndReadsBack() throws Exception {
    LabResults results = run(plain());
    Path file = dir.resolve("results.json");
    Reports.writeJson(results, file);
    JsonNode json = new ObjectMapper().readTree(Files.readString(file));

    assertThat(json.get("scenario").get("background_requests").asInt()).isEqualTo(6);
    JsonNode row = json.get("results").get(0);
    assertThat(row.get("page_latency_p99_ci_ms").get("low").asDouble()).isEqualTo(1455);
    assertThat(row.get("page_latency_p99_ci_ms").get("high").asDouble()).isEqualTo(1887);
    JsonNode background = row.get("background");
    assertThat(background.get("requests").asLong()).isEqualTo(1494);
    assertThat(background.get("latency_ms").get("p50").asDouble()).isEqualTo(263);
    assertThat(background.get("latency_ms").get("p99").asDouble()).isEqualTo(813);
    assertThat(background.get("failures").get("pool_timeout").asLong()).isZero();
    assertThat(background.get("failures").has("too_many_clients")).isTrue();
    assertThat(background.get("acquire_wait_ms").has("p99")).isTrue();
    assertThat(background.get("latency_p99_ci_ms").get("low").asDouble()).isEqualTo(788);
    assertThat(Reports.readJson(file)).isEqualTo(results);
  }

  @Test
  void withoutBackgroundRequestsTheRowSaysSo() throws Exception {
    Path file = dir.resolve("results.json");
    Reports.writeJson(SampleResults.typical(), file);
    JsonNode json = new ObjectMapper().readTree(Files.readString(file));

    assertThat(json.get("scenario").get("background_requests").asInt()).isZero();
    assertThat(json.get("results").get(0).get("background").isNull()).isTrue();
  }

  /* --- report.html --- */

  @Test
  void theReportDrawsTheLaneChartOnlyForRunsWithBackgroundRequests() throws Exception {
    Path with = dir.resolve("with.html");
    Path without = dir.resolve("without.html");
    Reports.writeHtml(run(plain(), fastPagesLane().background(1668, 374, 970, 936, 999, 0).build()), with);
    Reports.writeHtml(SampleResults.typical(), without);
    String withHtml = Files.readString(with);
    String withoutHtml = Files.readString(without);

    assertThat(withHtml).contains("id=\"chart-background\"")
        .contains("Background loading: page latency with and without the lane")
        .contains("<th colspan=\"3\">background requests (ms)</th>")
        .contains("<td class=\"interval\">1,455–1,887</td><td class=\"first\">263</td><td>813</td>")
        .contains("\"latency_p99_ci_ms\"");
    assertThat(withoutHtml).doesNotContain("id=\"chart-background\"").doesNotContain("background requests (ms)")
        .contains("<th colspan=\"5\">page latency (ms)</th><th colspan=\"4\">failed requests</th>");
  }
}
