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
 * <p>With {@link Scenario#backgroundRequests()} N, after each page the user's browser fires N background requests
 * (the seed's filter prefetch: a list query each, for the next filter switch); the user thinks and loads the next
 * page while they run. They are timed from firing to answer and recorded in their own {@link Measurements}, never
 * in the page's latency. The next page does not wait for them; the batch after it does: before firing a new
 * batch the user's browser waits for its previous one, so a user has at most one batch
 * (N requests, about what a browser runs at once against one host) in flight, and a prefetch slower than a page
 * and a think time delays that user's next page but one — the cost shows in pages/s. (Firing without that bound
 * lets the batches pile up beyond what a lane of K can serve; see docs/lab.md.) On a {@code +lane:K} topology
 * every borrow of a background request is made inside
 * {@link Poolwise#lane} (on every thread the request uses: a lane, like a tag, belongs to the thread).
 *
 * <p>With {@link Scenario#retryPolicy()} (the seed's {@code executeWithRetry}, {@code --retry 3x1000ms}) a page
 * request whose connection did not come within the acquire timeout is tried again, whole, after the interval, up
 * to the policy's tries; the pause and the new try are part of the page's latency. Background requests are not
 * retried.
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
   * borrow it made — so the warm-up leaves nothing in the numbers. The background batch fired after a page is
   * measured when that page is. A user that stops waits for its last batch, bounded like a page.
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
  /** The background requests: a "page" here is one background request, timed from firing to answer. */
  private final Measurements background;
  private volatile boolean stopping;
  private volatile long windowStartNanos = Long.MAX_VALUE;
  private volatile long windowEndNanos = Long.MAX_VALUE;

  PageLoadWorkload(Scenario scenario, PoolGroup pools, Measurements measurements, Measurements background) {
    this.scenario = scenario;
    this.pools = pools;
    this.measurements = measurements;
    this.background = background;
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
    List<Thread> backgroundInFlight = List.of();
    while (!stopping) {
      List<RequestPlan> page = planPage(random, userId, organizationId);
      long start = System.nanoTime();
      boolean measured = start >= windowStartNanos && start < windowEndNanos;
      List<Thread> requests = new ArrayList<>(page.size());
      FailureCause[] outcomes = new FailureCause[page.size()];
      for (int i = 0; i < page.size(); i++) {
        int index = i;
        RequestPlan request = page.get(i);
        requests.add(Thread.ofVirtual().start(() -> outcomes[index] = runRequest(request,
            measured ? measurements : null, null, "GET /api/route-" + (request.route() + 1), scenario.retryPolicy())));
      }
      joinAll(requests);
      if (measured) {
        measurements.page(start, System.nanoTime() - start);
        for (FailureCause outcome : outcomes) {
          measurements.request(outcome);
        }
      }
      if (scenario.backgroundRequests() > 0) {
        joinAll(backgroundInFlight);
        backgroundInFlight = fireBackground(planBackground(random, userId, organizationId), measured);
      }
      if (scenario.thinkTimeMs() > 0 && !stopping) {
        sleep(scenario.thinkTimeMs());
      }
    }
    joinAll(backgroundInFlight);
  }

  /* --- Background requests --- */

  /**
   * The background batch after a page: each request is an API request like a page's (a route, the cache lookups)
   * whose work is one list query (join + sort), the seed's prefetch of the list behind the next filter.
   */
  List<RequestPlan> planBackground(SplittableRandom random, int userId, int organizationId) {
    List<RequestPlan> requests = new ArrayList<>(scenario.backgroundRequests());
    for (int i = 0; i < scenario.backgroundRequests(); i++) {
      requests.add(planRequest(random, userId, organizationId, true));
    }
    return requests;
  }

  /** Starts the batch and returns at once: the user does not wait for its prefetch. */
  private List<Thread> fireBackground(List<RequestPlan> batch, boolean measured) {
    long firedAt = System.nanoTime();
    List<Thread> threads = new ArrayList<>(batch.size());
    for (RequestPlan request : batch) {
      threads.add(Thread.ofVirtual().start(() -> {
        FailureCause outcome = runRequest(request, measured ? background : null, pools.backgroundLane(),
            "prefetch GET /api/route-" + (request.route() + 1), RetryPolicy.NONE);
        if (measured) {
          background.page(System.nanoTime() - firedAt);
          background.request(outcome);
        }
      }));
    }
    return threads;
  }

  /** One query: its SQL and parameters. {@code seconds} is only used by the slow report. */
  record QueryPlan(String sql, int parameter, double seconds) {}

  /** One API request: its route, the lookups that missed the cache (null on a hit) and its queries. */
  record RequestPlan(int route, QueryPlan userLookup, QueryPlan organizationLookup, List<QueryPlan> queries) {}

  List<RequestPlan> planPage(SplittableRandom random, int userId, int organizationId) {
    int count = between(random, scenario.minRequestsPerPage(), scenario.maxRequestsPerPage());
    List<RequestPlan> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      requests.add(planRequest(random, userId, organizationId, false));
    }
    return requests;
  }

  /**
   * One API request: a route, the two cache lookups, and its queries — 1–3 of the scenario's mix, or for a
   * {@code prefetch} one list query. A page request draws its random numbers in the order it always did, so
   * without {@code --background} a seed loads the same pages it did before background requests existed.
   */
  private RequestPlan planRequest(SplittableRandom random, int userId, int organizationId, boolean prefetch) {
    int route = random.nextInt(Math.max(1, scenario.routes()));
    QueryPlan user = lookup(random, LabSchema.USER_BY_ID, userId);
    QueryPlan organization = lookup(random, LabSchema.ORGANIZATION_BY_ID, organizationId);
    if (prefetch) {
      return new RequestPlan(route, user, organization,
          List.of(new QueryPlan(LabSchema.TASK_LIST_OF_ORGANIZATION, organizationId, 0)));
    }
    int queryCount = between(random, scenario.minQueriesPerRequest(), scenario.maxQueriesPerRequest());
    List<QueryPlan> queries = new ArrayList<>(queryCount);
    for (int q = 0; q < queryCount; q++) {
      queries.add(planQuery(random, organizationId));
    }
    return new RequestPlan(route, user, organization, List.copyOf(queries));
  }

  /** A cache lookup: a query on a miss, null on a hit. */
  private QueryPlan lookup(SplittableRandom random, String sql, int id) {
    return random.nextDouble() < scenario.cacheMissProbability() ? new QueryPlan(sql, id, 0) : null;
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

  /**
   * Runs one request as the seed's {@code executeWithRetry} did: a try that got no connection within the acquire
   * timeout is tried again after {@code retry}'s interval, up to its tries in all; any other failure, or the last
   * try's, is the request's. Returns null on success or why it failed. The retries are recorded in
   * {@code recorder} (null: not measured), and the pause is part of the page's latency, as it was for the seed's
   * users.
   */
  private FailureCause runRequest(RequestPlan request, Measurements recorder, String lane, String tag,
      RetryPolicy retry) {
    for (int tries = 1; ; tries++) {
      FailureCause outcome = tryRequest(request, recorder, lane, tag);
      if (outcome != FailureCause.POOL_TIMEOUT || tries >= retry.tries()) {
        if (recorder != null && tries > 1) {
          recorder.retried(tries, outcome, outcome == FailureCause.POOL_TIMEOUT);
        }
        return outcome;
      }
      sleep(retry.interval().toMillis());
    }
  }

  /**
   * One try of a request; returns null on success or why it failed (the first failure wins). Its borrows are
   * recorded in {@code recorder} (null: not measured) and made in {@code lane} (null: the default lane).
   */
  private FailureCause tryRequest(RequestPlan request, Measurements recorder, String lane, String tag) {
    DataSource pool = pools.poolFor(request.route());
    try (Poolwise.Scope ignored = scope(tag, lane)) {
      if (scenario.nested()) {
        runNested(pool, request, recorder);
      } else {
        if (request.userLookup() != null) {
          withConnection(pool, request.userLookup(), recorder);
        }
        if (request.organizationLookup() != null) {
          withConnection(pool, request.organizationLookup(), recorder);
        }
        runInParallel(pool, request.queries(), recorder, tag, lane);
      }
      return null;
    } catch (SQLException | RuntimeException e) {
      return FailureCause.classify(e);
    }
  }

  /** The request's tag and, when not null, its lane, on the current thread until closed. */
  private static Poolwise.Scope scope(String tag, String lane) {
    Poolwise.Scope tagScope = Poolwise.tag(tag);
    if (lane == null) {
      return tagScope;
    }
    Poolwise.Scope laneScope = Poolwise.lane(lane);
    return () -> {
      laneScope.close();
      tagScope.close();
    };
  }

  /**
   * The pool-locking pattern: a transaction stays open on one connection while the same thread borrows another
   * for each remaining query. With enough such requests at once every connection is held by a thread waiting
   * for a second one; Poolwise's guard notices and fails them at once, other pools wait for the timeout.
   */
  private void runNested(DataSource pool, RequestPlan request, Measurements recorder) throws SQLException {
    long askedAt = System.nanoTime();
    Connection outer;
    try {
      outer = pool.getConnection();
    } finally {
      if (recorder != null) {
        recorder.acquireWait(System.nanoTime() - askedAt);
      }
    }
    long borrowedAt = System.nanoTime();
    try {
      outer.setAutoCommit(false);
      QueryPlan first = request.userLookup() != null ? request.userLookup()
          : new QueryPlan(LabSchema.USER_BY_ID, 1, 0);
      execute(outer, first);
      if (request.organizationLookup() != null) {
        withConnection(pool, request.organizationLookup(), recorder);
      }
      for (QueryPlan query : request.queries()) {
        withConnection(pool, query, recorder);
      }
      outer.commit();
    } finally {
      if (recorder != null) {
        recorder.hold(System.nanoTime() - borrowedAt);
      }
      outer.close(); // rolls back if the commit was not reached
    }
  }

  private void runInParallel(DataSource pool, List<QueryPlan> queries, Measurements recorder, String tag, String lane)
      throws SQLException {
    if (queries.size() == 1) {
      withConnection(pool, queries.get(0), recorder);
      return;
    }
    SQLException[] failures = new SQLException[queries.size()];
    RuntimeException[] crashes = new RuntimeException[queries.size()];
    List<Thread> threads = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      int index = i;
      threads.add(Thread.ofVirtual().start(() -> {
        try (Poolwise.Scope ignored = scope(tag, lane)) {
          withConnection(pool, queries.get(index), recorder);
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
  private void withConnection(DataSource pool, QueryPlan query, Measurements recorder) throws SQLException {
    long askedAt = System.nanoTime();
    Connection connection;
    try {
      connection = pool.getConnection();
    } finally {
      if (recorder != null) {
        recorder.acquireWait(System.nanoTime() - askedAt);
      }
    }
    long borrowedAt = System.nanoTime();
    try {
      execute(connection, query);
    } finally {
      if (recorder != null) {
        recorder.hold(System.nanoTime() - borrowedAt);
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
