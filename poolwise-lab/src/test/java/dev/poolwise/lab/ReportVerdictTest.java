package dev.poolwise.lab;

import static dev.poolwise.lab.SampleResults.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.lab.LabResults.TopologyResult;
import org.junit.jupiter.api.Test;

/** Each sentence of the verdict must follow from the numbers put in; change the numbers, the sentence changes. */
class ReportVerdictTest {

  @Test
  void typicalRunAnswersEveryQuestion() {
    String verdict = Reports.verdict(SampleResults.typical());

    assertThat(verdict)
        .startsWith("single:50 served the most pages with no failed request: 39.1 pages/s, p99 page latency 612 ms")
        .contains("per-module:70x5 had 1,234 of 8,820 requests refused with 53300 too many clients: 70 pools × 5 = 350"
            + " possible connections against max_connections 100 (97 for ordinary roles)")
        .contains("per-module:70x5 also had 12 requests time out waiting for a pool connection")
        .contains("One shared pool beat 3 round-robin pools: single:20 served 38.5 pages/s against partitioned:3x12's"
            + " 33.0")
        .contains("17 % more pages/s")
        .contains("with fewer connections (20 against 36)")
        .contains("Poolwise and HikariCP at equal size were within noise of each other")
        .contains("single:50 was not meaningfully better than single:20")
        .contains("the database, not the pool, was the limit")
        .contains("single:auto used the size the sizing model recommended, 24 connections")
        .contains("the model predicted a p99 acquire wait of 41 ms and 36 ms was measured")
        .contains("pgbouncer:4x20/20 was skipped: pgbouncer is not installed (no pgbouncer on PATH).");
  }

