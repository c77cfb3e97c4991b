package dev.poolwise.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sizing model: from a measured load to a pool size, with the reasons in numbers.
 *
 * <ol>
 *   <li><b>Little's law</b>: the connections busy on average (the offered load, in Erlangs) are the acquisition
 *       rate times the mean hold, {@code A = λ·W}. Fewer than {@code A} connections can never keep up.
 *   <li><b>Erlang C</b> ({@link ErlangC}): for each size {@code c > A}, the probability that an acquisition waits
 *       and the p99 of the acquire wait, if acquisitions arrive at random (Poisson) and holds are exponential.
 *       The recommended size is the smallest whose predicted p99 wait meets the target.
 *   <li><b>Pool-locking floor</b>: when one thread holds {@code n} connections at once (nested acquisition),
 *       {@code T} threads deadlock a pool smaller than {@code T·(n − 1) + 1}: each holds {@code n − 1} and waits
 *       for its last one. At that size at least one thread always completes.
 *   <li><b>Server budget</b>: the connections the server lets ordinary roles open, minus other clients, shared
 *       by every instance. A recommendation above {@code budget / instances} cannot be deployed; more
 *       connections are then the wrong fix.
 * </ol>
 *
 * <p>What the model leaves out, and says so in its reasoning: the page-load workload is bursty (a page fires
 * 8–12 requests at once), which waits more than Poisson arrivals at the same mean rate, so the predicted wait
 * is a lower bound; {@code compare} prints predicted against measured p99 wait for single-pool rows so the
 * gap is visible on every run. And a server with a handful of cores does not run more queries at once any
 * faster: past the offered load, extra connections only shorten the queue in the pool by lengthening it in
 * the database.
 */
final class Advisor {

  /** The p99 acquire wait to aim for when the caller gives none: well below human perception of one request. */
  static final double DEFAULT_TARGET_P99_WAIT_MS = 10.0;

  /** The quantile the advice is about. */
  static final double QUANTILE = 0.99;

  /** Sizes shown beyond the recommendation, so the reader sees how little one more connection buys. */
  private static final int SIZES_AFTER_RECOMMENDATION = 2;

  /**
   * An upper bound on the search, far above any answer: with c ≥ A + 10·√A + 10 the wait probability of an
   * M/M/c queue is below 10⁻⁹ (the square-root staffing rule), so the p99 wait is 0 long before.
   */
  private static int searchLimit(double offeredLoad) {
    return (int) Math.min(1_000_000, Math.ceil(offeredLoad + 10 * Math.sqrt(offeredLoad) + 10));
  }

  private Advisor() {}

  /**
   * What was measured (or assumed) about a workload.
   *
   * @param acquisitionsPerSecond borrows per second (the arrival rate λ)
   * @param meanHoldMs mean time a connection is held (1/μ)
   * @param serverBudget connections the server allows ordinary roles, minus those used by other clients
   *     (0 or less: unknown, not checked)
   * @param instances service instances sharing the budget
   * @param nestedConnectionsPerThread connections one thread holds at once when nested borrowing was seen (1 if not)
   * @param concurrentThreads threads that may borrow at once (for the pool-locking floor)
   * @param targetP99WaitMs the acceptable p99 acquire wait (0 or less: {@value #DEFAULT_TARGET_P99_WAIT_MS} ms)
   */
  record Input(double acquisitionsPerSecond, double meanHoldMs, int serverBudget, int instances,
      int nestedConnectionsPerThread, int concurrentThreads, double targetP99WaitMs) {

    /** λ·W in Erlangs: the connections busy on average. */
    double offeredLoad() {
      if (!(acquisitionsPerSecond > 0) || !(meanHoldMs > 0)) {
        return 0.0;
      }
      return acquisitionsPerSecond * meanHoldMs / 1000.0;
    }

    /** The target actually used: the given one, or the default when none was given. */
    double effectiveTargetP99WaitMs() {
      return targetP99WaitMs > 0 ? targetP99WaitMs : DEFAULT_TARGET_P99_WAIT_MS;
    }

    /** {@code serverBudget / instances}, or 0 when the budget is unknown. */
    int budgetPerInstance() {
      return serverBudget > 0 ? serverBudget / Math.max(1, instances) : 0;
    }

    /** {@code T·(n − 1) + 1} when nested acquisition was seen and the thread count is known, else 0. */
    int lockingFloor() {
      if (nestedConnectionsPerThread <= 1 || concurrentThreads <= 0) {
        return 0;
      }
      long floor = (long) concurrentThreads * (nestedConnectionsPerThread - 1) + 1;
      return (int) Math.min(Integer.MAX_VALUE, floor);
    }
  }

