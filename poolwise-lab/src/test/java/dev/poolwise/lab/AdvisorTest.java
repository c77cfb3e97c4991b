package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AdvisorTest {

  private static Advisor.Input load(double perSecond, double holdMs) {
    return new Advisor.Input(perSecond, holdMs, 0, 1, 1, 0, 10);
  }

  @Test
  void littlesLawGivesTheOfferedLoad() {
    Advisor.Advice advice = Advisor.advise(load(2000, 5)); // 2000/s × 5 ms = 10 busy
    assertThat(advice.offeredLoad()).isCloseTo(10.0, within(1e-9));
    assertThat(advice.reasoning().get(0)).contains("2000 acquisitions/s", "5 ms", "10.00 connections busy");
  }

  @Test
  void recommendsTheSmallestSizeMeetingTheTarget() {
    Advisor.Input input = load(2000, 5);
    Advisor.Advice advice = Advisor.advise(input);
    int size = advice.recommendedSize();
    assertThat(Advisor.predictedP99WaitMs(input, size)).isLessThanOrEqualTo(10.0);
    assertThat(Advisor.predictedP99WaitMs(input, size - 1)).isGreaterThan(10.0);
    assertThat(size).isGreaterThan(10).isEqualTo(advice.queueingSize());
    // The table covers the first unstable size, the recommendation and two beyond, in order.
    assertThat(advice.candidates()).extracting(Advisor.Candidate::size).contains(10, 11, size, size + 2).isSorted();
    Advisor.Candidate unstable = advice.candidates().stream().filter(c -> c.size() == 10).findFirst().orElseThrow();
    assertThat(unstable.p99WaitMs()).isInfinite();
    assertThat(unstable.waitProbability()).isEqualTo(1.0);
    Advisor.Candidate eleven = advice.candidates().stream().filter(c -> c.size() == 11).findFirst().orElseThrow();
    assertThat(eleven.waitProbability()).isCloseTo(0.6821, within(0.0001)); // the call-centre example again
    assertThat(eleven.utilization()).isCloseTo(10.0 / 11, within(1e-9));
  }

  @Test
  void p99PredictionIsTheErlangQuantileInMilliseconds() {
    Advisor.Input input = load(2000, 5);
    assertThat(Advisor.predictedP99WaitMs(input, 11)).isCloseTo(5 * Math.log(0.6821182 / 0.01) / 1, within(0.001));
    assertThat(Advisor.predictedP99WaitMs(input, 10)).isInfinite();
    assertThat(Advisor.predictedP99WaitMs(input, 40)).isZero();
  }

  @Test
  void aLooserTargetNeverNeedsMoreConnections() {
    int strict = Advisor.advise(new Advisor.Input(2000, 5, 0, 1, 1, 0, 1)).recommendedSize();
    int loose = Advisor.advise(new Advisor.Input(2000, 5, 0, 1, 1, 0, 50)).recommendedSize();
    assertThat(loose).isLessThanOrEqualTo(strict);
    assertThat(Advisor.advise(new Advisor.Input(2000, 5, 0, 1, 1, 0, 0)).reasoning())
        .anyMatch(line -> line.contains("≤ 10 ms")); // the default target
  }

  @Test
  void poolLockingFloorRaisesTheSizeWhenNestingIsSeen() {
    // 20 threads each holding 2 at once: 20 × 1 + 1 = 21, above what the load (1 Erlang) needs.
    Advisor.Advice advice = Advisor.advise(new Advisor.Input(100, 10, 0, 1, 2, 20, 10));
    assertThat(advice.lockingFloor()).isEqualTo(21);
    assertThat(advice.recommendedSize()).isEqualTo(21);
    assertThat(advice.queueingSize()).isLessThan(21);
    assertThat(advice.reasoning()).anyMatch(line -> line.contains("20 threads × (2 connections each − 1) + 1 = 21"));
  }

  @Test
  void overBudgetSaysSoAndDoesNotRecommendMoreConnections() {
    // 97 usable server connections shared by 5 instances: 19 each; the load needs about 30.
    Advisor.Advice advice = Advisor.advise(new Advisor.Input(5000, 5, 97, 5, 1, 0, 10));
    assertThat(advice.budgetPerInstance()).isEqualTo(19);
    assertThat(advice.fitsBudget()).isFalse();
    assertThat(advice.recommendedSize()).isEqualTo(19);
    assertThat(advice.queueingSize()).isGreaterThan(25);
    assertThat(String.join("\n", advice.reasoning()))
        .contains("97 server connections ÷ 5 instances = 19 per instance", "does not fit", "PgBouncer",
            "fewer instances", "cannot keep up");
    assertThat(advice.candidates()).extracting(Advisor.Candidate::size).contains(19, advice.queueingSize());
  }

  @Test
  void withinBudgetSaysHowMuchIsLeft() {
    Advisor.Advice advice = Advisor.advise(new Advisor.Input(2000, 5, 97, 1, 1, 0, 10));
    assertThat(advice.fitsBudget()).isTrue();
    assertThat(advice.reasoning()).anyMatch(line -> line.contains("fits (" + (97 - advice.recommendedSize()) + " to spare)"));
  }

  @Test
  void noLoadStillGivesAUsableAnswer() {
    Advisor.Advice advice = Advisor.advise(load(0, 0));
    assertThat(advice.offeredLoad()).isZero();
    assertThat(advice.recommendedSize()).isEqualTo(1);
    assertThat(advice.reasoning().get(0)).startsWith("No load measured");
    assertThat(Advisor.predictedP99WaitMs(load(0, 0), 1)).isZero();
  }

  @Test
  void largeLoadsStayFastAndFinite() {
    Advisor.Input input = load(60_000, 5); // 300 Erlangs
    Advisor.Advice advice = Advisor.advise(input);
    assertThat(advice.recommendedSize()).isBetween(301, 360);
    assertThat(advice.candidates().size()).isLessThanOrEqualTo(40);
    assertThat(Advisor.predictedP99WaitMs(input, advice.recommendedSize())).isLessThanOrEqualTo(10.0);
  }
}
