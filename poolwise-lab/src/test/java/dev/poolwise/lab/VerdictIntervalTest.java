package dev.poolwise.lab;

import static dev.poolwise.lab.SampleResults.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.lab.LabResults.TopologyResult;
import org.junit.jupiter.api.Test;

/**
 * The verdict's comparisons from constructed intervals: a win needs intervals that separate, overlapping intervals
 * are "within noise" whatever the point figures say, and figures that separate in opposite directions are a split
 * decision with no winner (issue 13: "partitioned:3x12 beat single:20: 63.3 against 63.9 pages/s, p99 page latency
 * 464 against 495 ms" must not be written again).
 */
class VerdictIntervalTest {

  /** The two rows, with the intervals one 15-second run gives them: they overlap in both figures. */
  private static TopologyResult single20() {
    return row("single:20").pagesPerS(63.9).pagesInterval(61.8, 66.0).latency(150, 350, 495, 900)
        .p99Interval(440, 560).build();
  }

  @Test
  void overlappingIntervalsAreATieWithTheIntervalsShownNotAWin() {
    TopologyResult partitioned = row("partitioned:3x12").pagesPerS(63.3).pagesInterval(61.0, 65.4)
        .latency(150, 340, 464, 880).p99Interval(420, 530).sized(3, 36).build();

    String verdict = Reports.verdict(SampleResults.of(single20(), partitioned));

    assertThat(Verdict.outcome(single20(), partitioned)).isEqualTo(Verdict.Outcome.WITHIN_NOISE);
    assertThat(verdict).doesNotContain("beat")
        .contains("single:20 and partitioned:3x12 were within noise of each other (63.9 against 63.3 pages/s"
            + " [95 % CI 61.8–66.0 and 61.0–65.4], p99 page latency 495 against 464 ms [95 % CI 440–560 and"
            + " 420–530])");
  }

  @Test
  void separatedIntervalsAreAWinInTheFigureThatSeparated() {
    TopologyResult partitioned = row("partitioned:3x12").pagesPerS(52.0).pagesInterval(50.1, 53.8)
        .latency(190, 600, 980, 1_500).p99Interval(900, 1_100).sized(3, 36).build();

    String verdict = Reports.verdict(SampleResults.of(single20(), partitioned));

    assertThat(Verdict.outcome(single20(), partitioned)).isEqualTo(Verdict.Outcome.FIRST);
    assertThat(verdict).contains("One shared pool beat 3 round-robin pools: single:20 served 63.9 pages/s against"
        + " partitioned:3x12's 52.0 [95 % CI 61.8–66.0 and 50.1–53.8], p99 page latency 495 against 980 ms"
        + " [95 % CI 440–560 and 900–1,100] (23 % more pages/s and 49 % lower p99 page latency)");
  }

  @Test
  void aDifferenceBeyondFivePercentWhoseIntervalsOverlapIsNoWin() {
    TopologyResult partitioned = row("partitioned:3x12").pagesPerS(60.0).pagesInterval(55.0, 64.0)
        .latency(150, 350, 560, 900).p99Interval(470, 700).sized(3, 36).build();

    assertThat(Verdict.pages(single20(), partitioned)).isEqualTo(Verdict.Difference.WITHIN_NOISE);
    assertThat(Verdict.p99(single20(), partitioned)).isEqualTo(Verdict.Difference.WITHIN_NOISE);
    assertThat(Reports.verdict(SampleResults.of(single20(), partitioned))).contains("were within noise of each other");
  }

  @Test
  void fewerPagesButALowerP99IsASplitDecisionWithoutAWinner() {
    TopologyResult partitioned = row("partitioned:3x12").pagesPerS(55.0).pagesInterval(53.0, 57.0)
        .latency(140, 250, 330, 600).p99Interval(300, 360).sized(3, 36).build();

    String verdict = Reports.verdict(SampleResults.of(single20(), partitioned));

    assertThat(Verdict.outcome(single20(), partitioned)).isEqualTo(Verdict.Outcome.SPLIT);
    assertThat(verdict).doesNotContain("beat")
        .contains("single:20 and partitioned:3x12 split the decision, neither was better on both figures: single:20"
            + " served more pages/s (63.9 against 55.0 [95 % CI 61.8–66.0 and 53.0–57.0]) but partitioned:3x12 had"
            + " the lower p99 page latency (330 against 495 ms [95 % CI 300–360 and 440–560]) with 20 connections in"
            + " one pool against 36 in 3 round-robin pools.");
  }

