package dev.poolwise;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The pool at one instant: counts, who holds each borrowed connection, the waiters, and recent hold
 * and wait times. Taken under the pool's lock, so the counts agree with each other:
 * {@code active + idle == total} and {@code total <= maxSize} always hold, and {@code holders} has one
 * entry per active connection (empty when diagnostics are off).
 *
 * @param poolName the pool's name
 * @param takenAt when this snapshot was taken
 * @param maxSize the configured maximum
 * @param minIdle the configured minimum of idle connections
 * @param total physical connections open now (active + idle)
 * @param active connections borrowed by the application
 * @param idle connections ready to be borrowed
 * @param waiting threads waiting for a connection
 * @param pendingCreations physical connects in flight
 * @param oldestWait how long the longest-waiting thread has waited ({@code Duration.ZERO} when none waits)
 * @param acquisitions connections handed out since the pool started
 * @param timeouts acquire timeouts since the pool started
 * @param holdTimes how long connections were held, over the most recent returns
 * @param waitTimes how long borrowers waited, over the most recent borrows
 * @param holders one entry per borrowed connection, longest-held first
 * @param connectionsCreated physical connections opened since the pool started
 * @param creationFailures failed attempts to open one (refused, unreachable, timed out)
 * @param creationTimes how long successful connects took, over the most recent ones
 * @param leaksReported borrows reported as suspected leaks since the pool started
 * @param evictions connections closed since the pool started, by why
 * @param fleet this pool's place in its fleet ({@code fleet} setting) as last evaluated, or {@code null} when it
 *     is in none or has not read the fleet yet; then {@code fleet.cap()} bounds {@code total} instead of
 *     {@code maxSize} (connections above a lowered cap close as they come back)
 */
