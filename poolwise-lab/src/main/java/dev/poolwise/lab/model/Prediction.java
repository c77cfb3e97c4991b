package dev.poolwise.lab.model;

/**
 * What the model predicts for one row, in the units and shape of the row's measurement ({@code results.json}'s
 * {@code "prediction"}).
 *
 * @param pagesPerS measured-window pages per second
 * @param pageLatencyMs page latency percentiles
 * @param acquireWaitMs acquire wait, p99
 * @param failures failed requests by cause
 * @param serverConnectionsPeak the most server connections open at once in the measured window
 */
public record Prediction(double pagesPerS, PageLatency pageLatencyMs, AcquireWait acquireWaitMs,
    PredictedFailures failures, int serverConnectionsPeak) {

  public record PageLatency(double p50, double p99) {}

  public record AcquireWait(double p99) {}

  public record PredictedFailures(long tooManyClients, long timeout) {}
}
