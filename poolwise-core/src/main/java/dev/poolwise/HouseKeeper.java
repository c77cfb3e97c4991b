package dev.poolwise;

import dev.poolwise.WaiterQueue.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retires idle connections and keeps the rest alive, every {@code housekeepingInterval} on the
 * scheduler thread.
 *
 * <p>Concurrency: one pass inspects the idle entries under the pool's lock, least recently used first,
 * and decides per entry (borrowers take idle entries without the lock, so each decision is carried out by
 * a compare-and-set against the entry's state word read before deciding, and is dropped if the entry was
 * borrowed meanwhile): close it (marked for eviction, past its max lifetime, or idle longer than
 * {@code idleTimeout} while the pool is above {@code minIdle}), reserve it for a keepalive check (idle
 * longer than {@code keepaliveInterval} since it was last used or checked), or leave it. Closing and
 * validating happen after the lock is released. A reserved entry still counts as idle in snapshots but
 * cannot be borrowed; after its check it goes back through the normal hand-over path, so a waiter
 * that queued meanwhile gets it first. Then it asks the creator to refill up to {@code minIdle}.
 *
 * <p>Failure modes: an exception in a pass is logged and the next pass runs as scheduled; a keepalive
 * check that hangs is bounded by {@code validationTimeout} (the driver's {@code isValid} timeout).
 */
final class HouseKeeper implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(HouseKeeper.class);

  private final ConnectionPool pool;
  private final PoolSettings settings;
  private final long idleTimeoutNanos;
  private final long keepaliveNanos;
  private volatile @Nullable ScheduledFuture<?> task;

  HouseKeeper(ConnectionPool pool, PoolSettings settings) {
    this.pool = pool;
    this.settings = settings;
    this.idleTimeoutNanos = settings.idleTimeout().toNanos();
    this.keepaliveNanos = settings.keepaliveInterval().toNanos();
  }

  void schedule() {
    long period = settings.housekeepingInterval().toNanos();
    try {
      task = pool.threads.scheduler.scheduleWithFixedDelay(this, period, period, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException poolClosing) {
      // The pool closed while starting; there is nothing left to keep.
    }
  }

  void cancel() {
    ScheduledFuture<?> scheduled = task;
    if (scheduled != null) {
      scheduled.cancel(false);
    }
  }

  @Override
  public void run() {
    try {
      runOnce();
    } catch (RuntimeException | Error e) {
      log.error("Pool '{}': housekeeping failed; it will run again in {} ms", settings.poolName(),
          settings.housekeepingInterval().toMillis(), e);
    }
  }

  /** One pass; package-private so tests can drive it without waiting for the timer. */
  void runOnce() {
    List<PoolEntry> closing = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    List<PoolEntry> checking = new ArrayList<>();
    long now = pool.clock.nanoTime();
    pool.lock.lock();
    try {
      if (pool.isClosedLocked()) {
        return;
      }
      int total = pool.totalLocked();
      for (PoolEntry entry : pool.idleOldestFirstLocked()) {
        long word = entry.stateWord(); // before the fields: acting on it fails if the entry was borrowed since
        String reason = entry.evictionReason();
        if (reason == null && entry.isPastLifetime(now)) {
          reason = "max lifetime reached";
        }
        if (reason == null && idleTimeoutNanos > 0 && now - entry.lastReleasedNanos >= idleTimeoutNanos
            && total > settings.minIdle()) {
          reason = "idle timeout";
        }
        if (reason != null) {
          if (pool.removeIdleLocked(entry, word)) {
            total--;
            closing.add(entry);
            reasons.add(reason);
          }
        } else if (keepaliveNanos > 0
            && now - Math.max(entry.lastReleasedNanos, entry.lastKeepaliveNanos) >= keepaliveNanos
            && pool.reserveLocked(entry, word)) {
          checking.add(entry);
        }
      }
    } finally {
      pool.lock.unlock();
    }
    for (int i = 0; i < closing.size(); i++) {
      pool.closeConnection(closing.get(i), reasons.get(i));
    }
    for (PoolEntry entry : checking) {
      keepalive(entry);
    }
    checkLeaks();
    pool.lock.lock();
    try {
      pool.creator.fillLocked();
    } finally {
      pool.lock.unlock();
    }
  }

  /**
   * Reports each borrow held past {@code leakThreshold} while no SQL runs on it, once (tag, thread, borrowing stack when captured)
   * and takes back those held past {@code leakReclaimThreshold}: they stop counting at once so the pool
   * can replace them, and the physical connection is aborted so the leaking code fails fast.
   */
  private void checkLeaks() {
    long leakNanos = settings.leakThreshold().toNanos();
    long reclaimNanos = settings.leakReclaimThreshold().toNanos();
    if (leakNanos == 0 && reclaimNanos == 0) {
      return;
    }
    List<String> reports = new ArrayList<>();
    List<Throwable> stacks = new ArrayList<>();
    List<PoolEntry> reclaimed = new ArrayList<>();
    long now = pool.clock.nanoTime();
    pool.lock.lock();
    try {
      if (pool.isClosedLocked()) {
        return;
      }
      for (PoolEntry entry : pool.borrowedLocked()) {
        long word = entry.stateWord(); // before the fields: a reclaim fails if this borrow ended meanwhile
        if (PoolEntry.stateOf(word) != PoolEntry.IN_USE) {
          continue;
        }
        if (entry.executingSql() != null) {
          continue; // a long statement is slow SQL, not a leak (statement timeouts are the database's job)
        }
        long held = now - entry.acquiredNanos;
        boolean reclaim = reclaimNanos > 0 && held >= reclaimNanos;
        if ((leakNanos > 0 && held >= leakNanos && !entry.leakReported) || reclaim) {
          entry.leakReported = true;
          Thread borrower = entry.borrower;
          reports.add(entry + " borrowed by thread '" + (borrower == null ? "?" : borrower.getName()) + "'"
              + (entry.tag == null ? "" : " [" + entry.tag + "]") + " has been held for "
              + Holders.human(Duration.ofNanos(held))
              + (reclaim ? "; reclaiming it (aborting the connection) because it passed leakReclaimThreshold "
                  + Holders.human(settings.leakReclaimThreshold()) : "")
              + (entry.acquisitionStack() == null ? " (set acquisitionStacks(ALWAYS) to see where it was borrowed)" : ""));
          Throwable site = entry.acquisitionStack();
          stacks.add(site instanceof BorrowSite borrowSite ? borrowSite.trimmed() : site);
          PoolEvents.leakSuspected(settings.poolName(), entry.id, entry.tag, held,
              Holders.siteOf(entry.acquisitionStack()));
          if (reclaim && pool.reclaimLocked(entry, word,
              "reclaimed as a leak after " + Holders.human(Duration.ofNanos(held)))) {
            reclaimed.add(entry);
          }
        }
      }
    } finally {
      pool.lock.unlock();
    }
    for (int i = 0; i < reports.size(); i++) {
      pool.leakSeen();
      if (stacks.get(i) != null) {
        log.warn("Pool '{}': suspected connection leak: {}", settings.poolName(), reports.get(i), stacks.get(i));
      } else {
        log.warn("Pool '{}': suspected connection leak: {}", settings.poolName(), reports.get(i));
      }
    }
    for (PoolEntry entry : reclaimed) {
      pool.threads.abortQuietly(entry.raw, () -> settings.poolName() + ": " + entry + " (leak reclaim)");
    }
  }

  private void keepalive(PoolEntry entry) {
    boolean valid = pool.isValid(entry);
    List<Waiter> next = List.of();
    pool.lock.lock();
    try {
      entry.lastKeepaliveNanos = pool.clock.nanoTime();
      if (valid && entry.evictionReason() == null) {
        next = pool.unreserveLocked(entry);
      } else {
        pool.removeLocked(entry);
      }
    } finally {
      pool.lock.unlock();
    }
    next.forEach(ConnectionPool::wake);
    if (!valid) {
      pool.closeConnection(entry, "failed keepalive validation");
    } else if (entry.evictionReason() != null) {
      pool.closeConnection(entry, entry.evictionReason());
    }
  }
}
