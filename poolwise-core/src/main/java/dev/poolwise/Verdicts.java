package dev.poolwise;

import static dev.poolwise.Holders.human;

import dev.poolwise.Diagnosis.Cause;
import dev.poolwise.PoolSnapshot.Holder;
import dev.poolwise.PoolSnapshot.HolderState;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Draws the one-sentence verdict from a snapshot. The rules, in order — the first that applies wins:
 *
 * <ol>
 *   <li>No pressure (nobody waits, no timeout): healthy.
 *   <li>The pool is below its maximum and opening connections fails: creation failing, worded by the
 *       failure (53300 too many clients with the server's budget, authentication, unreachable).
 *   <li>At least a quarter of the holders are past the leak threshold without executing: leak.
 *   <li>At least half are idle inside an open transaction, each held for at least half the wait (at a
 *       timeout: half the acquire timeout; on demand: half the oldest waiter's wait, 50 ms at least):
 *       idle in transaction.
 *   <li>At least half are held with no SQL and no transaction, each for at least half the wait: held
 *       idle across non-database work. (A connection idle for a moment between two
 *       statements is ordinary traffic; only holds long enough to explain a timeout count.)
 *   <li>At least half are executing and the median statement has run for 500 ms or ten times the mean
 *       hold, whichever is longer: the database is the bottleneck (slow SQL).
 *   <li>Otherwise connections are used briefly and demand is simply above capacity; the sentence gives
 *       the numbers for a size that would fit.
 * </ol>
 *
 * The thresholds favour naming a concrete cause: a quarter of the pool leaked is already the story;
 * "half the pool doing X" is the dominant pattern a person should look at first.
 *
 * <p>The texts of the acquisition path's failures live here too (timeout, pool-locking, refusals), so
 * that {@link ConnectionPool} keeps only the protocol and every sentence a borrower can be told is in one file.
 */
final class Verdicts {

  /** A statement running at least this long, for most holders, makes the database the suspect. */
  private static final Duration SLOW_SQL_FLOOR = Duration.ofMillis(500);

  private Verdicts() {}

  static Diagnosis diagnose(PoolSnapshot snapshot, PoolSettings settings, @Nullable SQLException creationFailure,
      @Nullable String failureExplanation, boolean timedOut) {
    String table = Holders.table(snapshot.holders());
    boolean pressure = timedOut || snapshot.waiting() > 0;
    if (creationFailure != null && snapshot.total() < snapshot.maxSize() && (pressure || snapshot.total() == 0)) {
      return new Diagnosis(Cause.CREATION_FAILING, creationFailing(snapshot, creationFailure, failureExplanation),
          table, snapshot);
    }
    if (!pressure) {
      return new Diagnosis(Cause.HEALTHY, healthy(snapshot), table, snapshot);
    }
    List<Holder> holders = snapshot.holders();
    if (holders.isEmpty()) {
      String sentence = snapshot.active() == 0
          ? "No connection is borrowed, yet borrowers waited: connections were still being opened (connecting "
              + snapshot.pendingCreations() + "); check connectTimeout and how fast the server accepts logins."
          : "All " + snapshot.active() + " borrowed connections are in use and " + snapshot.waiting()
              + " other borrowers wait; diagnostics are off, so the pool cannot say who holds them — enable them"
              + " (diagnostics(true)) to get a verdict.";
      return new Diagnosis(Cause.DEMAND_ABOVE_CAPACITY, sentence, table, snapshot);
    }
    Map<HolderState, List<Holder>> byState = new HashMap<>();
    for (Holder holder : holders) {
      byState.computeIfAbsent(holder.state(), state -> new ArrayList<>()).add(holder);
    }
    int active = holders.size();
    List<Holder> leaks = byState.getOrDefault(HolderState.SUSPECTED_LEAK, List.of());
    // Only holders kept for a good part of the wait explain it: a connection held idle for a few
    // milliseconds between two statements is normal traffic, not the cause. At a timeout the wait was the
    // whole acquire timeout; on demand it is the oldest waiter's wait so far (at least 50 ms).
    Duration longHold = longHoldThreshold(snapshot, settings, timedOut);
    List<Holder> idleInTransaction = heldAtLeast(byState.getOrDefault(HolderState.IDLE_IN_TRANSACTION, List.of()), longHold);
    List<Holder> heldIdle = heldAtLeast(byState.getOrDefault(HolderState.HELD_IDLE, List.of()), longHold);
    List<Holder> executing = byState.getOrDefault(HolderState.EXECUTING, List.of());

    if (!leaks.isEmpty() && leaks.size() * 4 >= active) {
      Holder oldest = leaks.get(0);
      return new Diagnosis(Cause.LEAK, leaks.size() + " of " + active + " connections have been held longer than the"
          + " leak threshold (" + human(settings.leakThreshold()) + ") without running SQL, the longest for "
          + human(oldest.heldFor()) + who(leaks) + " — they were most likely never closed: close connections in"
          + " try-with-resources or finally, and set leakReclaimThreshold to let the pool take them back.",
          table, snapshot);
    }
    if (idleInTransaction.size() * 2 >= active) {
      return new Diagnosis(Cause.IDLE_IN_TRANSACTION, idleInTransaction.size() + " of " + active
          + " connections sit idle inside an open transaction (median open "
          + human(median(idleInTransaction, Holder::transactionOpenFor)) + ")" + who(idleInTransaction)
          + " — work that is not database work runs while a transaction holds the connection: commit sooner, or"
          + " do that work before the transaction starts.", table, snapshot);
    }
    if (heldIdle.size() * 2 >= active) {
      return new Diagnosis(Cause.HELD_IDLE, heldIdle.size() + " of " + active
          + " connections are held without running SQL or a transaction (median held "
          + human(median(heldIdle, Holder::heldFor)) + ")" + who(heldIdle)
          + " — connections are held across slow non-database work (remote calls, rendering, sleeps): borrow"
          + " later and return sooner; a bigger pool would only hide it.", table, snapshot);
    }
    if (executing.size() * 2 >= active) {
      Duration medianRunning = median(executing, Holder::sqlRunningFor);
      Duration slowFloor = SLOW_SQL_FLOOR;
      if (snapshot.holdTimes().samples() > 0) {
        Duration tenMeanHolds = snapshot.holdTimes().mean().multipliedBy(10);
        slowFloor = tenMeanHolds.compareTo(slowFloor) > 0 ? tenMeanHolds : slowFloor;
      }
      if (medianRunning.compareTo(slowFloor) >= 0) {
        Holder slowest = executing.stream().max(Comparator.comparing(Holder::sqlRunningFor)).orElseThrow();
        return new Diagnosis(Cause.SLOW_SQL, executing.size() + " of " + active
            + " connections are executing SQL, median " + human(medianRunning) + " so far; the slowest has run "
            + human(Nulls.castToNonNull(slowest.sqlRunningFor())) // an executing holder has one
            + (slowest.sql() == null ? "" : ": " + clip(slowest.sql()))
            + " — the database is the bottleneck and a bigger pool will not help: make these statements faster"
            + " or run fewer at once.", table, snapshot);
      }
    }
    return new Diagnosis(Cause.DEMAND_ABOVE_CAPACITY, demandAboveCapacity(snapshot, settings), table, snapshot);
  }

  private static String healthy(PoolSnapshot snapshot) {
    PoolSnapshot.TimingStats waits = snapshot.waitTimes();
    return "Healthy: " + snapshot.active() + " of " + snapshot.maxSize() + " connections in use, nobody waiting"
        + (waits.samples() > 0 ? " (p99 wait " + human(waits.p99()) + " over the last " + waits.samples()
            + " borrows)" : "") + ".";
  }

  private static String creationFailing(PoolSnapshot snapshot, SQLException failure, @Nullable String explanation) {
    String state = Objects.toString(failure.getSQLState(), "");
    String what;
    if ("53300".equals(state)) {
      what = "the server refuses new connections: too many clients already (53300)";
    } else if (state.startsWith("28")) {
      what = "the server rejects the pool's credentials (SQLState " + state + ": " + failure.getMessage() + ")";
    } else if ("3D000".equals(state)) {
      what = "the database does not exist (3D000: " + failure.getMessage() + ")";
    } else if (state.startsWith("08") || state.isEmpty()) {
      what = "the database cannot be reached (" + failure.getMessage() + ")";
    } else {
      what = "opening a connection fails with SQLState " + state + " (" + failure.getMessage() + ")";
    }
    return "The pool has " + snapshot.total() + " of " + snapshot.maxSize() + " connections and cannot open more: "
        + what + "." + (explanation == null ? "" : " " + explanation);
  }

  private static String demandAboveCapacity(PoolSnapshot snapshot, PoolSettings settings) {
    PoolSnapshot.TimingStats holds = snapshot.holdTimes();
    PoolSnapshot.TimingStats waits = snapshot.waitTimes();
    int wanted = snapshot.active() + snapshot.waiting();
    StringBuilder sentence = new StringBuilder(300)
        .append("Connections are used briefly");
    if (holds.samples() > 0) {
      sentence.append(" (mean hold ").append(human(holds.mean())).append(", p99 ").append(human(holds.p99()))
          .append(" over the last ").append(holds.samples()).append(" returns)");
    }
    sentence.append(" but demand is above capacity: ").append(snapshot.active()).append(" borrowed and ")
        .append(snapshot.waiting()).append(" waiting, so about ").append(wanted)
        .append(" connections would have served everyone at this moment");
    if (holds.samples() > 0 && waits.ratePerSecond() > 0) {
      double busy = waits.ratePerSecond() * holds.mean().toNanos() / 1e9;
      sentence.append(String.format(Locale.ROOT, "; by Little's law %.0f borrows/s × %s = %.1f connections busy on"
          + " average", waits.ratePerSecond(), human(holds.mean()), busy));
    }
    sentence.append(". Raise maxSize towards ").append(Math.max(wanted, snapshot.maxSize() + 1))
        .append(" if the server has room (its max_connections across every instance), or reduce how many requests"
            + " run at once.");
    return sentence.toString();
  }

  /** " — N of them by tag T, borrowed at S" for the largest tag/site group, or "" when nothing stands out. */
  private static String who(List<Holder> holders) {
    Map<String, Integer> byTagAndSite = new HashMap<>();
    for (Holder holder : holders) {
      byTagAndSite.merge(describeOrigin(holder), 1, Integer::sum);
    }
    return byTagAndSite.entrySet().stream()
        .filter(entry -> !entry.getKey().isEmpty())
        .max(Map.Entry.comparingByValue())
        .map(entry -> ", " + entry.getValue() + " of them " + entry.getKey())
        .orElse("");
  }

  private static String describeOrigin(Holder holder) {
    String tag = holder.tag() == null ? "" : "tagged '" + holder.tag() + "'";
    String site = holder.acquisitionSite() == null ? "" : "borrowed at " + holder.acquisitionSite();
    return tag.isEmpty() ? site : site.isEmpty() ? tag : tag + " and " + site;
  }

  private static Duration longHoldThreshold(PoolSnapshot snapshot, PoolSettings settings, boolean timedOut) {
    Duration half = settings.acquireTimeout().dividedBy(2);
    if (timedOut) {
      return half;
    }
    Duration halfTheWait = snapshot.oldestWait().dividedBy(2);
    Duration floor = Duration.ofMillis(50);
    Duration threshold = halfTheWait.compareTo(floor) < 0 ? floor : halfTheWait;
    return threshold.compareTo(half) > 0 ? half : threshold;
  }

  private static List<Holder> heldAtLeast(List<Holder> holders, Duration minimum) {
    return holders.stream().filter(holder -> holder.heldFor().compareTo(minimum) >= 0).toList();
  }

  private static Duration median(List<Holder> holders, Function<Holder, Duration> metric) {
    List<Duration> values = holders.stream().map(metric).filter(Objects::nonNull).sorted().toList();
    return values.isEmpty() ? Duration.ZERO : values.get((values.size() - 1) / 2);
  }

  private static String clip(String sql) {
    return sql.length() <= 80 ? sql : sql.substring(0, 79) + "…";
  }

  /* --- What a borrower is told when it gets no connection --- */

  /** The message of a {@link PoolTimeoutException}: the wait, the counts now, the verdict and the holders. */
  static String timedOut(PoolSettings settings, Duration waited, Diagnosis diagnosis) {
    PoolSnapshot snapshot = diagnosis.snapshot();
    StringBuilder message = new StringBuilder(400)
        .append("Pool '").append(settings.poolName()).append("': no connection available after waiting ")
        .append(waited.toMillis()).append(" ms (acquireTimeout ").append(settings.acquireTimeout().toMillis())
        .append(" ms). Now: max ").append(snapshot.maxSize())
        .append(snapshot.fleet() == null ? "" : " (" + snapshot.fleet() + ")").append(", total ").append(snapshot.total())
        .append(", active ").append(snapshot.active()).append(", idle ").append(snapshot.idle())
        .append(", waiting ").append(snapshot.waiting());
    if (snapshot.pendingCreations() > 0) {
      message.append(", connecting ").append(snapshot.pendingCreations());
    }
    message.append(".\n").append(diagnosis.verdict());
    if (!diagnosis.holderTable().isEmpty()) {
      message.append('\n').append(diagnosis.holderTable());
    }
    return message.toString();
  }

  /**
   * The pool-locking deadlock, with the smallest pool this workload cannot lock:
   * threads × (connections per thread − 1) + 1.
   */
  static PoolLockedException poolLocked(PoolSettings settings, int borrowed, int threadsInvolved, int perThread) {
    int safeSize = threadsInvolved * (perThread - 1) + 1;
    return new PoolLockedException("Pool '"
        + settings.poolName() + "' is locked: all " + borrowed + " borrowed connections are held by " + threadsInvolved
        + " thread(s) that are each waiting for another connection from the same pool, so none will ever be"
        + " returned (pool-locking deadlock). Failing these waits now instead of after acquireTimeout. Fix the"
        + " code so that it does not hold a connection while asking for a second one (pass the first one down,"
        + " or finish with it first); a pool that this workload cannot lock needs at least threads × (connections"
        + " per thread − 1) + 1 = " + threadsInvolved + " × (" + perThread + " − 1) + 1 = " + safeSize
        + " connections (maxSize is " + settings.maxSize() + ").", safeSize);
  }

  static String multipleAcquisitionRefused(String poolName, Thread thread, @Nullable String tag, int held) {
    return "Thread '" + thread.getName() + "'" + (tag == null ? "" : " [" + tag + "]")
        + " already holds " + held + " connection(s) from pool '" + poolName + "' and asked for another;"
        + " refused because multipleAcquisition is FAIL. Holding one connection while waiting for a second is how"
        + " a pool deadlocks itself under load: use the connection you have, or close it first.";
  }

  static String unknownLane(String poolName, String lane, Set<String> configured) {
    return "Pool '" + poolName + "' has no lane '" + lane + "' (configured: "
        + (configured.isEmpty() ? "none" : String.join(", ", new TreeSet<>(configured)))
        + "); add it with builder.lane(\"" + lane + "\", maxConnections) or poolwise.lane." + lane + "=N";
  }

  static String interrupted(Duration waited, PoolSnapshot pool) {
    return "Interrupted after waiting " + waited.toMillis() + " ms for a connection from " + pool
        + "; the thread's interrupt flag is still set";
  }

  static String closed(String poolName) {
    return "Pool '" + poolName + "' is closed; no connections can be borrowed from it";
  }
}
