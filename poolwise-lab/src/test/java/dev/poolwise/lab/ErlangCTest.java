package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ErlangCTest {

  /**
   * Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
   * (callcentrehelper.com): 100 calls per 30 minutes with an average handling time of 180 s is 10 Erlangs; with
   * 11 agents the probability that a call waits is 0.6821 (68.21 %), and the average speed of answer is
   * Pw × AHT / (N − A) = 0.6821 × 180 s ≈ 122.8 s.
   */
  @Test
  void callCentreHelperWorkedExample() {
    assertThat(ErlangC.waitProbability(11, 10.0)).isCloseTo(0.6821, within(0.00005));
    assertThat(ErlangC.meanWait(11, 10.0) * 180).isCloseTo(122.8, within(0.05));
    // Service level for a 20 s target: P(W > 20 s) = Pw · exp(−(N − A) · 20/180).
    assertThat(ErlangC.waitExceeds(11, 10.0, 20.0 / 180)).isCloseTo(0.6821 * Math.exp(-20.0 / 180), within(0.0001));
  }

  /**
   * Closed forms worked by hand from the M/M/c stationary distribution (Kleinrock, "Queueing Systems",
   * Vol. 1, ch. 3, the M/M/m queue): A = 2, c = 3 gives P0 = 1/9 and C = (A³/3!)·(3/(3−2))·P0 = 4/9; A = 1.5, c = 2 gives
   * P0 = 1/7 and C = 9/14.
   */
  @Test
  void smallSystemsMatchTheirClosedForms() {
    assertThat(ErlangC.waitProbability(3, 2.0)).isCloseTo(4.0 / 9, within(1e-12));
    assertThat(ErlangC.waitProbability(2, 1.5)).isCloseTo(9.0 / 14, within(1e-12));
    // M/M/1: C = ρ and E[W] = ρ/(1 − ρ) holding times.
    assertThat(ErlangC.waitProbability(1, 0.8)).isCloseTo(0.8, within(1e-12));
    assertThat(ErlangC.meanWait(1, 0.8)).isCloseTo(4.0, within(1e-9));
    // Erlang B: A = 2, c = 3 → (8/6) / (1 + 2 + 2 + 8/6) = 4/19.
    assertThat(ErlangC.erlangB(3, 2.0)).isCloseTo(4.0 / 19, within(1e-12));
  }

  /**
   * A question on Mathematics Stack Exchange ("probability of a customer joining a queue via Erlang C curve"):
   * 120 customers/hour, 3 minutes each (6 Erlangs), 10 servers — "from the Erlang C curve, the probability of
   * waiting is about 0.10".
   */
  @Test
  void textbookCurveReading() {
    assertThat(ErlangC.waitProbability(10, 6.0)).isCloseTo(0.10, within(0.005));
  }

  /** Large c near saturation: the recursion must agree with the formula summed in log space. */
  @Test
  void stableForHundredsOfServersNearSaturation() {
    for (int c : new int[] {50, 170, 171, 300, 500}) {
      for (double utilisation : new double[] {0.5, 0.9, 0.99, 0.999}) {
        double load = c * utilisation;
        double expected = logSpaceErlangC(c, load);
        assertThat(ErlangC.waitProbability(c, load)).as("c=%d A=%.3f", c, load).isCloseTo(expected, within(1e-9));
        assertThat(ErlangC.waitProbability(c, load)).isBetween(0.0, 1.0);
      }
    }
    assertThat(ErlangC.waitQuantile(300, 299.9, 0.99)).isFinite().isPositive();
  }

  @Test
  void quantileIsZeroWhenFewWaitAndMatchesTheTailOtherwise() {
    // A = 1.5, c = 5: C ≈ 0.0201 > 0.01, so the p99 is positive; c = 6: C < 0.01, so it is 0.
    assertThat(ErlangC.waitProbability(6, 1.5)).isLessThan(0.01);
    assertThat(ErlangC.waitQuantile(6, 1.5, 0.99)).isZero();
    double p99 = ErlangC.waitQuantile(5, 1.5, 0.99);
    assertThat(p99).isPositive();
    assertThat(ErlangC.waitExceeds(5, 1.5, p99)).isCloseTo(0.01, within(1e-12));
    // More connections never wait longer.
    double previous = Double.POSITIVE_INFINITY;
    for (int c = 2; c <= 12; c++) {
      double q = ErlangC.waitQuantile(c, 1.5, 0.99);
      assertThat(q).isLessThanOrEqualTo(previous);
      previous = q;
    }
  }

  @Test
  void boundaries() {
    assertThat(ErlangC.waitProbability(1, 0.0)).isZero();
    assertThat(ErlangC.waitQuantile(1, 0.0, 0.99)).isZero();
    assertThat(ErlangC.meanWait(4, 0.0)).isZero();
    assertThat(ErlangC.erlangB(0, 3.0)).isEqualTo(1.0);
    // Unstable: A ≥ c. Everyone waits, forever.
    assertThat(ErlangC.stable(10, 10.0)).isFalse();
    assertThat(ErlangC.waitProbability(10, 10.0)).isEqualTo(1.0);
    assertThat(ErlangC.waitProbability(10, 12.5)).isEqualTo(1.0);
    assertThat(ErlangC.waitQuantile(10, 10.0, 0.99)).isInfinite();
    assertThat(ErlangC.meanWait(10, 11.0)).isInfinite();
    assertThat(ErlangC.waitExceeds(0, 0.0, 1.0)).isEqualTo(1.0);
    // Just stable: finite, and the probability is within [0, 1].
    assertThat(ErlangC.waitProbability(10, 9.999999)).isLessThanOrEqualTo(1.0).isGreaterThan(0.99);
    assertThat(ErlangC.waitQuantile(10, 9.999999, 0.99)).isFinite();
    assertThatThrownBy(() -> ErlangC.waitProbability(-1, 1.0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ErlangC.waitProbability(3, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ErlangC.waitQuantile(3, 1.0, 1.0)).isInstanceOf(IllegalArgumentException.class);
  }

  /** The textbook formula, with factorials in log space so it can serve as an independent reference. */
  private static double logSpaceErlangC(int c, double load) {
    double[] logTerms = new double[c + 1];
    double logFactorial = 0;
    for (int k = 0; k < c; k++) {
      if (k > 0) {
        logFactorial += Math.log(k);
      }
      logTerms[k] = k * Math.log(load) - logFactorial;
    }
    logFactorial += Math.log(c);
    logTerms[c] = c * Math.log(load) - logFactorial + Math.log(c / (c - load));
    double max = Double.NEGATIVE_INFINITY;
    for (double t : logTerms) {
      max = Math.max(max, t);
    }
    double sum = 0;
    for (double t : logTerms) {
      sum += Math.exp(t - max);
    }
    return Math.exp(logTerms[c] - max) / sum;
  }
}