  /** One candidate size with the model's predictions (probability and time are for one acquisition). */
  record Candidate(int size, double utilization, double waitProbability, double p99WaitMs) {}

  /**
   * @param recommendedSize the size to use (never above the per-instance budget when one is known)
   * @param offeredLoad λ × W, the connections busy on average
   * @param candidates predictions for sizes around the recommendation, smallest first
   * @param reasoning human-readable lines explaining the recommendation
   * @param queueingSize the smallest size meeting the wait target, before the floor and the budget
   * @param lockingFloor the pool-locking floor, 0 when no nested acquisition was seen
   * @param budgetPerInstance the server budget per instance, 0 when unknown
   * @param fitsBudget whether the size the workload needs (queueing size and floor) fits the budget
   */
  record Advice(int recommendedSize, double offeredLoad, List<Candidate> candidates, List<String> reasoning,
      int queueingSize, int lockingFloor, int budgetPerInstance, boolean fitsBudget) {

    Advice {
      candidates = List.copyOf(candidates);
      reasoning = List.copyOf(reasoning);
    }

    /** The original four-part shape; the limits are then unknown. */
    Advice(int recommendedSize, double offeredLoad, List<Candidate> candidates, List<String> reasoning) {
      this(recommendedSize, offeredLoad, candidates, reasoning, recommendedSize, 0, 0, true);
    }
  }

  /** The model's prediction for one size. */
  static Candidate candidate(Input input, int size) {
    double load = input.offeredLoad();
    return new Candidate(size, size == 0 ? Double.POSITIVE_INFINITY : load / size,
        ErlangC.waitProbability(size, load), predictedP99WaitMs(input, size));
  }

  /**
   * The model's p99 acquire wait (ms) for {@code size} connections under {@code input}'s load;
   * {@link Double#POSITIVE_INFINITY} when the load is at least the size (the queue grows without bound).
   */
  static double predictedP99WaitMs(Input input, int size) {
    if (size < 0) {
      throw new IllegalArgumentException("a pool size must be ≥ 0; got " + size);
    }
    double load = input.offeredLoad();
    double quantile = ErlangC.waitQuantile(size, load, QUANTILE);
    if (Double.isInfinite(quantile)) {
      return Double.POSITIVE_INFINITY;
    }
    return quantile * Math.max(0, input.meanHoldMs());
  }