public record PoolSnapshot(
    String poolName,
    Instant takenAt,
    int maxSize,
    int minIdle,
    int total,
    int active,
    int idle,
    int waiting,
    int pendingCreations,
    Duration oldestWait,
    long acquisitions,
    long timeouts,
    TimingStats holdTimes,
    TimingStats waitTimes,
    List<Holder> holders,
    long connectionsCreated,
    long creationFailures,
    TimingStats creationTimes,
    long leaksReported,
    Map<EvictionCause, Long> evictions,
    @Nullable Fleet fleet) {

  /** Why a physical connection left the pool. */
  public enum EvictionCause {
    /** A statement failed with a broken-connection SQLState (08…, 57P01 …). */
    BROKEN,
    /** It reached {@code maxLifetime}. */
    MAX_LIFETIME,
    /** It sat idle longer than {@code idleTimeout} above {@code minIdle}. */
    IDLE_TIMEOUT,
    /** It failed validation before hand-out or a keepalive check. */
    VALIDATION_FAILED,
    /** {@code softEvictAll()} retired it. */
    SOFT_EVICTED,
    /** It was held past {@code leakReclaimThreshold} and taken back. */
    LEAK_RECLAIMED,
    /** Restoring its session state on return failed. */
    RESET_FAILED,
    /** The application aborted it ({@code Connection.abort}). */
    ABORTED,
    /** The pool was closed. */
    POOL_CLOSED,
    /** The fleet budget lowered this member's cap below its size: retired idle, or closed on return. */
    FLEET_BUDGET;

    /** The cause behind one of the pool's eviction reasons, or {@code null} for a connection that never entered the pool. */
    static @Nullable EvictionCause of(@Nullable String reason) {
      if (reason == null) {
        return null;
      }
      if (reason.startsWith("broken")) {
        return BROKEN;
      }
      if (reason.startsWith("max lifetime")) {
        return MAX_LIFETIME;
      }
      if (reason.startsWith("idle timeout")) {
        return IDLE_TIMEOUT;
      }
      if (reason.startsWith("failed validation") || reason.startsWith("failed keepalive")) {
        return VALIDATION_FAILED;
      }
      if (reason.startsWith("soft eviction")) {
        return SOFT_EVICTED;
      }
      if (reason.startsWith("reclaimed as a leak")) {
        return LEAK_RECLAIMED;
      }
      if (reason.startsWith("reset failed")) {
        return RESET_FAILED;
      }
      if (reason.startsWith("aborted by the application")) {
        return ABORTED;
      }
      if (reason.startsWith("fleet budget")) {
        return FLEET_BUDGET;
      }
      if (reason.startsWith("pool closed while connecting") || reason.startsWith("connected only after")) {
        return null;
      }
      if (reason.startsWith("pool closed") || reason.startsWith("aborted at pool close")) {
        return POOL_CLOSED;
      }
      return BROKEN;
    }
  }

  /**
   * One member's view of its fleet, from its last evaluation (see docs/fleet.md).
   *
   * @param name the fleet's name
   * @param member this member's id (in its connections' {@code application_name}: {@code pwf:<name>:<member>})
   * @param cap the most connections this member may hold now
   * @param members members seen, this one included
   * @param budget connections the fleet's pools may hold together: what the server allows the role, minus
   *     connections outside the fleet and one beacon connection per member
   * @param demand this member's demand (peak of borrowed + waiting since the evaluation before)
   * @param share this member's max–min fair share of the budget ({@code cap} is lower while it grows into it)
   * @param evaluatedAt when the fleet was read
   */
  public record Fleet(String name, String member, int cap, int members, int budget, int demand, int share,
      Instant evaluatedAt) {

    /** "capped at 8 by the fleet budget: 12 members share 97 connections". */
    @Override
    public String toString() {
      return "capped at " + cap + " by the fleet budget: " + members + " member" + (members == 1 ? "" : "s")
          + " share " + budget + " connection" + (budget == 1 ? "" : "s");
    }
  }

  /** What a borrowed connection is doing. */
  public enum HolderState {
    /** SQL is running on it right now. */
    EXECUTING,
    /** A transaction is open but no SQL runs: the holder is doing something else mid-transaction. */
    IDLE_IN_TRANSACTION,
    /** Borrowed, no SQL running, no transaction open: held across non-database work. */
    HELD_IDLE,
    /** Held longer than the leak threshold while not executing: probably never closed. */
    SUSPECTED_LEAK
  }

  /**
   * One borrowed connection and its borrower.
   *
   * @param connectionId the pool's number for the physical connection ("connection #7")
   * @param threadName the borrowing thread's name (virtual threads are often unnamed: "")
   * @param threadId the borrowing thread's id
   * @param virtualThread whether the borrower is a virtual thread
   * @param tag the work label active when it was borrowed ({@link Poolwise#tag}), or {@code null}
   * @param lane the lane it was borrowed in, or {@code null} for the default lane
   * @param heldFor how long it has been borrowed
   * @param state what it is doing
   * @param sql the SQL executing now, or else the last SQL it ran (or {@code null})
   * @param sqlRunningFor how long the current SQL has run ({@code null} unless executing)
   * @param transactionOpenFor how long its transaction has been open ({@code null} when none is)
   * @param acquisitionSite where it was borrowed ({@code Class.method(File:line)} of the first frame
   *     outside the pool and JDBC plumbing), or {@code null} when stacks were not captured
   */
  public record Holder(
      long connectionId,
      String threadName,
      long threadId,
      boolean virtualThread,
      @Nullable String tag,
      @Nullable String lane,
      Duration heldFor,
      HolderState state,
      @Nullable String sql,
      @Nullable Duration sqlRunningFor,
      @Nullable Duration transactionOpenFor,
      @Nullable String acquisitionSite) {}

  /**
   * A distribution of durations over a recent window (the last few hundred events).
   *
   * @param samples how many events the figures are drawn from (0: all durations are zero)
   * @param mean the mean
   * @param p50 the median
   * @param p95 the 95th percentile
   * @param p99 the 99th percentile
   * @param max the longest
   * @param ratePerSecond events per second over the window
   */
  public record TimingStats(int samples, Duration mean, Duration p50, Duration p95, Duration p99, Duration max,
      double ratePerSecond) {

    /** No events yet. */
    public static final TimingStats EMPTY =
        new TimingStats(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
  }

  @Override
  public String toString() {
    return "pool '" + poolName + "': max " + maxSize + (fleet == null ? "" : " (" + fleet + ")") + ", total " + total + ", active " + active + ", idle " + idle
        + ", waiting " + waiting + (pendingCreations > 0 ? ", connecting " + pendingCreations : "");
  }
}
