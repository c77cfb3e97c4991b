package dev.poolwise.lab;

import java.util.List;

/** SKELETON — the sizing model (Little's law, Erlang C, server budget, pool-locking floor). */
final class Advisor {

  private Advisor() {}

  /**
   * What was measured (or assumed) about a workload.
   *
   * @param acquisitionsPerSecond borrows per second (the arrival rate λ)
   * @param meanHoldMs mean time a connection is held (1/μ)
   * @param serverBudget connections the server allows ordinary roles, minus those used by other clients
   * @param instances service instances sharing the budget
   * @param nestedConnectionsPerThread connections one thread holds at once when nested borrowing was seen (1 if not)
   * @param concurrentThreads threads that may borrow at once (for the pool-locking floor)
   * @param targetP99WaitMs the acceptable p99 acquire wait
   */
  record Input(double acquisitionsPerSecond, double meanHoldMs, int serverBudget, int instances,
      int nestedConnectionsPerThread, int concurrentThreads, double targetP99WaitMs) {}

  /** One candidate size with the model's predictions. */
  record Candidate(int size, double utilization, double waitProbability, double p99WaitMs) {}

  /**
   * @param recommendedSize the size to use
   * @param offeredLoad λ × W, the connections busy on average
   * @param candidates predictions for sizes around the recommendation
   * @param reasoning human-readable lines explaining the recommendation
   */
  record Advice(int recommendedSize, double offeredLoad, List<Candidate> candidates, List<String> reasoning) {}

  static Advice advise(Input input) {
    int size = Math.max(1, (int) Math.ceil(input.acquisitionsPerSecond() * input.meanHoldMs() / 1000.0 * 1.5));
    return new Advice(size, input.acquisitionsPerSecond() * input.meanHoldMs() / 1000.0, List.of(), List.of());
  }

  /** The model's p99 acquire wait (ms) for {@code size} connections under {@code input}'s load. */
  static double predictedP99WaitMs(Input input, int size) {
    return Double.NaN;
  }
}
