package dev.poolwise;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * What tests see of a {@link ConnectionPool} beyond its API: its entries, a housekeeping pass on demand (tests
 * that move a {@link ManualClock} run the due work themselves) and the structural invariants every test can
 * check after hammering. Reads the pool's package-private state; main code never calls it.
 */
final class PoolInternals {

  private PoolInternals() {}

  /** The entries counted in the pool now. */
  static List<PoolEntry> connections(ConnectionPool pool) {
    return List.of(pool.connections);
  }

  /** Runs one housekeeping pass now (tests drive time this way instead of waiting for the timer). */
  static void runHousekeeping(ConnectionPool pool) {
    pool.houseKeeper.runOnce();
  }

  /**
   * The deliberately broken close of {@code PoolModelCheckTest.closeLeavesNothingOpen}
   * ({@code -Dpoolwise.modelCheck.breakClose=true}): takes every waiter out of the queues without failing or
   * waking it, which is what a close that forgot its parked waiters would leave behind. Only for showing that
   * the model check catches such a close; no test calls it otherwise.
   */
  static void forgetWaitersWithoutFailingThem(ConnectionPool pool) {
    pool.lock.lock();
    try {
      for (WaiterQueue queue : pool.queues) {
        while (queue.pollFirst() != null) {
          pool.waiting--;
        }
      }
    } finally {
      pool.lock.unlock();
    }
  }

  /**
   * The pool's structural invariants: a description of every violation, empty when all hold. Lock-free borrows
   * and returns go on while this runs, and a returner that published its entry idle a moment ago may not yet have
   * taken the lock to serve a waiter. Such transient states pass within microseconds; a violation that persists
   * for 100 ms of re-checks is real.
   */
  static List<String> invariantViolations(ConnectionPool pool) {
    List<String> violations = invariantViolationsNow(pool);
    long deadline = System.nanoTime() + 100_000_000L;
    while (!violations.isEmpty() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(1_000_000L);
      violations = invariantViolationsNow(pool);
    }
    return violations;
  }

  /**
   * {@link #invariantViolations} without the re-checks, for a caller that knows the pool is quiescent.
   * Consistent because it runs under the pool's lock.
   */
  static List<String> invariantViolationsNow(ConnectionPool pool) {
    pool.lock.lock();
    try {
      List<String> violations = new ArrayList<>();
      PoolEntry[] all = pool.connections;
      int total = all.length;
      int idle = 0;
      int borrowed = 0;
      int inUse = 0; // borrowed and settled: neither being handed out nor being returned
      int[] laneHeld = pool.laneHeld;
      int[] laneLimits = pool.laneLimits;
      int[] heldPerLane = new int[laneHeld.length];
      Set<PoolEntry> seen = new HashSet<>();
      for (PoolEntry entry : all) {
        if (!seen.add(entry)) {
          violations.add(entry + " is twice in the pool");
        }
        int state = entry.state();
        if (state == PoolEntry.IDLE) {
          idle++;
        } else if (PoolEntry.isBorrowed(state)) {
          borrowed++;
          if (state == PoolEntry.IN_USE) {
            inUse++;
            heldPerLane[entry.lane]++;
          }
        } else if (state != PoolEntry.RESERVED) {
          violations.add(entry + " is counted in the pool but has state " + state);
        }
      }
      int maxSize = pool.settings().maxSize();
      int connecting = pool.creator.pendingLocked();
      if (total + connecting > maxSize) {
        violations.add("total " + total + " + connecting " + connecting + " > max " + maxSize);
      }
      int servable = pool.servableWaitingLocked();
      if (idle > 0 && servable > 0) {
        violations.add(idle + " idle while " + servable + " servable threads wait");
      }
      int queued = 0;
      for (WaiterQueue queue : pool.queues) {
        queued += queue.size();
      }
      if (queued != pool.waiting) {
        violations.add(queued + " queued but waiting counter is " + pool.waiting);
      }
      for (int lane = 1; lane < laneHeld.length; lane++) {
        String name = pool.laneNames[lane];
        if (laneHeld[lane] > laneLimits[lane]) {
          violations.add("lane " + name + " holds " + laneHeld[lane] + " > its limit " + laneLimits[lane]);
        }
        if (laneHeld[lane] != heldPerLane[lane] && borrowed == inUse) {
          violations.add("lane " + name + " counts " + laneHeld[lane] + " held but " + heldPerLane[lane]
              + " entries are borrowed in it");
        }
      }
      return violations;
    } finally {
      pool.lock.unlock();
    }
  }
}
