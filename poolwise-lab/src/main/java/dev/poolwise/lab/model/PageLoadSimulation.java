package dev.poolwise.lab.model;

import dev.poolwise.lab.Scenario;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A discrete-event simulation of exactly what {@code PageLoadWorkload} runs against one topology: users loading
 * pages in a loop with think time, each page firing its requests at once, each request its cache-miss lookups one
 * after the other and then its queries in parallel on their own connections (or, with {@code --nested}, one
 * connection held in a transaction while the others are borrowed), background prefetch batches, acquire timeouts
 * and retries; the topology's pools ({@link SimPool}), PgBouncer ({@link SimBouncer}) and a server whose cores the
 * running queries share ({@link SharedCpu}). Warm-up and measured window are the lab's: a page started inside the
 * window is measured whole.
 *
 * <p>The pages are the lab's own: the same seed draws the same pages in the same order per user (see
 * {@link PagePlanner}), so the model and the lab differ in timing, never in work.
 */
public final class PageLoadSimulation {

  /*
   * Concurrency: none; one call simulates one row on the caller's thread, deterministically (same inputs, same
   * result). Failure modes: a workload that never ends (an unbounded retry storm) is cut off DRAIN_LIMIT_MS after
   * the window; unfinished pages then do not count, as a lab run would report them as still running.
   */

  /**
   * The client's work before each borrow, ms on one of its threads: in the lab, the request's or the query's virtual
   * thread is started and must be mounted on a carrier before it calls {@code getConnection}, and the carriers share
   * the machine's cores with the busy backends. A page's 8–12 requests and their queries therefore do not ask for
   * their connections in one instant, as the model had them do, but one after another as the carriers get to them.
   * Without this the model had pools of 50 wait 2–4 times as often as the lab measured (13–16 % of borrows against
   * 2–5 %), its p99 waits long for pools of 50 and short for pools of 20. The value is fitted, not measured: the lab
   * JVM's CPU per borrow is about 0.06 ms in all (half of it the queries' client parts, {@link ServerModel}), and
   * 0.1 ms of work on the carriers stands for that CPU together with the carriers' scheduling delay, which the model
   * has no other place for. On eight stored default compares, 0.085 to 0.12 ms gave the same fit (docs/model.md).
   */
  static final double CLIENT_WORK_BEFORE_BORROW_MS = 0.1;

  /** How long after the window the simulation lets pages in flight finish. */
  static final double DRAIN_LIMIT_MS = 120_000;

  private final EventLoop loop = new EventLoop();
  private final Workload workload;
  private final Scenario scenario;
  private final SimDatabase database;
  private final SimBouncer bouncer;
  private final List<SimPool> pools = new ArrayList<>();
  private final PoolLayout layout;
  private final SimDatabase.Window window;
  private final Recorder pages = new Recorder();
  private final Recorder acquireWaits = new Recorder();
  private final Recorder holds = new Recorder();
  private long roundRobin;
  private long tooManyClients;
  private long timeouts;
  private long otherFailures;
  private long requests;
  private boolean stopping;

  private PageLoadSimulation(Workload workload, PoolLayout layout, ServerModel server) {
    this.workload = workload;
    this.scenario = workload.scenario();
    this.layout = layout;
    double windowStart = scenario.warmupSeconds() * 1000.0;
    this.window = new SimDatabase.Window(windowStart, windowStart + scenario.durationSeconds() * 1000.0);
    this.database = new SimDatabase(loop, server, window);
    this.bouncer = layout.bouncerServerPool() > 0 ? new SimBouncer(loop, database, layout.bouncerServerPool(),
        server.connectionSetupMs()) : null;
    SimPool.Connector connector = bouncer != null ? bouncer.clientConnector() : new SimPool.Connector() {
      @Override
      public void open(java.util.function.Consumer<Boolean> done) {
        database.open(done);
      }

      @Override
      public void close() {
        database.close();
      }

      @Override
      public void validate(Runnable done) {
        database.roundTrip(false, done);
      }
    };
    for (int i = 0; i < layout.pools(); i++) {
      pools.add(new SimPool(loop, connector, layout.size(), layout.minIdle(), layout.backgroundLane(),
          scenario.acquireTimeoutMs(), layout.library() == PoolLayout.Library.POOLWISE, scenario.seed() * 31 + i,
          SimPool.VALIDATE_AFTER_IDLE_MS));
    }
  }

