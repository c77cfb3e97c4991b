package dev.poolwise;

import dev.poolwise.WaiterQueue.Waiter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retires idle connections and keeps the rest alive, every {@code housekeepingInterval} on the
 * scheduler thread.
 *
 * <p>Concurrency: one pass inspects the idle stack under the pool's lock, least recently used first,
 * and decides per entry: close it (marked for eviction, past its max lifetime, or idle longer than
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
  private volatile ScheduledFuture<?> task;

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
    } catch (java.util.concurrent.RejectedExecutionException poolClosing) {
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
    long now = System.nanoTime();
    pool.lock.lock();
    try {
      if (pool.isClosedLocked()) {
        return;
      }
      int total = pool.totalLocked();
      for (PoolEntry entry : pool.idleOldestFirstLocked()) {
        String reason = entry.evictionReason();
        if (reason == null && entry.isPastLifetime(now)) {
          reason = "max lifetime reached";
        }
        if (reason == null && idleTimeoutNanos > 0 && now - entry.lastReleasedNanos >= idleTimeoutNanos
            && total > settings.minIdle()) {
          reason = "idle timeout";
        }
        if (reason != null) {
          pool.removeLocked(entry);
          total--;
          closing.add(entry);
          reasons.add(reason);
        } else if (keepaliveNanos > 0
            && now - Math.max(entry.lastReleasedNanos, entry.lastKeepaliveNanos) >= keepaliveNanos) {
          pool.reserveLocked(entry);
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
    pool.lock.lock();
    try {
      pool.creator.fillLocked();
    } finally {
      pool.lock.unlock();
    }
  }

  private void keepalive(PoolEntry entry) {
    boolean valid = pool.isValid(entry);
    Waiter next = null;
    pool.lock.lock();
    try {
      entry.lastKeepaliveNanos = System.nanoTime();
      if (valid && entry.evictionReason() == null) {
        next = pool.unreserveLocked(entry);
      } else {
        pool.removeLocked(entry);
      }
    } finally {
      pool.lock.unlock();
    }
    ConnectionPool.wake(next);
    if (!valid) {
      pool.closeConnection(entry, "failed keepalive validation");
    } else if (entry.evictionReason() != null) {
      pool.closeConnection(entry, entry.evictionReason());
    }
  }
}
