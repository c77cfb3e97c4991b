package dev.poolwise.lab;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.Duration;

/**
 * The page-load scenario from the seed, every parameter with a flag and a default (see
 * {@code ./poolwise compare --help}). Immutable; the run is reproducible from these values and the seed.
 *
 * @param users concurrent users, each loading pages in a loop
 * @param durationSeconds measured time per topology
 * @param warmupSeconds unmeasured time per topology before measuring
 * @param minRequestsPerPage fewest parallel API requests a page fires
 * @param maxRequestsPerPage most parallel API requests a page fires
 * @param minQueriesPerRequest fewest parallel queries a request runs (each on its own connection)
 * @param maxQueriesPerRequest most parallel queries a request runs
 * @param cacheMissProbability probability that the user lookup, and separately the organization lookup,
 *     misses the cache and queries the database
 * @param listQueryShare share of queries that are list queries (join + sort) rather than indexed reads
 * @param slowQueryShare share of queries that are the slow report query
 * @param thinkTimeMs pause between two page loads of one user
 * @param routes API routes (the per-module topology binds each route to its own pool)
 * @param acquireTimeoutMs the pools' acquire timeout
 * @param nested a request holds a connection (open transaction) while it asks for its other ones
 * @param backgroundRequests background requests (list queries: the seed's filter prefetch) a user's browser fires
 *     after each page; they do not count toward page latency and are measured on their own. 0: none
 * @param seed the random seed
 * @param retryTries tries per request in all, the seed's {@code executeWithRetry} ({@code --retry}): a request whose
 *     connection did not come within the acquire timeout tries again, up to this many times; 1 (or 0, in results
 *     written before retries existed): no retry
 * @param retryIntervalMs pause between two tries of one request, ms
 */
public record Scenario(
    int users,
    int durationSeconds,
    int warmupSeconds,
    int minRequestsPerPage,
    int maxRequestsPerPage,
    int minQueriesPerRequest,
    int maxQueriesPerRequest,
    double cacheMissProbability,
    double listQueryShare,
    double slowQueryShare,
    int thinkTimeMs,
    int routes,
    int acquireTimeoutMs,
    boolean nested,
    int backgroundRequests,
    long seed,
    int retryTries,
    long retryIntervalMs) {

  /** The canonical constructor, the one {@code results.json} is read with. */
  @JsonCreator
  public Scenario {}

  /** A scenario without retries (one try per request). */
  public Scenario(int users, int durationSeconds, int warmupSeconds, int minRequestsPerPage, int maxRequestsPerPage,
      int minQueriesPerRequest, int maxQueriesPerRequest, double cacheMissProbability, double listQueryShare,
      double slowQueryShare, int thinkTimeMs, int routes, int acquireTimeoutMs, boolean nested,
      int backgroundRequests, long seed) {
    this(users, durationSeconds, warmupSeconds, minRequestsPerPage, maxRequestsPerPage, minQueriesPerRequest,
        maxQueriesPerRequest, cacheMissProbability, listQueryShare, slowQueryShare, thinkTimeMs, routes,
        acquireTimeoutMs, nested, backgroundRequests, seed, 1, 0);
  }

  /** The same scenario with {@code retry}. */
  Scenario withRetry(RetryPolicy retry) {
    return new Scenario(users, durationSeconds, warmupSeconds, minRequestsPerPage, maxRequestsPerPage,
        minQueriesPerRequest, maxQueriesPerRequest, cacheMissProbability, listQueryShare, slowQueryShare, thinkTimeMs,
        routes, acquireTimeoutMs, nested, backgroundRequests, seed, retry.tries(), retry.interval().toMillis());
  }

  /** {@code --retry} as a policy; {@link RetryPolicy#NONE} for one try (or results that predate retries). */
  RetryPolicy retryPolicy() {
    return retryTries <= 1 ? RetryPolicy.NONE
        : new RetryPolicy(retryTries, Duration.ofMillis(Math.max(0, retryIntervalMs)));
  }

  public Duration duration() {
    return Duration.ofSeconds(durationSeconds);
  }
}
