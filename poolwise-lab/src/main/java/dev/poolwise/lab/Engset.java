package dev.poolwise.lab;

/**
 * A pool used by a fixed number of callers (a thread pool of N, each borrowing, returning, working a while, borrowing
 * again): the finite-source delay system M/M/c//N, Engset's model with a queue. Unlike Erlang C's open stream, the
 * callers waiting are callers not arriving, so the wait stays finite even when N exceeds c and falls short of Erlang
 * C's at the same mean rate.
 *
 * <p>Inputs: {@code sources} N, connections c, and {@code thinkRatio} = mean time between a return and the same
 * caller's next borrow over the mean hold. Times come out in mean holding times.
 */
final class Engset {

  /*
   * Numerics: the birth–death chain with birth rate (N − k)/think and death rate min(k, c) has
   *   p(k) ∝ p(k−1) · (N − k + 1) / (think · min(k, c)).
   * The terms are computed one from the other and rescaled whenever they grow past 1e200, so N in the thousands does
   * not overflow. By the arrival theorem a borrow finds the chain of N − 1 sources in equilibrium; the mean wait
   * follows from Little's law, W = Lq / throughput, over the chain of N.
   */

  private Engset() {}

  /** Stationary probabilities of k = 0..N borrowers in the pool (holding or waiting). */
  static double[] distribution(int sources, int connections, double thinkRatio) {
    if (sources < 0 || connections < 1 || !(thinkRatio > 0)) {
      throw new IllegalArgumentException("Engset needs sources >= 0, connections >= 1 and a think ratio > 0; got "
          + sources + ", " + connections + ", " + thinkRatio);
    }
    double[] p = new double[sources + 1];
    p[0] = 1;
    double sum = 1;
    for (int k = 1; k <= sources; k++) {
      p[k] = p[k - 1] * (sources - k + 1) / (thinkRatio * Math.min(k, connections));
      if (p[k] > 1e200) {
        for (int j = 0; j <= k; j++) {
          p[j] /= 1e200;
        }
        sum /= 1e200;
      }
      sum += p[k];
    }
    for (int k = 0; k <= sources; k++) {
      p[k] /= sum;
    }
    return p;
  }

  /** The probability that a borrow waits: the N − 1 others hold every connection. */
  static double waitProbability(int sources, int connections, double thinkRatio) {
    if (sources <= connections) {
      return 0;
    }
    double[] others = distribution(sources - 1, connections, thinkRatio);
    double waiting = 0;
    for (int k = connections; k < others.length; k++) {
      waiting += others[k];
    }
    return waiting;
  }

  /** The mean wait of a borrow, in mean holding times. */
  static double meanWait(int sources, int connections, double thinkRatio) {
    double[] p = distribution(sources, connections, thinkRatio);
    double queued = 0;
    double throughput = 0;
    for (int k = 0; k <= sources; k++) {
      queued += Math.max(0, k - connections) * p[k];
      throughput += Math.min(k, connections) * p[k];
    }
    return throughput == 0 ? 0 : queued / throughput;
  }
}