  @Test
  void theBestRowIsTheFastestWithoutFailuresNotTheFastestOverall() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").pagesPerS(30).build(),
        row("per-module:70x5").pagesPerS(45).failures(0, 500, 0).requests(9_000).sized(70, 350).build()));

    assertThat(verdict).startsWith("single:20 was the only topology without a failed request: 30.0 pages/s")
        .contains("per-module:70x5 completed more pages per second (45.0) but not all of its requests succeeded")
        .contains("per-module:70x5 had 500 of 9,000 requests refused with 53300 too many clients: 70 pools × 5 = 350"
            + " possible connections against max_connections 100");
  }

  @Test
  void aBiggerPoolThatHelpedIsSaidToHaveHelped() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:10").pagesPerS(20).acquire(150, 1_900, 2_000).failures(40, 0, 0).sized(1, 10).build(),
        row("single:50").pagesPerS(30).acquire(0.1, 5, 40).sized(1, 50).build()));

    assertThat(verdict)
        .contains("single:50 served 50 % more pages/s than single:10 (30.0 against 20.0 pages/s")
        .contains("at this load 10 connections were too few (single:10's p99 acquire wait 1,900 ms)")
        .contains("It also removed single:10's 40 pool timeouts")
        .contains("single:10 had 40 of 11,000 requests time out waiting for a pool connection: p99 acquire wait"
            + " 1,900 ms against an acquire timeout of 2,000 ms")
        .doesNotContain("the database, not the pool");
  }

  @Test
  void aBiggerPoolThatDidNotHelpWhileTheSmallOneWaitedPointsAtTheDatabase() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").pagesPerS(40).latency(200, 400, 600, 900).acquire(20, 150, 400).hold(5, 30).build(),
        row("single:50").pagesPerS(40.8).latency(198, 410, 590, 950).acquire(0.1, 3, 20).hold(12, 70)
            .sized(1, 50).build()));

    assertThat(verdict).contains("single:50 was not meaningfully better than single:20 (40.8 against 40.0 pages/s")
        .contains("single:20's requests waited for a connection (p99 acquire wait 150 ms)")
        .contains("the database, not the pool, was the limit; 30 more connections only moved the queue from the pool"
            + " into PostgreSQL (hold p50 5.0 → 12 ms)");
  }

  @Test
  void aBiggerPoolThatDidNotHelpBecauseNothingWaitedSaysThePoolWasNotTheLimit() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").pagesPerS(40).acquire(0.02, 0.3, 2).build(),
        row("single:50").pagesPerS(40.5).acquire(0.02, 0.25, 2).sized(1, 50).build()));

    assertThat(verdict).contains("single:20 rarely waited for a connection (p99 acquire wait 0.30 ms), so the pool was"
        + " not the limit at this load and 30 more connections had nothing to do").doesNotContain("database");
  }

  @Test
  void aBiggerPoolThatWasSlowerSaysSo() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").pagesPerS(40).hold(4, 30).build(),
        row("single:100").pagesPerS(30).hold(11, 90).sized(1, 100).build()));

    assertThat(verdict).contains("single:100 served 25 % fewer pages/s than single:20")
        .contains("more connections ran more queries at once inside PostgreSQL and each took longer (hold p50 4.0 → 11"
            + " ms)");
  }

  @Test
  void poolwiseAndHikariThatDifferAreNotCalledNoise() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").pagesPerS(40).latency(180, 400, 600, 900).build(),
        row("hikari:20").pool("hikari").pagesPerS(32).latency(220, 520, 750, 1200).build()));

    assertThat(verdict).contains("At 20 connections Poolwise served 25 % more pages/s than HikariCP with a 20 % lower"
        + " p99 page latency (single:20 40.0 against hikari:20 32.0 pages/s, p99 600 against 750 ms)")
        .doesNotContain("within noise of each other");
  }

  @Test
  void poolwiseAndHikariWithinFivePercentAreNoiseWhenTheResultsHaveNoIntervals() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").pagesPerS(40).latency(180, 400, 600, 900).build(),
        row("hikari:20").pool("hikari").pagesPerS(39).latency(181, 410, 620, 950).build()));

    assertThat(verdict).contains("Poolwise and HikariCP at equal size were within noise of each other (the 95 %"
        + " intervals overlap or the figures differ by under 5 %): single:20 40.0 against hikari:20 39.0 pages/s, p99"
        + " 600 against 620 ms.");
  }

  @Test
  void hikariWithoutAPoolwiseTwinIsNotCompared() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").pagesPerS(40).build(),
        row("hikari:50").pool("hikari").pagesPerS(20).sized(1, 50).build()));

    assertThat(verdict).doesNotContain("HikariCP");
  }

  @Test
  void partitionedPoolsThatWinAtEqualSizeAreReportedHonestly() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").pagesPerS(30).build(),
        row("partitioned:2x10").pagesPerS(36).sized(2, 20).build()));

    assertThat(verdict).contains("partitioned:2x10 beat single:20: 36.0 against 30.0 pages/s")
        .contains("queueing theory expects the opposite").doesNotContain("One shared pool beat");
  }

  @Test
  void partitionedPoolsThatLoseAtEqualSizeShowTheQueueingEffect() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:36").pagesPerS(40).latency(180, 400, 600, 900).acquire(2, 40, 200).sized(1, 36).build(),
        row("partitioned:3x12").pagesPerS(30).latency(200, 700, 1_200, 2_000).acquire(8, 400, 1_500).sized(3, 36)
            .build()));

    assertThat(verdict).contains("One shared pool beat 3 round-robin pools: single:36 served 40.0 pages/s against"
        + " partitioned:3x12's 30.0, p99 page latency 600 against 1,200 ms (33 % more pages/s and 50 % lower p99 page"
        + " latency) at equal total size (36 connections)")
        .contains("(p99 acquire wait 400 ms partitioned against 40 ms in one pool)");
  }

  @Test
  void partitionedPoolsThatOnlyMatchWithMoreConnectionsSaySo() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").pagesPerS(40).build(),
        row("partitioned:3x12").pagesPerS(40.4).sized(3, 36).build()));

    assertThat(verdict).contains("single:20 and partitioned:3x12 were within noise of each other")
        .contains("the 3 round-robin pools needed 36 connections to match 20 in one pool");
  }

  @Test
  void withoutPartitionedOrHikariRowsThoseSentencesAreLeftOut() {
    String verdict = Reports.verdict(SampleResults.of(row("single:20").pagesPerS(40).build()));

    assertThat(verdict).isEqualTo("single:20 served the most pages with no failed request: 40.0 pages/s, p99 page"
        + " latency 640 ms.");
  }

  @Test
  void everyRowFailing() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:5").pagesPerS(10).failures(300, 0, 0).sized(1, 5).build(),
        row("per-module:70x5").pagesPerS(8).failures(0, 900, 7).sized(70, 350).build()));

    assertThat(verdict).startsWith("Every topology that ran had failed requests; single:5 served the most pages: 10.0"
        + " pages/s with 300 failed requests.")
        .contains("per-module:70x5 also had 7 requests fail for other reasons.");
  }

  @Test
  void aRowThatCompletedNoPages() {
    TopologyResult stalled = row("single:2").pagesPerS(0).failures(0, 0, 50).sized(1, 2).build();

    String verdict = Reports.verdict(SampleResults.of(stalled));

    assertThat(verdict).startsWith("No topology completed a page")
        .contains("single:2 had 50 of 11,000 requests fail for other reasons.")
        .contains("single:2 completed no pages in the measured window.");
  }

  @Test
  void onlySkippedRows() {
    String verdict = Reports.verdict(SampleResults.of(
        TopologyResult.skipped("pgbouncer:4x20/20", "poolwise", "pgbouncer is not installed.")));

    assertThat(verdict).isEqualTo("No topology ran. pgbouncer:4x20/20 was skipped: pgbouncer is not installed.");
  }

  @Test
  void noRowsAtAll() {
    assertThat(Reports.verdict(SampleResults.of())).isEqualTo("No topology ran, so there is nothing to compare.");
  }

  @Test
  void theModelCheckFlagsAPredictionThatWasFarOff() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").acquire(2, 95, 300).predicted(88.0).build(),
        row("single:10").acquire(30, 400, 900).predicted(40.0).sized(1, 10).build()));

    assertThat(verdict).contains("single:20 88 ms predicted, 95 ms measured; single:10 40 ms predicted, 400 ms measured"
        + " (the model underestimated ×10.0)");
  }

  @Test
  void aPredictionThatIsNotANumberIsLeftOut() {
    String verdict = Reports.verdict(SampleResults.of(row("single:20").predicted(Double.NaN).build()));

    assertThat(verdict).doesNotContain("predicted").doesNotContain("NaN");
  }

  @Test
  void singleAutoIsComparedWithTheBest() {
    String verdict = Reports.verdict(SampleResults.of(
        row("single:20").pagesPerS(40).build(),
        row("single:auto").pagesPerS(30).acquire(5, 200, 900).sized(1, 8).predicted(60.0).build()));

    assertThat(verdict).contains("single:auto used the size the sizing model recommended, 8 connections: 30.0 pages/s")
        .contains("25 % below single:20")
        .contains("the model predicted a p99 acquire wait of 60 ms and 200 ms was measured (the model underestimated"
            + " ×3.3)");
  }

  @Test
  void sizesComeFromTheTopologyNameWhenTheRowDoesNotRecordThem() {
    String verdict = Reports.verdict(SampleResults.of(
        row("per-module:70x5").failures(0, 10, 0).sized(0, 0).build()));

    assertThat(verdict).contains("70 pools × 5 = 350 possible connections against max_connections 100");
  }

  @Test
  void pgBouncerIsComparedWithTheSamePoolsConnectingDirectly() {
    String verdict = Reports.verdict(SampleResults.of(
        row("per-module:70x5").pagesPerS(29.4).latency(240, 1_800, 2_950, 6_000).failures(0, 1_234, 0)
            .server(97, 88).sized(70, 350).build(),
        row("pgbouncer:70x5/20").pagesPerS(36).latency(190, 450, 700, 1_500).server(21, 20.5).sized(70, 350).build()));

    assertThat(verdict).contains("pgbouncer:70x5/20 put the same 70 pools × 5 behind PgBouncer with 20 server"
        + " connections: 36.0 pages/s, p99 page latency 700 ms, 0 refused with 53300, server peak 21 connections,"
        + " against per-module:70x5's 29.4 pages/s, p99 2,950 ms and 1,234 refused with 53300 (server peak 97).");
  }
}