  /** The row's prediction: the measured window's pages/s, latencies, failures and connection peak. */
  public static Prediction predict(Workload workload, PoolLayout layout, ServerModel server) {
    return simulate(workload, layout, server).prediction();
  }

  /** The whole outcome, with the raw samples (for intervals and the trace model's holds). */
  static Outcome simulate(Workload workload, PoolLayout layout, ServerModel server) {
    PageLoadSimulation simulation = new PageLoadSimulation(workload, layout, server);
    return simulation.run();
  }

  /**
   * @param pageLatencies the measured pages' latencies, ms, sorted
   * @param acquireWaits every measured borrow's wait (failed ones included), ms, sorted
   * @param holds every measured borrow's hold, ms, sorted
   */
  record Outcome(Prediction prediction, double[] pageLatencies, double[] acquireWaits, double[] holds, long requests,
      long otherFailures) {}

  private Outcome run() {
    pools.forEach(SimPool::start);
    SplittableRandom root = new SplittableRandom(scenario.seed());
    for (int u = 0; u < scenario.users(); u++) {
      new User(new PagePlanner(scenario, root.split()), u).nextPage();
    }
    loop.after(window.startMs(), database::windowOpened);
    loop.after(window.endMs(), () -> stopping = true);
    loop.runUntil(window.endMs() + DRAIN_LIMIT_MS);
    double[] latencies = pages.sorted();
    double[] waits = acquireWaits.sorted();
    Prediction prediction = new Prediction(round(latencies.length / (scenario.durationSeconds() * 1.0)),
        new Prediction.PageLatency(round(percentile(latencies, 50)), round(percentile(latencies, 99))),
        new Prediction.AcquireWait(round(percentile(waits, 99))),
        new Prediction.PredictedFailures(tooManyClients, timeouts), database.peakInWindow());
    return new Outcome(prediction, latencies, waits, holds.sorted(), requests, otherFailures);
  }

  /* --- Users and pages --- */

  private final class User {
    private final PagePlanner planner;
    /** 0-based, in the order the users start: binds the user to a pool under {@link PoolLayout.Routing#BY_USER}. */
    private final int userIndex;
    /** Background requests of this user's last batch still running. */
    private int backgroundInFlight;
    private Runnable afterBackground;

    User(PagePlanner planner, int index) {
      this.planner = planner;
      this.userIndex = index;
    }

    void nextPage() {
      if (stopping) {
        return;
      }
      List<PagePlanner.Request> page = planner.page();
      double start = loop.now();
      boolean measured = window.contains(start);
      int[] left = {page.size()};
      Failure[] outcomes = new Failure[page.size()];
      for (int i = 0; i < page.size(); i++) {
        int index = i;
        new RequestRun(page.get(i), userIndex, measured, false, outcome -> {
          outcomes[index] = outcome;
          if (--left[0] == 0) {
            pageDone(start, measured, outcomes);
          }
        }).start(1);
      }
    }

    private void pageDone(double start, boolean measured, Failure[] outcomes) {
      if (measured) {
        pages.add(loop.now() - start);
        for (Failure outcome : outcomes) {
          count(outcome);
        }
      }
      if (scenario.backgroundRequests() > 0) {
        // The browser waits for its previous batch before firing the next one.
        List<PagePlanner.Request> batch = planner.background();
        whenBackgroundDone(() -> fireBackground(batch, measured));
      } else {
        think();
      }
    }

