package dev.poolwise.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

/**
 * What one topology's measured window recorded, the same for every topology: page latency, acquire wait (time
 * inside {@code getConnection()}, failed acquisitions included), hold time (from {@code getConnection()} returning
 * to {@code close()}), and requests and failures by cause.
 */
final class Measurements {

  /*
   * Concurrency: HdrHistogram's Recorder is wait-free for writers; the counters are LongAdders. Any number of
   * virtual threads record at once; the histograms are read once, after every worker has stopped.
   */

  /** Values are recorded in microseconds; ten minutes is beyond any page the lab can produce. */
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);
  private static final int SIGNIFICANT_DIGITS = 3;
  /** Buckets of the report's distribution charts, log-spaced. */
  static final int HISTOGRAM_BUCKETS = 30;

  private final Recorder pageLatency = new Recorder(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
  private final Recorder acquireWait = new Recorder(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
  private final Recorder hold = new Recorder(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
  private final LongAdder pages = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder poolTimeouts = new LongAdder();
  private final LongAdder tooManyClients = new LongAdder();
  private final LongAdder poolLocked = new LongAdder();
  private final LongAdder otherFailures = new LongAdder();
  private final LongAdder acquisitions = new LongAdder();
  private final LongAdder holdNanos = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder retriedRequests = new LongAdder();
  private final LongAdder succeededOnRetry = new LongAdder();
  private final LongAdder failedAfterAllTries = new LongAdder();
  /** When each measured page started ({@link System#nanoTime()}), for the pages/s interval; unordered. */
  private final ConcurrentLinkedQueue<Long> pageStarts = new ConcurrentLinkedQueue<>();

  void page(long nanos) {
    pages.increment();
    pageLatency.recordValue(micros(nanos));
  }

  /** A page that started at {@code startedAtNanos} ({@link System#nanoTime()}) and took {@code nanos}. */
  void page(long startedAtNanos, long nanos) {
    pageStarts.add(startedAtNanos);
    page(nanos);
  }

  void request(FailureCause failure) {
    requests.increment();
    if (failure != null) {
      switch (failure) {
        case POOL_TIMEOUT -> poolTimeouts.increment();
        case TOO_MANY_CLIENTS -> tooManyClients.increment();
        case POOL_LOCKED -> poolLocked.increment();
        case OTHER -> otherFailures.increment();
      }
    }
  }

  /**
   * A request that took {@code tries} tries (more than one: it was retried) and ended with {@code outcome} (null:
   * success); {@code exhausted} when its last try was the last one allowed and timed out too.
   */
  void retried(int tries, FailureCause outcome, boolean exhausted) {
    retries.add(tries - 1L);
    retriedRequests.increment();
    if (outcome == null) {
      succeededOnRetry.increment();
    } else if (exhausted) {
      failedAfterAllTries.increment();
    }
  }

  void acquireWait(long nanos) {
    acquireWait.recordValue(micros(nanos));
  }

  void hold(long nanos) {
    acquisitions.increment();
    holdNanos.add(nanos);
    hold.recordValue(micros(nanos));
  }

  /** Requests recorded so far; unlike {@link #snapshot} it may be read while the workers run. */
  long requestsSoFar() {
    return requests.sum();
  }

  /** Everything recorded so far, frozen. Call once, after the workers have stopped. */
  Snapshot snapshot() {
    return new Snapshot(pages.sum(), requests.sum(),
        new LabResults.Failures(poolTimeouts.sum(), tooManyClients.sum(), otherFailures.sum(), poolLocked.sum()),
        acquisitions.sum(), holdNanos.sum(), pageLatency.getIntervalHistogram(), acquireWait.getIntervalHistogram(),
        hold.getIntervalHistogram(), pageStarts.stream().mapToLong(Long::longValue).toArray(),
        new LabResults.Retries(retries.sum(), retriedRequests.sum(), succeededOnRetry.sum(), failedAfterAllTries.sum()));
  }

  /**
   * @param acquisitions successful borrows (each also a hold)
   * @param holdNanos the sum of their hold times
   * @param pageStartsNanos when each page recorded with its start began ({@link System#nanoTime()}), unordered
   * @param retries the requests' retries ({@code --retry})
   */
  record Snapshot(long pages, long requests, LabResults.Failures failures, long acquisitions, long holdNanos,
      Histogram pageLatency, Histogram acquireWait, Histogram hold, long[] pageStartsNanos,
      LabResults.Retries retries) {

    /**
     * The pages that started in each of {@code slices} equal slices of the window from {@code windowStartNanos}
     * lasting {@code windowNanos}; pages outside it are not counted.
     */
    long[] pagesPerSlice(long windowStartNanos, long windowNanos, int slices) {
      long[] counts = new long[slices];
      for (long start : pageStartsNanos) {
        long offset = start - windowStartNanos;
        if (offset >= 0 && offset < windowNanos) {
          counts[(int) Math.min(slices - 1, offset * (double) slices / windowNanos)]++;
        }
      }
      return counts;
    }

    double meanHoldMs() {
      return acquisitions == 0 ? 0 : holdNanos / 1e6 / acquisitions;
    }
  }

  private static long micros(long nanos) {
    return Math.min(HIGHEST_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)));
  }

  /* --- Turning histograms into the report's numbers --- */

  static LabResults.Percentiles percentiles(Histogram histogram) {
    if (histogram.getTotalCount() == 0) {
      return LabResults.Percentiles.ZERO;
    }
    // Each percentile is HdrHistogram's highest-equivalent value, so p50 <= p95 <= p99 <= max holds exactly.
    return new LabResults.Percentiles(ms(histogram.getValueAtPercentile(50)), ms(histogram.getValueAtPercentile(95)),
        ms(histogram.getValueAtPercentile(99)), ms(histogram.getMaxValue()));
  }

  /** ~30 log-spaced buckets from 0.1 ms (or the minimum) to the maximum; empty for an empty histogram. */
  static List<LabResults.Bucket> buckets(Histogram histogram) {
    if (histogram.getTotalCount() == 0) {
      return List.of();
    }
    double lowMs = Math.max(0.1, ms(histogram.getMinValue()));
    double highMs = Math.max(lowMs * 1.01, ms(histogram.getMaxValue()));
    double[] bounds = new double[HISTOGRAM_BUCKETS];
    double ratio = Math.pow(highMs / lowMs, 1.0 / (HISTOGRAM_BUCKETS - 1));
    for (int i = 0; i < HISTOGRAM_BUCKETS; i++) {
      bounds[i] = round(lowMs * Math.pow(ratio, i));
    }
    bounds[HISTOGRAM_BUCKETS - 1] = Math.max(bounds[HISTOGRAM_BUCKETS - 1], highMs);
    long[] counts = new long[HISTOGRAM_BUCKETS];
    for (HistogramIterationValue value : histogram.recordedValues()) {
      double valueMs = ms(histogram.highestEquivalentValue(value.getValueIteratedTo()));
      int bucket = 0;
      while (bucket < HISTOGRAM_BUCKETS - 1 && valueMs > bounds[bucket]) {
        bucket++;
      }
      counts[bucket] += value.getCountAtValueIteratedTo();
    }
    List<LabResults.Bucket> buckets = new ArrayList<>(HISTOGRAM_BUCKETS);
    for (int i = 0; i < HISTOGRAM_BUCKETS; i++) {
      buckets.add(new LabResults.Bucket(bounds[i], counts[i]));
    }
    return buckets;
  }

  static double ms(long micros) {
    return round(micros / 1000.0);
  }

  /** Three decimals: microsecond resolution, no floating-point noise in the JSON. */
  static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }
}