  @Test
  void poolwiseAgainstHikariSaysSplitWhenTheFiguresDisagree() {
    TopologyResult hikari = row("hikari:20").pool("hikari").pagesPerS(55.0).pagesInterval(53.0, 57.0)
        .latency(140, 250, 330, 600).p99Interval(300, 360).build();

    String verdict = Reports.verdict(SampleResults.of(single20(), hikari));

    assertThat(verdict).contains("At 20 connections Poolwise served 16 % more pages/s than HikariCP with a 50 %"
        + " higher p99 page latency (single:20 63.9 against hikari:20 55.0 pages/s [95 % CI 61.8–66.0 and"
        + " 53.0–57.0], p99 495 against 330 ms [95 % CI 440–560 and 300–360]): a split decision, neither pool was"
        + " better on both figures.");
  }

  @Test
  void poolwiseAndHikariWithOverlappingIntervalsAreWithinNoise() {
    TopologyResult hikari = row("hikari:20").pool("hikari").pagesPerS(60.5).pagesInterval(58.0, 62.5)
        .latency(150, 350, 530, 900).p99Interval(470, 600).build();

    assertThat(Reports.verdict(SampleResults.of(single20(), hikari)))
        .contains("Poolwise and HikariCP at equal size were within noise of each other (the 95 % intervals overlap"
            + " or the figures differ by under 5 %): single:20 63.9 against hikari:20 60.5 pages/s");
  }

  @Test
  void aTopologyGivenTwiceIsComparedFirstWithFirstAndSecondWithSecond() {
    // An interleaved compare (-t hikari:20,single:20,hikari:20,single:20) on a warming server: each Poolwise row
    // must meet the HikariCP row beside it, not the first single:20 every HikariCP row.
    TopologyResult hikariFirst = row("hikari:20").pool("hikari").pagesPerS(50.0).pagesInterval(48.0, 52.0)
        .latency(150, 500, 600, 900).p99Interval(560, 640).build();
    TopologyResult poolwiseFirst = row("single:20").pagesPerS(51.0).pagesInterval(49.0, 53.0)
        .latency(150, 500, 590, 900).p99Interval(550, 630).build();
    TopologyResult hikariSecond = row("hikari:20").pool("hikari").pagesPerS(64.0).pagesInterval(62.0, 66.0)
        .latency(140, 350, 470, 800).p99Interval(440, 500).build();
    TopologyResult poolwiseSecond = row("single:20").pagesPerS(64.5).pagesInterval(62.5, 66.5)
        .latency(140, 350, 465, 800).p99Interval(435, 495).build();

    String verdict = Reports.verdict(SampleResults.of(hikariFirst, poolwiseFirst, hikariSecond, poolwiseSecond));

    assertThat(verdict).contains("single:20 51.0 against hikari:20 50.0 pages/s")
        .contains("single:20 64.5 against hikari:20 64.0 pages/s")
        .doesNotContain("single:20 51.0 against hikari:20 64.0").doesNotContain("fewer pages/s than HikariCP");
  }

  @Test
  void aBiggerPoolWithMorePagesButAHigherP99IsASplit() {
    TopologyResult big = row("single:50").pagesPerS(70.0).pagesInterval(68.0, 72.0).latency(150, 400, 700, 1_200)
        .p99Interval(640, 760).sized(1, 50).build();

    assertThat(Reports.verdict(SampleResults.of(single20(), big)))
        .contains("single:50 served 9.5 % more pages/s than single:20 but with a higher p99 page latency (70.0 against"
            + " 63.9 pages/s [95 % CI 68.0–72.0 and 61.8–66.0], p99 page latency 700 against 495 ms [95 % CI 640–760"
            + " and 440–560]): a split decision, the bigger pool was not better on both figures.");
  }

  @Test
  void theBestRowNamesTheRowsWhoseIntervalsOverlapItsOwn() {
    TopologyResult hikari = row("hikari:20").pool("hikari").pagesPerS(62.0).pagesInterval(60.0, 64.0).build();

    assertThat(Reports.verdict(SampleResults.of(single20(), hikari)))
        .startsWith("single:20 served the most pages with no failed request: 63.9 pages/s (95 % CI 61.8–66.0), p99"
            + " page latency 495 ms (95 % CI 440–560) (hikari:20 was within noise of it).");
  }

  @Test
  void failuresDecideBeforeTheFigures() {
    TopologyResult failing = row("partitioned:3x12").pagesPerS(80).pagesInterval(78, 82).failures(5, 0, 0)
        .sized(3, 36).build();

    assertThat(Verdict.outcome(single20(), failing)).isEqualTo(Verdict.Outcome.FIRST);
  }
}