    private void whenBackgroundDone(Runnable then) {
      if (backgroundInFlight == 0) {
        then.run();
        think();
      } else {
        afterBackground = () -> {
          then.run();
          think();
        };
      }
    }

    private void fireBackground(List<PagePlanner.Request> batch, boolean measured) {
      backgroundInFlight = batch.size();
      for (PagePlanner.Request request : batch) {
        new RequestRun(request, userIndex, false, true, outcome -> {
          if (--backgroundInFlight == 0 && afterBackground != null) {
            Runnable next = afterBackground;
            afterBackground = null;
            next.run();
          }
        }).start(1);
      }
    }

    private void think() {
      loop.after(scenario.thinkTimeMs(), this::nextPage);
    }
  }

  private void count(Failure outcome) {
    requests++;
    if (outcome == null) {
      return;
    }
    switch (outcome) {
      case TIMEOUT -> timeouts++;
      case TOO_MANY_CLIENTS -> tooManyClients++;
      case OTHER -> otherFailures++;
    }
  }

  /* --- Requests --- */

  /** Where a step of a request goes when it is done: null on success, else why it failed. */
  private interface Done {
    void accept(Failure failure);
  }

  /**
   * One API request (one try of it, with its retries): its lookups one after the other, then its queries in
   * parallel, or nested inside one held connection.
   */
  private final class RequestRun {
    private final PagePlanner.Request plan;
    private final int user;
    private final boolean measured;
    private final boolean background;
    private final Done done;
    private SimPool pool;
    /**
     * The request thread's connections, for the pool-locking guard: a nested request borrows on one thread; a
     * parallel request's queries each borrow on a thread of their own (a fresh holder per borrow).
     */
    private final SimPool.Holder requestThread = new SimPool.Holder();

    RequestRun(PagePlanner.Request plan, int user, boolean measured, boolean background, Done done) {
      this.plan = plan;
      this.user = user;
      this.measured = measured;
      this.background = background;
      this.done = done;
    }

    void start(int attempt) {
      pool = poolFor(plan.route(), user);
      Done afterTry = failure -> {
        boolean timedOut = failure == Failure.TIMEOUT || failure == Failure.TOO_MANY_CLIENTS;
        if (timedOut && attempt < workload.retryTries()) {
          loop.after(workload.retryIntervalMs(), () -> start(attempt + 1));
        } else {
          done.accept(failure);
        }
      };
      if (scenario.nested()) {
        nested(afterTry);
      } else {
        lookups(0, afterTry);
      }
    }

    /** The cache-miss lookups, one after the other, then the queries. */
    private void lookups(int index, Done then) {
      List<PagePlanner.Query> misses = plan.lookups();
      if (index == misses.size()) {
        parallel(then);
        return;
      }
      withConnection(misses.get(index), failure -> {
        if (failure != null) {
          then.accept(failure);
        } else {
          lookups(index + 1, then);
        }
      });
    }

    private void parallel(Done then) {
      List<PagePlanner.Query> queries = plan.queries();
      int[] left = {queries.size()};
      Failure[] first = {null};
      for (PagePlanner.Query query : queries) {
        withConnection(query, failure -> {
          if (failure != null && first[0] == null) {
            first[0] = failure;
          }
          if (--left[0] == 0) {
            then.accept(first[0]);
          }
        });
      }
    }

