package dev.poolwise.lab;

import dev.poolwise.Poolwise;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.sql.DataSource;

/**
 * The seed's page load, driven against one topology's pools: {@link Scenario#users()} users each load pages in
 * a loop; a page fires its API requests in parallel; a request looks up the current user and organization (a
 * cache hit or, with {@link Scenario#cacheMissProbability()}, a query each) and then runs 1–3 queries in
 * parallel, each on its own connection, as the seed's requests did. With {@link Scenario#nested()} a request
 * instead opens a transaction on one connection and, still holding it, borrows a connection for each of its
 * other queries — the pattern that locks a pool.
 *
 * <p>Everything random (pages, routes, cache misses, query kinds and parameters) is drawn on the user's own
 * thread from a {@link SplittableRandom} split off the scenario's seed, before the page runs, so the sequence of
 * pages each user loads is the same on every run with the same seed, whatever the threads' timing.
 */
final class PageLoadWorkload {

  /*
   * Concurrency: one virtual thread per user, per request and per query beyond a request's first. Users stop
   * starting pages when told to and finish the page in flight; every page is bounded (each borrow by the acquire
   * timeout, each query by its own duration), so stopping is bounded too. Measuring is decided per page at its
   * start: a page started inside the measured window is recorded whole — its latency, its requests, and every
   * borrow it made — so the warm-up leaves nothing in the numbers.
   *
   * Failure modes: a failed borrow or query fails its request (classified by FailureCause) and never the user:
   * the user goes on to its next page, as a browser would.
   */

  /** Slow report query duration (the pg_sleep part), seconds. */
  static final double SLOW_QUERY_MIN_SECONDS = 0.1;
  static final double SLOW_QUERY_EXTRA_SECONDS = 0.2;

  private final Scenario scenario;
  private final PoolGroup pools;
  private final Measurements measurements;
  private volatile boolean stopping;
  private volatile long windowStartNanos = Long.MAX_VALUE;
  private volatile long windowEndNanos = Long.MAX_VALUE;

  PageLoadWorkload(Scenario scenario, PoolGroup pools, Measurements measurements) {
    this.scenario = scenario;
    this.pools = pools;
    this.measurements = measurements;
  }

  /** Called between phases: pages started from now until {@code toNanos} are measured. */
  void measureUntil(long fromNanos, long toNanos) {
    windowStartNanos = fromNanos;
    windowEndNanos = toNanos;
  }

  /** Starts the users; they run until {@link #stopAndJoin}. */
  List<Thread> start() {
    SplittableRandom root = new SplittableRandom(scenario.seed());
    List<Thread> users = new ArrayList<>(scenario.users());
    for (int user = 0; user < scenario.users(); user++) {
      SplittableRandom random = root.split();
      int userId = 1 + random.nextInt(LabSchema.USERS);
      users.add(Thread.ofVirtual().name("lab-user-" + (user + 1)).start(() -> loadPages(random, userId)));
    }
    return users;
  }

