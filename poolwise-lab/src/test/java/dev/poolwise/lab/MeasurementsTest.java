package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MeasurementsTest {

  @Test
  void percentilesAreOrderedAndBucketsCountEveryValue() {
    Measurements measurements = new Measurements();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      // Log-uniform between 50 µs and 5 s: the spread of a page's latency under load.
      double micros = 50 * Math.pow(100_000, random.nextDouble());
      measurements.page(TimeUnit.MICROSECONDS.toNanos((long) micros));
      measurements.request(i % 100 == 0 ? FailureCause.POOL_TIMEOUT : i % 1000 == 1 ? FailureCause.POOL_LOCKED : null);
    }
    Measurements.Snapshot snapshot = measurements.snapshot();
    LabResults.Percentiles page = Measurements.percentiles(snapshot.pageLatency());
    assertThat(page.p50()).isLessThanOrEqualTo(page.p95());
    assertThat(page.p95()).isLessThanOrEqualTo(page.p99());
    assertThat(page.p99()).isLessThanOrEqualTo(page.max());
    assertThat(page.max()).isBetween(4_000.0, 5_100.0);
    List<LabResults.Bucket> buckets = Measurements.buckets(snapshot.pageLatency());
    assertThat(buckets).hasSize(Measurements.HISTOGRAM_BUCKETS);
    assertThat(buckets.stream().mapToLong(LabResults.Bucket::count).sum()).isEqualTo(10_000);
    assertThat(buckets).extracting(LabResults.Bucket::upToMs).isSorted();
    assertThat(buckets.get(buckets.size() - 1).upToMs()).isGreaterThanOrEqualTo(page.max());
    assertThat(snapshot.requests()).isEqualTo(10_000);
    assertThat(snapshot.failures()).isEqualTo(new LabResults.Failures(100, 0, 0, 10));
  }

  @Test
  void emptyWindowGivesZerosAndNoBuckets() {
    Measurements.Snapshot snapshot = new Measurements().snapshot();
    assertThat(Measurements.percentiles(snapshot.acquireWait())).isEqualTo(LabResults.Percentiles.ZERO);
    assertThat(Measurements.buckets(snapshot.acquireWait())).isEmpty();
    assertThat(snapshot.meanHoldMs()).isZero();
  }
}
