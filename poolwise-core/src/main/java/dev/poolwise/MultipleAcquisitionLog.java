package dev.poolwise;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link MultipleAcquisition#WARN} logs when a thread that holds a connection asks for another.
 *
 * <p>A nested borrow is a risk only when the pool is short of connections: a deadlock needs every
 * connection held by a thread that waits for one more. So the pool measures the headroom when the
 * nested borrow happens (idle connections plus those it may still open, {@code maxSize - total}) and
 * warns when this borrow leaves at most {@link #RISKY_HEADROOM_AFTER} of them: one more thread doing the
 * same and nobody can be served. That covers a thread that had to wait for its second connection on a
 * saturated pool. A library's deliberate second connection on a pool with room to spare (Flyway's
 * {@code migrate()} and {@code clean()} open one at every application start) is logged at DEBUG only.
 * Each message names the borrow site, the first application frame below the pool, JDBC and framework
 * plumbing ({@link Holders#siteOf}), and is written once per site and level, so a hot path cannot flood
 * the log and a new site is never hidden behind an old one.
 *
 * <p>Concurrency: called by borrowing threads after the pool's lock is released; the sites already
 * logged are a {@link ConcurrentHashMap}, bounded by {@link #MAX_SITES} (when full it is cleared, so
 * sites may be logged again: memory stays bounded whatever the application does). Two threads logging
 * the same new site at the same instant may both log it, which is benign.
 *
 * <p>Failure modes: the stack walk that finds the site runs only on nested borrows while WARN is
 * configured (DEBUG ones only when DEBUG is enabled), never on an ordinary borrow.
 */
final class MultipleAcquisitionLog {

  private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

  /** A nested borrow that leaves at most this many connections free or openable is logged at WARN. */
  static final int RISKY_HEADROOM_AFTER = 1;
  /** Sites remembered per pool before the memory is cleared. */
  static final int MAX_SITES = 1_000;

  private final String poolName;
  private final int maxSize;
  /** Site to whether it was logged at WARN ({@code false}: at DEBUG only). */
  private final Map<String, Boolean> sitesLogged = new ConcurrentHashMap<>();

  MultipleAcquisitionLog(String poolName, int maxSize) {
    this.poolName = poolName;
    this.maxSize = maxSize;
  }

  /**
   * A thread holding {@code held} connections asked for another while {@code headroom} connections
   * were idle or could still be opened (counted before this borrow); {@code waited} when it had to queue.
   */
  void nestedBorrow(Thread thread, @Nullable String tag, int held, int headroom, boolean waited) {
    boolean risky = headroom - 1 <= RISKY_HEADROOM_AFTER;
    if (!risky && !log.isDebugEnabled()) {
      return;
    }
    BorrowSite stack = new BorrowSite();
    String site = Holders.siteOf(stack);
    String key = site == null ? "(unknown site)" : site;
    if (sitesLogged.size() >= MAX_SITES) {
      sitesLogged.clear();
    }
    String who = "thread '" + thread.getName() + "'" + (tag == null ? "" : " [" + tag + "]");
    if (risky) {
      if (Boolean.TRUE.equals(sitesLogged.put(key, Boolean.TRUE))) {
        return;
      }
      log.warn("Pool '{}': {} asked for another connection at {} while holding {} from this pool, and the pool was"
          + " nearly exhausted: {} of {} connections were free or could still be opened{}. If every thread that runs"
          + " this code does the same, the pool deadlocks (each holds one and waits for another). Use the connection"
          + " you have or close it first, or size the pool for it (threads × (connections per thread − 1) + 1)."
          + " Logged once per call site; multipleAcquisition=ALLOW silences it, FAIL refuses such borrows.",
          poolName, who, key, held, Math.max(0, headroom), maxSize, waited ? " (it had to wait)" : "", stack.trimmed());
    } else if (sitesLogged.putIfAbsent(key, Boolean.FALSE) == null) {
      log.debug("Pool '{}': {} asked for another connection at {} while holding {} from this pool; {} of {} were free"
          + " or could still be opened, so no deadlock is near. Logged once per call site.", poolName, who, key, held,
          headroom, maxSize);
    }
  }
}