  static Advice advise(Input input) {
    double load = input.offeredLoad();
    double target = input.effectiveTargetP99WaitMs();
    List<String> reasoning = new ArrayList<>();

    if (load == 0) {
      reasoning.add("No load measured (" + fmt(input.acquisitionsPerSecond()) + " acquisitions/s × "
          + fmt(input.meanHoldMs()) + " ms mean hold): the model has nothing to size; keep a small pool.");
    } else {
      reasoning.add(String.format(Locale.ROOT, "Offered load (Little's law): %s acquisitions/s × %s ms mean hold"
          + " = %.2f connections busy on average.", fmt(input.acquisitionsPerSecond()), fmt(input.meanHoldMs()), load));
    }

    int smallestStable = (int) Math.floor(load) + 1;
    int queueingSize = smallestStable;
    int limit = searchLimit(load);
    while (queueingSize < limit && predictedP99WaitMs(input, queueingSize) > target) {
      queueingSize++;
    }
    Candidate atQueueingSize = candidate(input, queueingSize);
    if (load > 0) {
      reasoning.add(String.format(Locale.ROOT, "Erlang C: %d connections is the smallest size with a predicted p99"
              + " acquire wait ≤ %s ms (utilisation %.0f%%, %.1f%% of acquisitions wait, p99 wait %s ms);"
              + " %d is the least that keeps up at all.",
          queueingSize, fmt(target), 100 * atQueueingSize.utilization(), 100 * atQueueingSize.waitProbability(),
          fmt(atQueueingSize.p99WaitMs()), smallestStable));
    }

    int floor = input.lockingFloor();
    int needed = Math.max(queueingSize, floor);
    if (floor > 0) {
      reasoning.add(String.format(Locale.ROOT, "Nested acquisition: %d threads × (%d connections each − 1) + 1 = %d"
              + " connections is the floor below which every thread can hold %d and wait for its last one"
              + " (pool-locking).%s",
          input.concurrentThreads(), input.nestedConnectionsPerThread(), floor, input.nestedConnectionsPerThread() - 1,
          floor > queueingSize ? " It sets the size, not the load; removing the nesting is the better fix."
              : " The load already needs more."));
    } else if (input.nestedConnectionsPerThread() > 1) {
      reasoning.add("Nested acquisition seen, but the number of concurrent threads is unknown: the pool-locking"
          + " floor (threads × (connections per thread − 1) + 1) could not be computed.");
    }

    int budget = input.budgetPerInstance();
    boolean fits = budget <= 0 || needed <= budget;
    int recommended = needed;
    if (budget > 0) {
      String share = input.instances() > 1
          ? String.format(Locale.ROOT, "%d server connections ÷ %d instances = %d per instance",
              input.serverBudget(), input.instances(), budget)
          : String.format(Locale.ROOT, "%d server connections for this instance", budget);
      if (fits) {
        reasoning.add(String.format(Locale.ROOT, "Server budget: %s; %d fits (%d to spare).", share, needed,
            budget - needed));
      } else {
        recommended = budget;
        Candidate atBudget = candidate(input, budget);
        String atBudgetText = Double.isInfinite(atBudget.p99WaitMs())
            ? "at " + budget + " the pool cannot keep up at all (load " + fmt(load) + " ≥ " + budget + ")"
            : String.format(Locale.ROOT, "at %d the predicted p99 wait is %s ms", budget, fmt(atBudget.p99WaitMs()));
        reasoning.add(String.format(Locale.ROOT, "Server budget: %s, but the workload needs %d: it does not fit;"
            + " %s. More connections is the wrong fix here: put PgBouncer (transaction mode) in front of the"
            + " server, run fewer instances, or make the queries and transactions shorter (the hold time is"
            + " half of the load).", share, needed, atBudgetText));
        if (floor > budget) {
          reasoning.add("Warning: below the pool-locking floor of " + floor + " nested acquisition can deadlock the"
              + " pool; remove the nesting (one connection per request) before anything else.");
        }
      }
    } else {
      reasoning.add("Server budget: unknown (not checked); compare " + needed + " × instances with the server's"
          + " max_connections minus reserved slots and other clients.");
    }

    if (load > 0) {
      reasoning.add("Assumes random (Poisson) acquisitions and exponential holds; bursts such as a page firing"
          + " many requests at once wait longer than predicted, so treat the p99 as a lower bound. A server with"
          + " few cores runs no more queries at once for a bigger pool: past the load, extra connections move"
          + " the queue into the database.");
    }

    List<Candidate> candidates = new ArrayList<>();
    int from = Math.max(1, smallestStable - 1);
    int to = Math.max(needed, queueingSize) + SIZES_AFTER_RECOMMENDATION;
    if (budget > 0 && !fits) {
      from = Math.max(1, Math.min(from, budget - 1));
    }
    for (int size = from; size <= to; size++) {
      candidates.add(candidate(input, size));
    }
    return new Advice(recommended, load, thin(candidates, queueingSize, floor, budget, recommended), reasoning,
        queueingSize, floor, budget, fits);
  }

  /**
   * Keeps a long candidate list readable: every size near the load and near the decisions (recommended,
   * queueing size, floor, budget), and a few evenly spaced sizes between.
   */
  private static List<Candidate> thin(List<Candidate> all, int... marks) {
    int maxRows = 16;
    if (all.size() <= maxRows) {
      return all;
    }
    List<Candidate> kept = new ArrayList<>();
    int step = Math.max(1, all.size() / 8);
    for (int i = 0; i < all.size(); i++) {
      int size = all.get(i).size();
      boolean near = i < 3 || i >= all.size() - 3 || i % step == 0;
      for (int mark : marks) {
        near |= mark > 0 && Math.abs(size - mark) <= 1;
      }
      if (near) {
        kept.add(all.get(i));
      }
    }
    return kept;
  }

  /** A number for a reasoning line: up to two decimals, no trailing zeros, "∞" for infinity. */
  static String fmt(double value) {
    if (Double.isInfinite(value)) {
      return "∞";
    }
    if (Double.isNaN(value)) {
      return "?";
    }
    String text = String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : Math.abs(value) >= 10 ? "%.1f" : "%.2f",
        value);
    if (text.contains(".")) {
      text = text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return text;
  }
}
