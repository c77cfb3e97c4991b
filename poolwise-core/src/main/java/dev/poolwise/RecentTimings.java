package dev.poolwise;

import java.time.Duration;
import java.util.Arrays;

/**
 * The last {@value #WINDOW} durations of one kind (holds or waits) and when each ended: enough for
 * mean, percentiles and the event rate that the verdict and Little's law need, in fixed memory.
 *
 * <p>Concurrency: not thread-safe; the pool records and reads under its lock. Recording is two array
 * stores and an increment, so it adds nothing measurable to the critical section.
 */
final class RecentTimings {

  /** A power of two: a few seconds of traffic at typical rates, and cheap to sort on demand. */
  static final int WINDOW = 512;

  private final long[] durations = new long[WINDOW];
  private final long[] endedAt = new long[WINDOW];
  private long recorded;

  void record(long durationNanos, long endedAtNanos) {
    int slot = (int) (recorded & (WINDOW - 1));
    durations[slot] = durationNanos;
    endedAt[slot] = endedAtNanos;
    recorded++;
  }

  PoolSnapshot.TimingStats stats(long nowNanos) {
    int samples = (int) Math.min(recorded, WINDOW);
    if (samples == 0) {
      return PoolSnapshot.TimingStats.EMPTY;
    }
    long[] sorted = Arrays.copyOf(durations, samples);
    Arrays.sort(sorted);
    long sum = 0;
    for (long value : sorted) {
      sum += value;
    }
    long oldestAge = 0;
    for (int i = 0; i < samples; i++) {
      oldestAge = Math.max(oldestAge, nowNanos - endedAt[i]);
    }
    // The rate over the window: events per second since the oldest one still in it (at least 1 ms).
    double seconds = Math.max(oldestAge, 1_000_000L) / 1e9;
    return new PoolSnapshot.TimingStats(samples, Duration.ofNanos(sum / samples), percentile(sorted, 0.50),
        percentile(sorted, 0.95), percentile(sorted, 0.99), Duration.ofNanos(sorted[samples - 1]), samples / seconds);
  }

  private static Duration percentile(long[] sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return Duration.ofNanos(sorted[Math.max(0, Math.min(sorted.length - 1, index))]);
  }
}
