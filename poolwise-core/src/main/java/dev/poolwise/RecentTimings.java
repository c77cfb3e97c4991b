package dev.poolwise;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;

/**
 * The last few durations of one kind (holds, waits or connects) and when each ended: enough for mean,
 * percentiles and the event rate that the verdict and Little's law need, in fixed memory.
 *
 * <p>Concurrency: one writer at a time, ordered by whatever hands the writing role over (the pool's lock
 * for connects; the entry's state for the per-connection hold and wait rings, which only the entry's
 * current owner writes, so the borrow path never writes a line another core also writes). Readers
 * ({@link #stats}) run on other threads without synchronization: a sample being overwritten while it is
 * read may pair one event's duration with another's end time, which moves a statistic by one sample and
 * is accepted for a lock-free borrow path.
 */
final class RecentTimings extends CacheLinePadding {

  /** The window of the pool-wide statistics: a few seconds of traffic at typical rates, cheap to sort. */
  static final int WINDOW = 512;
  /** The window kept per connection; {@link #stats(Collection, long)} merges the most recent across them. */
  static final int PER_CONNECTION = 64;

  private final long[] durations;
  private final long[] endedAt;
  private final int mask;
  private long recorded;

  RecentTimings() {
    this(WINDOW);
  }

  /** @param capacity a power of two */
  RecentTimings(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    durations = new long[capacity];
    endedAt = new long[capacity];
    mask = capacity - 1;
  }

  void record(long durationNanos, long endedAtNanos) {
    long count = recorded;
    int slot = (int) (count & mask);
    durations[slot] = durationNanos;
    endedAt[slot] = endedAtNanos;
    recorded = count + 1;
  }

  /** Copies every sample of {@code other} into this one, oldest first (a retiring connection's history). */
  void addAll(RecentTimings other) {
    long count = other.recorded;
    int samples = (int) Math.min(count, other.durations.length);
    for (long i = count - samples; i < count; i++) {
      int slot = (int) (i & other.mask);
      record(other.durations[slot], other.endedAt[slot]);
    }
  }

  PoolSnapshot.TimingStats stats(long nowNanos) {
    int samples = (int) Math.min(recorded, durations.length);
    return statsOf(Arrays.copyOf(durations, samples), Arrays.copyOf(endedAt, samples), samples, nowNanos);
  }

  /** Statistics over the most recent {@link #WINDOW} samples of all {@code sources} together. */
  static PoolSnapshot.TimingStats stats(Collection<RecentTimings> sources, long nowNanos) {
    int available = 0;
    for (RecentTimings source : sources) {
      available += (int) Math.min(source.recorded, source.durations.length);
    }
    long[] durations = new long[available];
    long[] ends = new long[available];
    int filled = 0;
    for (RecentTimings source : sources) {
      int samples = (int) Math.min(Math.min(source.recorded, source.durations.length), available - filled);
      System.arraycopy(source.durations, 0, durations, filled, samples);
      System.arraycopy(source.endedAt, 0, ends, filled, samples);
      filled += samples;
    }
    if (filled <= WINDOW) {
      return statsOf(durations, ends, filled, nowNanos);
    }
    // Keep the WINDOW most recent: order the indices by end time, newest first.
    Integer[] order = new Integer[filled];
    for (int i = 0; i < filled; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(ends[b] - nowNanos, ends[a] - nowNanos));
    long[] keptDurations = new long[WINDOW];
    long[] keptEnds = new long[WINDOW];
    for (int i = 0; i < WINDOW; i++) {
      keptDurations[i] = durations[order[i]];
      keptEnds[i] = ends[order[i]];
    }
    return statsOf(keptDurations, keptEnds, WINDOW, nowNanos);
  }

  private static PoolSnapshot.TimingStats statsOf(long[] durations, long[] endedAt, int samples, long nowNanos) {
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
