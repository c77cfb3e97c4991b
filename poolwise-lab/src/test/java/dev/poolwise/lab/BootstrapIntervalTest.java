package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BootstrapIntervalTest {

  @Test
  void theIntervalHoldsTheMeasuredP99AndIsReproducible() {
    Histogram pages = histogram(1_000, 7);
    LabResults.Percentiles measured = Measurements.percentiles(pages);

    LabResults.Interval interval = BootstrapInterval.p99(pages, 42);

    assertThat(interval.low()).isLessThanOrEqualTo(measured.p99());
    assertThat(interval.high()).isGreaterThanOrEqualTo(measured.p99()).isLessThanOrEqualTo(measured.max());
    assertThat(interval.low()).isLessThan(interval.high());
    assertThat(BootstrapInterval.p99(pages, 42)).isEqualTo(interval);
  }

  @Test
  void moreEventsGiveANarrowerInterval() {
    LabResults.Interval few = BootstrapInterval.p99(histogram(300, 1), 42);
    LabResults.Interval many = BootstrapInterval.p99(histogram(30_000, 1), 42);

    assertThat(many.high() - many.low()).isLessThan(few.high() - few.low());
  }

  @Test
  void anIdenticalValueEverywhereHasNoSpread() {
    long[] same = new long[200];
    java.util.Arrays.fill(same, 5_000);

    assertThat(BootstrapInterval.p99(same, 1)).isEqualTo(new LabResults.Interval(5.0, 5.0));
  }

  @Test
  void noEventsNoInterval() {
    assertThat(BootstrapInterval.p99(new Histogram(3), 1)).isNull();
  }

  @Test
  void theRankIsTheSmallestValueWithNinetyNinePercentAtOrBelowIt() {
    assertThat(BootstrapInterval.rank(1)).isEqualTo(1);
    assertThat(BootstrapInterval.rank(100)).isEqualTo(99);
    assertThat(BootstrapInterval.rank(101)).isEqualTo(100);
    assertThat(BootstrapInterval.rank(1_000)).isEqualTo(990);
  }

  @Test
  void intervalsThatShareAValueAreNotDisjoint() {
    LabResults.Interval a = new LabResults.Interval(10, 20);

    assertThat(a.disjointFrom(new LabResults.Interval(20, 30))).isFalse();
    assertThat(a.disjointFrom(new LabResults.Interval(20.5, 30))).isTrue();
    assertThat(new LabResults.Interval(0, 9.9).disjointFrom(a)).isTrue();
  }

  /** Page latencies in microseconds: log-normal around 50 ms, a long tail. */
  private static Histogram histogram(int events, long seed) {
    Histogram histogram = new Histogram(60_000_000L, 3);
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < events; i++) {
      double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
      histogram.recordValue(Math.round(50_000 * Math.exp(0.8 * gaussian)));
    }
    return histogram;
  }

  /* --- Known distributions --- */

  @Test
  void theP99IntervalCoversTheTrueP99OfAnExponentialAboutNinetyFivePercentOfTheTime() {
    // Exponential with mean 20 ms: the true p99 is 20 · ln(100) = 92.1 ms.
    double trueP99Ms = 20 * Math.log(100);
    SplittableRandom random = new SplittableRandom(2026);
    int trials = 100;
    int covered = 0;
    for (int trial = 0; trial < trials; trial++) {
      long[] micros = new long[1_000];
      for (int i = 0; i < micros.length; i++) {
        micros[i] = Math.round(-20_000 * Math.log(1 - random.nextDouble()));
      }
      java.util.Arrays.sort(micros);
      LabResults.Interval interval = BootstrapInterval.p99(micros, trial);
      if (interval.low() <= trueP99Ms && trueP99Ms <= interval.high()) {
        covered++;
      }
    }
    // Binomial(100, 0.95) falls below 85 with probability < 0.1 %; the trials are seeded, so this is fixed.
    assertThat(covered).isBetween(85, 100);
  }

  @Test
  void theRateIntervalOfPoissonSlicesCoversTheTrueRateAndHasTheExpectedWidth() {
    // 60 one-second slices of Poisson(80) pages: the mean's standard error is sqrt(80 / 60) = 1.15 pages/s.
    SplittableRandom random = new SplittableRandom(7);
    int trials = 100;
    int covered = 0;
    double widths = 0;
    for (int trial = 0; trial < trials; trial++) {
      long[] slices = new long[60];
      for (int i = 0; i < slices.length; i++) {
        slices[i] = poisson(random, 80);
      }
      LabResults.Interval interval = BootstrapInterval.rate(slices, 1.0, trial);
      widths += interval.high() - interval.low();
      if (interval.low() <= 80 && 80 <= interval.high()) {
        covered++;
      }
    }
    assertThat(covered).isBetween(85, 100);
    // 2 × 1.96 × 1.15 = 4.5 pages/s wide; the percentile bootstrap is a little narrower with 60 slices.
    assertThat(widths / trials).isBetween(3.8, 5.0);
  }

  @Test
  void aRateIntervalScalesWithTheSliceLengthAndNeedsTwoSlices() {
    long[] slices = {40, 42, 38, 41, 39, 40, 44, 36, 40, 40};

    LabResults.Interval perSecond = BootstrapInterval.rate(slices, 1.0, 3);
    LabResults.Interval perHalfSecond = BootstrapInterval.rate(slices, 0.5, 3);

    assertThat(perSecond.low()).isLessThan(40).isGreaterThan(37);
    assertThat(perSecond.high()).isGreaterThan(40).isLessThan(43);
    assertThat(perHalfSecond.low()).isCloseTo(2 * perSecond.low(), org.assertj.core.data.Offset.offset(0.01));
    assertThat(BootstrapInterval.rate(new long[] {40}, 1.0, 3)).isNull();
    assertThat(BootstrapInterval.slices(15)).isEqualTo(15);
    assertThat(BootstrapInterval.slices(3)).isEqualTo(BootstrapInterval.MIN_SLICES);
  }

  @Test
  void pagesAreCountedInTheSliceTheyStartedIn() {
    long start = 1_000_000_000L;
    long[] starts = {start - 1, start, start + 999_999_999L, start + 1_000_000_000L, start + 9_999_999_999L,
        start + 10_000_000_000L};
    Measurements.Snapshot snapshot = new Measurements.Snapshot(starts.length, 0, new LabResults.Failures(0, 0, 0), 0,
        0, new Histogram(3), new Histogram(3), new Histogram(3), starts, new LabResults.Retries(0, 0, 0, 0));

    long[] counts = snapshot.pagesPerSlice(start, 10_000_000_000L, 10);

    assertThat(counts).containsExactly(2, 1, 0, 0, 0, 0, 0, 0, 0, 1);
  }

  /** Knuth's method; fine for a mean of 80. */
  private static long poisson(SplittableRandom random, double mean) {
    double limit = Math.exp(-mean);
    double product = random.nextDouble();
    long count = 0;
    while (product > limit) {
      product *= random.nextDouble();
      count++;
    }
    return count;
  }
}
