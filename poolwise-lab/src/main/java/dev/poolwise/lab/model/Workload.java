package dev.poolwise.lab.model;

import dev.poolwise.lab.Scenario;

/**
 * The page-load scenario as the simulator runs it: the lab's {@link Scenario} plus the request retry policy (the
 * seed's {@code executeWithRetry}: a request whose connection did not come in time tries again, {@code retryTries}
 * attempts in all, {@code retryIntervalMs} apart; 1 try is no retry).
 */
public record Workload(Scenario scenario, int retryTries, double retryIntervalMs) {

  public Workload {
    if (retryTries < 1) {
      throw new IllegalArgumentException("a request needs at least 1 try, got " + retryTries);
    }
    if (!(retryIntervalMs >= 0)) {
      throw new IllegalArgumentException("the retry interval must be >= 0 ms, got " + retryIntervalMs);
    }
  }

  /** The scenario with its own retries ({@code --retry}; one try when it has none or predates them). */
  public static Workload of(Scenario scenario) {
    return new Workload(scenario, Math.max(1, scenario.retryTries()), Math.max(0, scenario.retryIntervalMs()));
  }

  /** The same scenario with {@code tries} attempts per request, {@code intervalMs} apart. */
  public Workload withRetry(int tries, double intervalMs) {
    return new Workload(scenario, tries, intervalMs);
  }

  /** The same workload under another seed (other pages, same shape). */
  public Workload withSeed(long seed) {
    Scenario s = scenario;
    return new Workload(new Scenario(s.users(), s.durationSeconds(), s.warmupSeconds(), s.minRequestsPerPage(),
        s.maxRequestsPerPage(), s.minQueriesPerRequest(), s.maxQueriesPerRequest(), s.cacheMissProbability(),
        s.listQueryShare(), s.slowQueryShare(), s.thinkTimeMs(), s.routes(), s.acquireTimeoutMs(), s.nested(),
        s.backgroundRequests(), seed, s.retryTries(), s.retryIntervalMs()), retryTries, retryIntervalMs);
  }
}
