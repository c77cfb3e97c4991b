package dev.poolwise;

import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broken connection makes the pool distrust its siblings. When a connection dies with a state that
 * usually kills every connection to that server ({@link BrokenConnections#serverWideState}: a restart, a
 * failover, an operator's {@code pg_terminate_backend} sweep), every other connection in the pool is
 * marked to be validated ({@code isValid(validationTimeout)}) before its next hand-out. So such an
 * outage costs the requests in flight when it happens, not one failed request per pooled connection: a
 * dead idle connection fails its validation instead of the next borrower's statement. Connections
 * borrowed at that moment keep the mark and are validated after they come back. A connection that
 * passes is unmarked, unless the break was less than {@link #DISTRUST_WINDOW_NANOS} ago and the
 * connection is older than the burst: then it stays marked, because its backend may be terminated and
 * not yet dead.
 *
 * <p>Also the pool's report of broken connections: one WARN summary per burst, written
 * {@link #REPORT_DELAY_NANOS} after the burst's first break (so at most one line per that interval per
 * pool), with the SQLStates, how many connections broke in use, how many siblings were marked and what
 * their validation found.
 *
 * <p>Concurrency: {@link #broke} runs on the application thread whose statement failed, without the
 * pool's lock: it walks the pool's current copy-on-write entry array and sets each entry's plain
 * {@link PoolEntry#validateBeforeNextHandOut} flag. The flag is read and cleared only by the entry's
 * owner in {@code ConnectionPool.isUsable}, right after it claimed the entry (a compare-and-set). Both
 * races are benign, and they are what keeps the borrow path free of a new volatile read: a mark set just
 * after the owner read the flag is either seen at the next hand-out or lost; a lost mark (or one not yet
 * visible to the claimer) costs at most one failed statement, which is what the pool did before marks
 * existed; a mark on an entry that turns out healthy costs one round trip. The counters are
 * {@link LongAdder}s read and reset by the report; an event that lands while a report is written is
 * counted in this line or the next.
 *
 * <p>Failure modes: the report is scheduled on the pool's housekeeping thread; if that is shut down (the
 * pool is closing) it is written at once, and {@link #flush} writes a pending one on close.
 */
final class SiblingSuspicion {

  private static final Logger log = LoggerFactory.getLogger(SiblingSuspicion.class);

  /** How long after a burst's first break the summary is written; also the minimum gap between lines. */
  static final long REPORT_DELAY_NANOS = 2_000_000_000L;
  /**
   * Server-wide breaks less than this apart belong to one outage (a burst); for this long after the last
   * one, a marked connection opened before the burst began that passes validation stays marked and is
   * validated again at its next hand-out. Backends do not all die at the same instant: a terminated
   * backend that has not been scheduled yet still answers, and on a loaded machine the last ones die tens
   * of milliseconds after the first break is seen (measured on the shared two-core development machine
   * with FaultScenariosTest.terminateEveryBackendOfALoadedPoolOfTen: nine siblings passed validation and
   * then died). Half a second is far beyond that, and costs one round trip per hand-out of those
   * connections for that half second only.
   */
  static final long DISTRUST_WINDOW_NANOS = 500_000_000L;

  private final String poolName;
  private final Supplier<PoolEntry[]> entries;
  private final ScheduledExecutorService scheduler;

  private final LongAdder brokeInUse = new LongAdder();
  private final LongAdder siblingsMarked = new LongAdder();
  private final LongAdder siblingsDead = new LongAdder();
  private final LongAdder siblingsFine = new LongAdder();
  /** Breaks by SQLState (or exception type) since the last report. */
  private final Map<String, LongAdder> breaksByState = new ConcurrentHashMap<>();
  /** The SQLState of the most recent break, for a report that only has validation results. */
  private volatile @Nullable String lastState;
  private final AtomicBoolean reportPending = new AtomicBoolean();
  /** When the last server-wide break was seen; read only on the (rare) path of a marked connection. */
  private volatile long lastServerWideBreakNanos;
  /** The first server-wide break of the current burst (breaks less than the distrust window apart). */
  private volatile long burstStartNanos;

  /** The pool's clock: the break times are compared with the hand-out times the pool passes in. */
  private final PoolClock clock;

  SiblingSuspicion(String poolName, Supplier<PoolEntry[]> entries, ScheduledExecutorService scheduler,
      PoolClock clock) {
    this.poolName = poolName;
    this.clock = clock;
    this.entries = entries;
    this.scheduler = scheduler;
  }

  /**
   * {@code broken}'s statement failed with {@code failure}, which says the connection is dead: count it
   * and, when the state says the server dropped its siblings too, mark them. Once per entry.
   */
  void broke(PoolEntry broken, SQLException failure) {
    String state = BrokenConnections.brokenState(failure);
    String key = state == null ? String.valueOf(failure.getSQLState()) : state;
    brokeInUse.increment();
    breaksByState.computeIfAbsent(key, k -> new LongAdder()).increment();
    lastState = key;
    if (BrokenConnections.serverWideState(failure) != null) {
      long now = clock.nanoTime();
      if (now - lastServerWideBreakNanos >= DISTRUST_WINDOW_NANOS) {
        burstStartNanos = now; // racy between two first breaks; either is a fine start
      }
      lastServerWideBreakNanos = now;
      for (PoolEntry sibling : entries.get()) {
        if (sibling != broken && !sibling.validateBeforeNextHandOut && sibling.state() != PoolEntry.REMOVED) {
          sibling.validateBeforeNextHandOut = true;
          siblingsMarked.increment();
        }
      }
    }
    scheduleReport();
  }

  /**
   * The marked {@code entry} was validated before its hand-out; {@code valid} is what validation said.
   * Returns whether it stays marked: a valid one does while the last server-wide break is recent
   * ({@link #DISTRUST_WINDOW_NANOS}) if it was opened before the burst began, since its backend may have
   * been terminated and simply not have died yet. One opened during the burst (a replacement, marked by
   * a later break of the same burst) is unmarked after one successful validation.
   */
  boolean checked(PoolEntry entry, boolean valid, long nowNanos) {
    (valid ? siblingsFine : siblingsDead).increment();
    scheduleReport();
    return valid && nowNanos - lastServerWideBreakNanos < DISTRUST_WINDOW_NANOS
        && entry.createdNanos - burstStartNanos < 0;
  }

  /** Writes a pending report now (the pool is closing). */
  void flush() {
    if (reportPending.get()) {
      report();
    }
  }

  private void scheduleReport() {
    if (!reportPending.compareAndSet(false, true)) {
      return;
    }
    try {
      scheduler.schedule(this::report, REPORT_DELAY_NANOS, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      report();
    }
  }

  private void report() {
    reportPending.set(false);
    long broke = brokeInUse.sumThenReset();
    long marked = siblingsMarked.sumThenReset();
    long dead = siblingsDead.sumThenReset();
    long fine = siblingsFine.sumThenReset();
    Map<String, Long> states = new TreeMap<>();
    breaksByState.forEach((state, count) -> {
      long n = count.sumThenReset();
      if (n > 0) {
        states.put(state, n);
      }
    });
    if (broke == 0 && dead == 0 && fine == 0) {
      return;
    }
    StringBuilder line = new StringBuilder(300).append("Pool '").append(poolName).append("': ");
    if (broke > 0) {
      line.append(broke).append(" connection(s) broke in use in the last ")
          .append(REPORT_DELAY_NANOS / 1_000_000_000L).append(" s (");
      states.forEach((state, count) -> line.append("SQLState ").append(state).append(" ×").append(count).append(", "));
      line.setLength(line.length() - 2);
      line.append("); the statements using them failed and they were closed. ");
      if (marked > 0) {
        line.append("The server seems to have dropped its connections (a restart, a failover or"
            + " pg_terminate_backend): ").append(marked).append(" other connection(s) were marked to be validated"
            + " before their next hand-out");
      } else {
        line.append("No other connection was marked to be validated (the SQLState concerns this connection only)");
      }
    } else {
      line.append("connections marked after a connection broke (SQLState ").append(lastState)
          .append(") are being validated before their next hand-out");
    }
    line.append("; validated since the last report: ").append(dead + fine).append(", of which ")
        .append(dead).append(" dead (closed without failing a request) and ").append(fine).append(" fine.")
        .append(" (At most one such line every ").append(REPORT_DELAY_NANOS / 1_000_000_000L).append(" s.)");
    log.warn("{}", line);
  }
}