    /** The pool-locking pattern: a transaction open on one connection while each other query borrows another. */
    private void nested(Done then) {
      borrow(granted -> {
        if (!granted.ok()) {
          then.accept(granted.failure());
          return;
        }
        // As the lab: the user lookup (a query whether or not the cache missed) on the held connection, then the
        // organization lookup on a miss and every query, one after the other, each on a connection of its own.
        List<PagePlanner.Query> inner = new ArrayList<>();
        if (plan.organizationMiss()) {
          inner.add(new PagePlanner.Query(QueryKind.ORGANIZATION_BY_ID, 0));
        }
        inner.addAll(plan.queries());
        PagePlanner.Query first = new PagePlanner.Query(QueryKind.USER_BY_ID, 0);
        // The transaction holds a PgBouncer server connection from its first query to its commit.
        inTransaction(txn -> database.query(first.kind(), first.sleepMs(), bouncer != null, () -> sequential(inner, 0, failure -> {
          txn.run();
          granted.release().run();
          then.accept(failure);
        })));
      });
    }

    private void sequential(List<PagePlanner.Query> queries, int index, Done then) {
      if (index == queries.size()) {
        then.accept(null);
        return;
      }
      withConnection(queries.get(index), failure -> {
        if (failure != null) {
          then.accept(failure);
        } else {
          sequential(queries, index + 1, then);
        }
      });
    }

    /** Borrow, query, return. */
    private void withConnection(PagePlanner.Query query, Done then) {
      borrow(granted -> {
        if (!granted.ok()) {
          then.accept(granted.failure());
          return;
        }
        inTransaction(txn -> database.query(query.kind(), query.sleepMs(), bouncer != null, () -> {
          txn.run();
          granted.release().run();
          then.accept(null);
        }));
      });
    }

    /** Runs {@code body} with a server connection: at once without PgBouncer, else once PgBouncer assigns one. */
    private void inTransaction(java.util.function.Consumer<Runnable> body) {
      if (bouncer == null) {
        body.accept(() -> {});
      } else {
        bouncer.begin(() -> body.accept(bouncer::end));
      }
    }

    /**
     * Asks for a connection once the borrowing thread's own work before it has run on a client thread (see
     * {@link #CLIENT_WORK_BEFORE_BORROW_MS}); at once when the client is not modelled.
     */
    private void borrow(java.util.function.Consumer<Borrowed> then) {
      if (database.modelsClient()) {
        database.runOnClient(CLIENT_WORK_BEFORE_BORROW_MS, () -> borrowNow(then));
      } else {
        borrowNow(then);
      }
    }

    private void borrowNow(java.util.function.Consumer<Borrowed> then) {
      double askedAt = loop.now();
      boolean inLane = background && layout.backgroundLane() > 0;
      SimPool.Holder holder = scenario.nested() ? requestThread : new SimPool.Holder();
      pool.borrow(holder, inLane, () -> {
        double grantedAt = loop.now();
        if (measured) {
          acquireWaits.add(grantedAt - askedAt);
        }
        then.accept(new Borrowed(null, () -> {
          if (measured) {
            holds.add(loop.now() - grantedAt);
          }
          pool.release(holder, inLane);
        }));
      }, failure -> {
        if (measured) {
          acquireWaits.add(loop.now() - askedAt);
        }
        then.accept(new Borrowed(failure, null));
      });
    }
  }

  /** A borrow's outcome: a connection to release, or why there is none. */
  private record Borrowed(Failure failure, Runnable release) {
    boolean ok() {
      return failure == null;
    }
  }

  private SimPool poolFor(int route, int user) {
    if (pools.size() == 1) {
      return pools.get(0);
    }
    return switch (layout.routing()) {
      case BY_ROUTE -> pools.get(route % pools.size());
      case BY_USER -> pools.get(user % pools.size());
      case ROUND_ROBIN -> pools.get((int) (roundRobin++ % pools.size()));
    };
  }

  /* --- Statistics --- */

  /** A growable list of doubles. */
  static final class Recorder {
    private double[] values = new double[1024];
    private int size;

    void add(double value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    double[] sorted() {
      double[] copy = Arrays.copyOf(values, size);
      Arrays.sort(copy);
      return copy;
    }
  }

  /** The nearest-rank percentile of sorted values (HdrHistogram's convention), 0 for none. */
  static double percentile(double[] sorted, double percent) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }
}
