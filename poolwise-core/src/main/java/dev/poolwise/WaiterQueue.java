package dev.poolwise;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The FIFO queue of threads waiting for a connection: an intrusive doubly linked list so that a
 * waiter that times out or is interrupted unlinks itself in O(1), wherever it stands.
 *
 * <p>Concurrency: every method must be called with the pool's lock held; the queue has no
 * synchronization of its own. Only {@link Waiter#handedOver} and {@link Waiter#failure} are read
 * outside the lock (by the parked waiter itself), hence volatile.
 */
final class WaiterQueue {

  /** One parked thread. Created per wait, so a virtual thread that waits costs one small object. */
  static final class Waiter {
    final Thread thread;
    final long enqueuedNanos;
    /** The lane it waits in (0 = default). */
    final int lane;
    /** The work label in effect when it started waiting. */
    final @Nullable String tag;
    /** The thread's holding in this pool. */
    final ThreadWork.Holding holding;
    /** Connections this thread already held when it started waiting (pool-locking detection). */
    final int heldWhenQueued;
    /** When the wait times out ({@code System.nanoTime} scale). */
    final long deadlineNanos;
    /**
     * Parks without a timeout and is woken at its deadline by the pool's wait timer. For virtual threads:
     * their timed park costs a timer task scheduled and cancelled per wait (about a tenth of the CPU of a
     * 10,000-virtual-thread benchmark, plus ~100 bytes per waiter), while one pool timer serves the whole
     * queue because deadlines (nearly) grow along it.
     */
    final boolean untimed;
    /** Queued behind an untimed waiter with a later deadline; guarded by the pool's lock. */
    private boolean outOfOrder;
    /** Set under the lock when a connection is handed to this waiter; read by it after unpark. */
    volatile @Nullable PoolEntry handedOver;
    /** Set under the lock when the wait must end without a connection (pool closed, creation refused). */
    volatile @Nullable SQLException failure;
    private @Nullable Waiter previous;
    private @Nullable Waiter next;
    private boolean queued;

    Waiter(Thread thread, long enqueuedNanos, int lane, @Nullable String tag, ThreadWork.Holding holding,
        long deadlineNanos, boolean untimed) {
      this.thread = thread;
      this.enqueuedNanos = enqueuedNanos;
      this.lane = lane;
      this.tag = tag;
      this.holding = holding;
      this.heldWhenQueued = holding == null ? 0 : holding.count();
      this.deadlineNanos = deadlineNanos;
      this.untimed = untimed;
    }

    boolean isQueued() {
      return queued;
    }
  }

  private @Nullable Waiter head;
  private @Nullable Waiter tail;
  private int size;
  /** The deadline of the last untimed waiter added since the queue was last empty. */
  private long lastUntimedDeadline;
  private boolean anyUntimed;

  /** Untimed waiters queued behind one with a later deadline (see {@link #collectExpired}). */
  private int outOfOrder;

  /**
   * Adds the untimed waiters whose deadline has passed to {@code expired} (they stay queued: each removes
   * itself when it wakes) and returns the earliest deadline still ahead, or {@code null} when there is none.
   * Deadlines usually grow along the queue, so the walk stops at the first untimed waiter still ahead. A
   * thread reads its start before it queues, and one that waited for the lock meanwhile (a burst of
   * thousands arriving at once) can queue behind later deadlines: while any such waiter is queued, the walk
   * covers the whole queue, which is still rare (once per deadline, not per wait).
   */
  @Nullable Long collectExpired(long nowNanos, List<Waiter> expired) {
    Long next = null;
    for (Waiter waiter = head; waiter != null; waiter = waiter.next) {
      if (!waiter.untimed) {
        continue;
      }
      if (waiter.deadlineNanos - nowNanos > 0) {
        if (outOfOrder == 0) {
          return waiter.deadlineNanos;
        }
        if (next == null || waiter.deadlineNanos - next < 0) {
          next = waiter.deadlineNanos;
        }
      } else {
        expired.add(waiter);
      }
    }
    return next;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** The longest-waiting thread, or {@code null}; not removed. */
  @Nullable Waiter peekFirst() {
    return head;
  }

  /** Removes every waiter that holds connections already and returns them (pool-locking break-up). */
  List<Waiter> removeHolders() {
    List<Waiter> removed = new ArrayList<>();
    for (Waiter waiter = head; waiter != null; ) {
      Waiter next = waiter.next;
      if (waiter.heldWhenQueued > 0) {
        unlink(waiter);
        removed.add(waiter);
      }
      waiter = next;
    }
    return removed;
  }

  void addLast(Waiter waiter) {
    if (waiter.untimed) {
      if (anyUntimed && waiter.deadlineNanos - lastUntimedDeadline < 0) {
        waiter.outOfOrder = true;
        outOfOrder++;
      } else {
        lastUntimedDeadline = waiter.deadlineNanos;
        anyUntimed = true;
      }
    }
    waiter.previous = tail;
    waiter.next = null;
    if (tail == null) {
      head = waiter;
    } else {
      tail.next = waiter;
    }
    tail = waiter;
    waiter.queued = true;
    size++;
  }

  /** Removes and returns the longest-waiting thread, or {@code null}. */
  @Nullable Waiter pollFirst() {
    Waiter first = head;
    if (first != null) {
      unlink(first);
    }
    return first;
  }

  /** Removes {@code waiter} if it is still queued (it may already have been served). */
  void remove(Waiter waiter) {
    if (waiter.queued) {
      unlink(waiter);
    }
  }

  private void unlink(Waiter waiter) {
    Waiter previous = waiter.previous;
    Waiter next = waiter.next;
    if (previous == null) {
      head = next;
    } else {
      previous.next = next;
    }
    if (next == null) {
      tail = previous;
    } else {
      next.previous = previous;
    }
    waiter.previous = null;
    waiter.next = null;
    waiter.queued = false;
    size--;
    if (waiter.outOfOrder) {
      waiter.outOfOrder = false;
      outOfOrder--;
    }
    if (size == 0) {
      anyUntimed = false;
    }
  }
}
