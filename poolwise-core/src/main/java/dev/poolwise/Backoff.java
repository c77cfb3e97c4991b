package dev.poolwise;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, shared by connection creation and transaction retries: the n-th wait is
 * {@code initial × 2^(n−1)} capped at {@code max}, multiplied by a random factor so that many clients do not
 * retry in step. Overflow-safe for any n.
 */
final class Backoff {

  private Backoff() {}

  /**
   * @param attempt 1 for the wait after the first failure
   * @param jitter the spread around the base, e.g. 0.2 for ±20 % (the factor is drawn from [1 − j, 1 + j))
   */
  static long nanos(Duration initial, Duration max, int attempt, double jitter) {
    long initialNanos = initial.toNanos();
    long maxNanos = max.toNanos();
    int shift = Math.min(Math.max(attempt - 1, 0), 30);
    long base = initialNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, initialNanos << shift);
    double factor = 1 - jitter + 2 * jitter * ThreadLocalRandom.current().nextDouble();
    return (long) (base * factor);
  }
}
