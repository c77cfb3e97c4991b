package dev.poolwise.lab.model;

import dev.poolwise.lab.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws one user's pages exactly as {@code PageLoadWorkload} does (same random numbers, in the same order, from the
 * same split of the scenario's seed), keeping only what the model needs: each query's kind and the slow report's
 * sleep. {@code PagePlannerTest} checks the two stay in step. Public only for that test, which lives beside the
 * lab's workload.
 */
public final class PagePlanner {

  /*
   * Concurrency: one planner per simulated user, used by the simulation's single thread. Failure modes: none.
   * The constants mirror LabSchema's row counts and PageLoadWorkload's slow-report range; they decide how many
   * random numbers a draw consumes, so a change there must be made here too (the test fails otherwise).
   */

  static final int USERS = 2_000;
  static final int ORGANIZATIONS = 50;
  static final int TASKS = 8_000;
  static final int PROJECTS = 400;
  static final double SLOW_QUERY_MIN_SECONDS = 0.1;
  static final double SLOW_QUERY_EXTRA_SECONDS = 0.2;

  /** One query: its kind and, for the slow report, its pg_sleep in ms (0 for the others). */
  public record Query(QueryKind kind, double sleepMs) {}

  /**
   * One API request: its route, whether the user and organization lookups missed the cache, and its queries.
   */
  public record Request(int route, boolean userMiss, boolean organizationMiss, List<Query> queries) {

    /** The cache-miss lookups, in the order the request runs them. */
    public List<Query> lookups() {
      List<Query> lookups = new ArrayList<>(2);
      if (userMiss) {
        lookups.add(new Query(QueryKind.USER_BY_ID, 0));
      }
      if (organizationMiss) {
        lookups.add(new Query(QueryKind.ORGANIZATION_BY_ID, 0));
      }
      return lookups;
    }
  }

  private final Scenario scenario;
  private final SplittableRandom random;

  /** Takes the user's split of the seed and draws its user id, as the lab does on starting the user. */
  public PagePlanner(Scenario scenario, SplittableRandom random) {
    this.scenario = scenario;
    this.random = random;
    random.nextInt(USERS); // the user id: the model does not need it, but the lab draws it first
  }

  public List<Request> page() {
    int count = between(scenario.minRequestsPerPage(), scenario.maxRequestsPerPage());
    List<Request> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      requests.add(request(false));
    }
    return requests;
  }

  public List<Request> background() {
    List<Request> requests = new ArrayList<>(scenario.backgroundRequests());
    for (int i = 0; i < scenario.backgroundRequests(); i++) {
      requests.add(request(true));
    }
    return requests;
  }

  private Request request(boolean prefetch) {
    int route = random.nextInt(Math.max(1, scenario.routes()));
    boolean userMiss = random.nextDouble() < scenario.cacheMissProbability();
    boolean organizationMiss = random.nextDouble() < scenario.cacheMissProbability();
    if (prefetch) {
      return new Request(route, userMiss, organizationMiss, List.of(new Query(QueryKind.TASK_LIST, 0)));
    }
    int queryCount = between(scenario.minQueriesPerRequest(), scenario.maxQueriesPerRequest());
    List<Query> queries = new ArrayList<>(queryCount);
    for (int q = 0; q < queryCount; q++) {
      queries.add(query());
    }
    return new Request(route, userMiss, organizationMiss, List.copyOf(queries));
  }

  private Query query() {
    double kind = random.nextDouble();
    if (kind < scenario.slowQueryShare()) {
      double seconds = SLOW_QUERY_MIN_SECONDS + SLOW_QUERY_EXTRA_SECONDS * random.nextDouble();
      return new Query(QueryKind.ACTIVITY_REPORT, Math.round(seconds * 1000.0));
    }
    if (kind < scenario.slowQueryShare() + scenario.listQueryShare()) {
      return new Query(QueryKind.TASK_LIST, 0);
    }
    return switch (random.nextInt(3)) {
      case 0 -> {
        random.nextInt(TASKS);
        yield new Query(QueryKind.TASK_BY_ID, 0);
      }
      case 1 -> {
        random.nextInt(PROJECTS);
        yield new Query(QueryKind.TASKS_OF_PROJECT, 0);
      }
      default -> {
        random.nextInt(TASKS);
        yield new Query(QueryKind.COMMENTS_OF_TASK, 0);
      }
    };
  }

  private int between(int min, int max) {
    return max <= min ? min : min + random.nextInt(max - min + 1);
  }
}