  /** Tells the users to stop after their current page and waits for them (bounded by {@code patience}). */
  boolean stopAndJoin(List<Thread> users, Duration patience) throws InterruptedException {
    stopping = true;
    long deadline = System.nanoTime() + patience.toNanos();
    for (Thread user : users) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !user.join(Duration.ofNanos(left))) {
        return false;
      }
    }
    return true;
  }

  /* --- Pages --- */

  private void loadPages(SplittableRandom random, int userId) {
    int organizationId = 1 + userId % LabSchema.ORGANIZATIONS;
    while (!stopping) {
      List<RequestPlan> page = planPage(random, userId, organizationId);
      long start = System.nanoTime();
      boolean measured = start >= windowStartNanos && start < windowEndNanos;
      List<Thread> requests = new ArrayList<>(page.size());
      FailureCause[] outcomes = new FailureCause[page.size()];
      for (int i = 0; i < page.size(); i++) {
        int index = i;
        RequestPlan request = page.get(i);
        requests.add(Thread.ofVirtual().start(() -> outcomes[index] = runRequest(request, measured)));
      }
      joinAll(requests);
      if (measured) {
        measurements.page(System.nanoTime() - start);
        for (FailureCause outcome : outcomes) {
          measurements.request(outcome);
        }
      }
      if (scenario.thinkTimeMs() > 0 && !stopping) {
        sleep(scenario.thinkTimeMs());
      }
    }
  }

  /** One query: its SQL and parameters. {@code seconds} is only used by the slow report. */
  record QueryPlan(String sql, int parameter, double seconds) {}

  /** One API request: its route, the lookups that missed the cache (null on a hit) and its queries. */
  record RequestPlan(int route, QueryPlan userLookup, QueryPlan organizationLookup, List<QueryPlan> queries) {}

  List<RequestPlan> planPage(SplittableRandom random, int userId, int organizationId) {
    int count = between(random, scenario.minRequestsPerPage(), scenario.maxRequestsPerPage());
    List<RequestPlan> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int route = random.nextInt(Math.max(1, scenario.routes()));
      QueryPlan user = random.nextDouble() < scenario.cacheMissProbability()
          ? new QueryPlan(LabSchema.USER_BY_ID, userId, 0) : null;
      QueryPlan organization = random.nextDouble() < scenario.cacheMissProbability()
          ? new QueryPlan(LabSchema.ORGANIZATION_BY_ID, organizationId, 0) : null;
      int queryCount = between(random, scenario.minQueriesPerRequest(), scenario.maxQueriesPerRequest());
      List<QueryPlan> queries = new ArrayList<>(queryCount);
      for (int q = 0; q < queryCount; q++) {
        queries.add(planQuery(random, organizationId));
      }
      requests.add(new RequestPlan(route, user, organization, List.copyOf(queries)));
    }
    return requests;
  }

  private QueryPlan planQuery(SplittableRandom random, int organizationId) {
    double kind = random.nextDouble();
    if (kind < scenario.slowQueryShare()) {
      double seconds = SLOW_QUERY_MIN_SECONDS + SLOW_QUERY_EXTRA_SECONDS * random.nextDouble();
      return new QueryPlan(LabSchema.ACTIVITY_REPORT, organizationId, Measurements.round(seconds));
    }
    if (kind < scenario.slowQueryShare() + scenario.listQueryShare()) {
      return new QueryPlan(LabSchema.TASK_LIST_OF_ORGANIZATION, organizationId, 0);
    }
    return switch (random.nextInt(3)) {
      case 0 -> new QueryPlan(LabSchema.TASK_BY_ID, 1 + random.nextInt(LabSchema.TASKS), 0);
      case 1 -> new QueryPlan(LabSchema.TASKS_OF_PROJECT, 1 + random.nextInt(LabSchema.PROJECTS), 0);
      default -> new QueryPlan(LabSchema.COMMENTS_OF_TASK, 1 + random.nextInt(LabSchema.TASKS), 0);
    };
  }

  /* --- Requests --- */

  /** Runs one request; returns null on success or why it failed (the first failure wins). */
  private FailureCause runRequest(RequestPlan request, boolean measured) {
    DataSource pool = pools.poolFor(request.route());
    String tag = "GET /api/route-" + (request.route() + 1);
    try (Poolwise.Scope ignored = Poolwise.tag(tag)) {
      if (scenario.nested()) {
        runNested(pool, request, measured);
      } else {
        if (request.userLookup() != null) {
          withConnection(pool, request.userLookup(), measured);
        }
        if (request.organizationLookup() != null) {
          withConnection(pool, request.organizationLookup(), measured);
        }
        runInParallel(pool, request.queries(), measured, tag);
      }
      return null;
    } catch (SQLException | RuntimeException e) {
      return FailureCause.classify(e);
    }
  }

  /**
   * The pool-locking pattern: a transaction stays open on one connection while the same thread borrows another
   * for each remaining query. With enough such requests at once every connection is held by a thread waiting
   * for a second one; Poolwise's guard notices and fails them at once, other pools wait for the timeout.
   */
  private void runNested(DataSource pool, RequestPlan request, boolean measured) throws SQLException {
    long askedAt = System.nanoTime();
    Connection outer;
    try {
      outer = pool.getConnection();
    } finally {
      if (measured) {
        measurements.acquireWait(System.nanoTime() - askedAt);
      }
    }
    long borrowedAt = System.nanoTime();
    try {
      outer.setAutoCommit(false);
      QueryPlan first = request.userLookup() != null ? request.userLookup()
          : new QueryPlan(LabSchema.USER_BY_ID, 1, 0);
      execute(outer, first);
      if (request.organizationLookup() != null) {
        withConnection(pool, request.organizationLookup(), measured);
      }
      for (QueryPlan query : request.queries()) {
        withConnection(pool, query, measured);
      }
      outer.commit();
    } finally {
      if (measured) {
        measurements.hold(System.nanoTime() - borrowedAt);
      }
      outer.close(); // rolls back if the commit was not reached
    }
  }

  private void runInParallel(DataSource pool, List<QueryPlan> queries, boolean measured, String tag) throws SQLException {
    if (queries.size() == 1) {
      withConnection(pool, queries.get(0), measured);
      return;
    }
    SQLException[] failures = new SQLException[queries.size()];
    RuntimeException[] crashes = new RuntimeException[queries.size()];
    List<Thread> threads = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      int index = i;
      threads.add(Thread.ofVirtual().start(() -> {
        try (Poolwise.Scope ignored = Poolwise.tag(tag)) {
          withConnection(pool, queries.get(index), measured);
        } catch (SQLException e) {
          failures[index] = e;
        } catch (RuntimeException e) {
          crashes[index] = e;
        }
      }));
    }
    joinAll(threads);
    for (int i = 0; i < queries.size(); i++) {
      if (failures[i] != null) {
        throw failures[i];
      }
      if (crashes[i] != null) {
        throw crashes[i];
      }
    }
  }

  /** Borrow, query, return — timing the wait inside {@code getConnection()} and the hold until {@code close()}. */
  private void withConnection(DataSource pool, QueryPlan query, boolean measured) throws SQLException {
    long askedAt = System.nanoTime();
    Connection connection;
    try {
      connection = pool.getConnection();
    } finally {
      if (measured) {
        measurements.acquireWait(System.nanoTime() - askedAt);
      }
    }
    long borrowedAt = System.nanoTime();
    try {
      execute(connection, query);
    } finally {
      if (measured) {
        measurements.hold(System.nanoTime() - borrowedAt);
      }
      connection.close();
    }
  }

  private static void execute(Connection connection, QueryPlan query) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
      int index = 1;
      if (query.sql().equals(LabSchema.ACTIVITY_REPORT)) {
        statement.setDouble(index++, query.seconds());
      }
      statement.setInt(index, query.parameter());
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          result.getObject(1); // read the rows, as an application would
        }
      }
    }
  }

  /* --- Helpers --- */

  private static int between(SplittableRandom random, int min, int max) {
    return max <= min ? min : min + random.nextInt(max - min + 1);
  }

  private static void joinAll(List<Thread> threads) {
    boolean interrupted = false;
    for (Thread thread : threads) {
      while (true) {
        try {
          thread.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
