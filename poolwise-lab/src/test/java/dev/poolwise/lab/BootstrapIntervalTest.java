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
}
