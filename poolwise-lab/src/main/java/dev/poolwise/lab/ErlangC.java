package dev.poolwise.lab;

/**
 * The M/M/c queue (Erlang C): Poisson arrivals at rate λ, exponential holding times with mean 1/μ, c
 * connections, one FIFO queue in front of them. A connection pool with a fair waiter queue is this model with
 * "connections" for servers and "acquisitions" for calls.
 *
 * <p>All functions are pure and take the offered load {@code A = λ/μ} (in Erlangs: the mean number of
 * connections busy) and the number of connections {@code c}; times are in units of the mean holding time,
 * so a caller multiplies by its mean hold in milliseconds.
 */
final class ErlangC {

  /*
   * Numerics: the textbook formula A^c/c! · c/(c−A) / (Σ A^k/k! + …) overflows a double from c ≈ 170 (170! is
   * the largest factorial a double holds) and loses precision long before. Instead: the Erlang B recursion
   *   B(0) = 1,  B(k) = A·B(k−1) / (k + A·B(k−1))
   * keeps every intermediate value in [0, 1] and costs c steps, then
   *   C = c·B / (c − A·(1 − B)).
   * Both are standard (e.g. Kleinrock, "Queueing Systems", Vol. 1, ch. 3, the M/M/m queue, for Erlang C; the recursion is the
   * usual way telephone-traffic tables were computed). Error stays near machine precision for c in the
   * thousands and for utilisation arbitrarily close to 1 (the denominator c − A(1 − B) stays ≥ c·B > 0).
   *
   * Waiting time: an arrival waits with probability C; given that it waits, the wait is exponential with rate
   * cμ − λ = (c − A)μ. Hence P(W > t) = C·exp(−(c − A)·μ·t), the p-quantile is 0 when C ≤ 1 − p and
   * ln(C / (1 − p)) / ((c − A)·μ) otherwise, and E[W] = C / ((c − A)·μ).
   *
   * Instability: with A ≥ c the queue grows without bound; every function says so with a probability of 1
   * and infinite times rather than a negative number from the formula.
   */

  private ErlangC() {}

  /** Erlang B, the blocking probability of c servers without a queue; 1 for c = 0, 0 for A = 0 and c ≥ 1. */
  static double erlangB(int c, double offeredLoad) {
    requireValid(c, offeredLoad);
    double b = 1.0;
    for (int k = 1; k <= c; k++) {
      b = offeredLoad * b / (k + offeredLoad * b);
    }
    return b;
  }

  /** Whether the queue is stable: fewer Erlangs offered than connections. */
  static boolean stable(int c, double offeredLoad) {
    requireValid(c, offeredLoad);
    return offeredLoad < c;
  }

  /** P(W > 0): the probability that an acquisition finds every connection busy and waits. 1 when unstable. */
  static double waitProbability(int c, double offeredLoad) {
    requireValid(c, offeredLoad);
    if (!stable(c, offeredLoad)) {
      return 1.0;
    }
    if (offeredLoad == 0) {
      return 0.0;
    }
    double b = erlangB(c, offeredLoad);
    double probability = c * b / (c - offeredLoad * (1 - b));
    return Math.min(1.0, probability); // rounding may push it a hair above 1 right at the edge of stability
  }

  /**
   * P(W > t) for t in mean holding times: {@code C·exp(−(c − A)·t)}. 1 when unstable (every wait is
   * eventually longer than any t).
   */
  static double waitExceeds(int c, double offeredLoad, double holdTimes) {
    requireValid(c, offeredLoad);
    if (holdTimes < 0 || Double.isNaN(holdTimes)) {
      throw new IllegalArgumentException("a wait time must be ≥ 0; got " + holdTimes);
    }
    if (!stable(c, offeredLoad)) {
      return 1.0;
    }
    return waitProbability(c, offeredLoad) * Math.exp(-(c - offeredLoad) * holdTimes);
  }

  /**
   * The p-quantile of the wait over all acquisitions (waiting or not), in mean holding times: 0 when at most
   * {@code 1 − p} of acquisitions wait at all; {@link Double#POSITIVE_INFINITY} when unstable.
   */
  static double waitQuantile(int c, double offeredLoad, double p) {
    requireValid(c, offeredLoad);
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("a quantile must be strictly between 0 and 1; got " + p);
    }
    if (!stable(c, offeredLoad)) {
      return Double.POSITIVE_INFINITY;
    }
    double waitProbability = waitProbability(c, offeredLoad);
    double tail = 1 - p;
    if (waitProbability <= tail) {
      return 0.0;
    }
    return Math.log(waitProbability / tail) / (c - offeredLoad);
  }

  /** E[W] over all acquisitions, in mean holding times: {@code C / (c − A)}; infinite when unstable. */
  static double meanWait(int c, double offeredLoad) {
    requireValid(c, offeredLoad);
    if (!stable(c, offeredLoad)) {
      return Double.POSITIVE_INFINITY;
    }
    return waitProbability(c, offeredLoad) / (c - offeredLoad);
  }

  private static void requireValid(int c, double offeredLoad) {
    if (c < 0) {
      throw new IllegalArgumentException("the number of connections must be ≥ 0; got " + c);
    }
    if (!(offeredLoad >= 0) || Double.isInfinite(offeredLoad)) {
      throw new IllegalArgumentException("the offered load must be a finite number ≥ 0 Erlangs; got " + offeredLoad);
    }
  }
}
