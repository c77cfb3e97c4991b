package dev.poolwise.lab;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The noise intervals the verdict uses before it calls one row better than another, both 95 % percentile
 * bootstraps. For the p99 ({@link #p99}), the measured events (pages, or background requests) are resampled with
 * replacement {@link #RESAMPLES} times, the p99 of every resample is taken, and the interval runs from the 2.5th to
 * the 97.5th percentile of those p99s. For pages/s ({@link #rate}), resampling single pages would change nothing
 * (their count is fixed), so the measured window is cut into equal time slices ({@link #slices}, one second each in
 * a default run) and the slices are resampled: a block bootstrap, in which the pages of one slice stay together
 * with whatever made that second slow or fast, and the interval is that of the mean pages per slice.
 *
 * <p>What it covers and what it does not: it is the sampling noise of a p99 taken from this many events in one
 * window (with a thousand pages the p99 rests on about ten of them, so the interval is wide). It does not see the
 * machine getting busier between two rows, which run one after the other; {@link Verdict} therefore also asks for
 * a difference of at least {@link Verdict#NOISE}, the lab's run-to-run noise floor. Resampling single events
 * treats them as independent, which pages of one user a few hundred milliseconds apart are not quite; the interval
 * is, if anything, too narrow, which the disjointness test in the verdict (stricter than a test on the
 * difference) makes up for.
 *
 * <p>Seeded, so a run's intervals are reproducible from its results.
 */
final class BootstrapInterval {

  /** Resamples per interval: enough for stable 2.5 % / 97.5 % tails, cheap for tens of thousands of events. */
  static final int RESAMPLES = 1_000;

  static final double PERCENTILE = 99;

  private BootstrapInterval() {}

  /** The 95 % interval of the p99 of the values recorded in {@code histogram} (microseconds), in ms; null if empty. */
  static LabResults.Interval p99(Histogram histogram, long seed) {
    long n = histogram.getTotalCount();
    if (n == 0 || n > Integer.MAX_VALUE / 2) {
      return null;
    }
    // The recorded values, ascending, each as its highest equivalent value, as Measurements.percentiles reports.
    long[] sorted = new long[(int) n];
    int filled = 0;
    for (HistogramIterationValue value : histogram.recordedValues()) {
      long micros = histogram.highestEquivalentValue(value.getValueIteratedTo());
      for (long i = 0; i < value.getCountAtValueIteratedTo(); i++) {
        sorted[filled++] = micros;
      }
    }
    return p99(sorted, seed);
  }

  /** The 95 % interval of the p99 of {@code sortedMicros} (ascending), in ms. */
  static LabResults.Interval p99(long[] sortedMicros, long seed) {
    int n = sortedMicros.length;
    int rank = rank(n);
    SplittableRandom random = new SplittableRandom(seed);
    int[] drawn = new int[n];
    long[] p99s = new long[RESAMPLES];
    for (int r = 0; r < RESAMPLES; r++) {
      // A resample as counts per position of the sorted values: its rank-th smallest is found in one scan.
      Arrays.fill(drawn, 0);
      for (int i = 0; i < n; i++) {
        drawn[random.nextInt(n)]++;
      }
      int seen = 0;
      int position = 0;
      while (seen + drawn[position] < rank) {
        seen += drawn[position++];
      }
      p99s[r] = sortedMicros[position];
    }
    Arrays.sort(p99s);
    return new LabResults.Interval(Measurements.ms(p99s[(int) (RESAMPLES * 0.025)]),
        Measurements.ms(p99s[(int) Math.ceil(RESAMPLES * 0.975) - 1]));
  }

  /** Fewest slices a rate interval is computed from; shorter windows get shorter slices. */
  static final int MIN_SLICES = 10;

  /** Slices for a window of {@code windowSeconds}: one per second, at least {@link #MIN_SLICES}. */
  static int slices(double windowSeconds) {
    return (int) Math.max(MIN_SLICES, Math.min(100_000, Math.round(windowSeconds)));
  }

  /**
   * The 95 % interval of a rate (events per second) from the events counted in equal time slices of
   * {@code sliceSeconds} each: the slices are resampled with replacement and the mean per slice taken; null with
   * fewer than two slices.
   */
  static LabResults.Interval rate(long[] eventsPerSlice, double sliceSeconds, long seed) {
    int n = eventsPerSlice.length;
    if (n < 2 || !(sliceSeconds > 0)) {
      return null;
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] rates = new double[RESAMPLES];
    for (int r = 0; r < RESAMPLES; r++) {
      long sum = 0;
      for (int i = 0; i < n; i++) {
        sum += eventsPerSlice[random.nextInt(n)];
      }
      rates[r] = sum / (double) n / sliceSeconds;
    }
    Arrays.sort(rates);
    return new LabResults.Interval(Measurements.round(rates[(int) (RESAMPLES * 0.025)]),
        Measurements.round(rates[(int) Math.ceil(RESAMPLES * 0.975) - 1]));
  }

  /** The 1-based rank of the p99 among n values: the smallest value with at least 99 % of the values at or below it. */
  static int rank(int n) {
    return Math.max(1, (int) Math.ceil(n * PERCENTILE / 100));
  }
}
