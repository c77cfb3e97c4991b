package dev.poolwise.lab;

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
    long seed) {

  public Duration duration() {
    return Duration.ofSeconds(durationSeconds);
  }
}
