package dev.poolwise;

import java.sql.SQLException;

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
    final String tag;
    /** The thread's holding in this pool. */
    final ThreadWork.Holding holding;
    /** Connections this thread already held when it started waiting (pool-locking detection). */
    final int heldWhenQueued;
    /**
     * For an {@link #untimed} waiter, when the wait timer wakes it ({@code System.nanoTime} scale): its
     * deadline, or up to {@link WaiterQueue#DEADLINE_SLACK_NANOS} later (see {@link WaiterQueue#untimedWakeAt}).
     */
    final long deadlineNanos;
    /**
     * Parks without a timeout and is woken at its deadline by the pool's wait timer. For virtual threads:
     * their timed park costs a timer task scheduled and cancelled per wait (about a tenth of the CPU of a
     * 10,000-virtual-thread benchmark, plus ~100 bytes per waiter), while one pool timer serves the whole
     * queue because deadlines grow along it. Set only when this waiter's deadline is not earlier than
     * that of any untimed waiter queued before it, which keeps that order true.
     */
    final boolean untimed;
    /** Set under the lock when a connection is handed to this waiter; read by it after unpark. */
    volatile PoolEntry handedOver;
    /** Set under the lock when the wait must end without a connection (pool closed, creation refused). */
    volatile SQLException failure;
    private Waiter previous;
    private Waiter next;
    private boolean queued;

    Waiter(Thread thread, long enqueuedNanos, int lane, String tag, ThreadWork.Holding holding, long deadlineNanos,
        boolean untimed) {
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

  private Waiter head;
  private Waiter tail;
  private int size;
  /** The deadline of the last untimed waiter added since the queue was last empty. */
  private long lastUntimedDeadline;
  private boolean anyUntimed;

  /**
   * Threads read their start time before they queue, so two that arrive within microseconds of each
   * other can queue in the opposite order of their deadlines. Such a waiter is woken this much after its
   * deadline at most, rather than parking timed.
   */
  static final long DEADLINE_SLACK_NANOS = 10_000_000L;

  /**
   * The deadline at which the wait timer should wake an untimed waiter whose own deadline is
   * {@code deadline}: its own, or the last untimed waiter's when that is a little later (within
   * {@link #DEADLINE_SLACK_NANOS}), so deadlines keep growing along the queue. {@code null} when the
   * waiter should park timed instead (its deadline is well before one already queued: a retry).
   */
  Long untimedWakeAt(long deadline) {
    if (!anyUntimed || deadline - lastUntimedDeadline >= 0) {
      return deadline;
    }
    return lastUntimedDeadline - deadline <= DEADLINE_SLACK_NANOS ? lastUntimedDeadline : null;
  }

  /**
   * Adds the untimed waiters whose deadline has passed to {@code expired} (they stay queued: each removes
   * itself when it wakes) and returns the deadline of the first untimed waiter still ahead, or
   * {@code null} when there is none. Stops there: deadlines grow along the untimed waiters.
   */
  Long collectExpired(long nowNanos, java.util.List<Waiter> expired) {
    for (Waiter waiter = head; waiter != null; waiter = waiter.next) {
      if (!waiter.untimed) {
        continue;
      }
      if (waiter.deadlineNanos - nowNanos > 0) {
        return waiter.deadlineNanos;
      }
      expired.add(waiter);
    }
    return null;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** The longest-waiting thread, or {@code null}; not removed. */
  Waiter peekFirst() {
    return head;
  }

  /** Removes every waiter that holds connections already and returns them (pool-locking break-up). */
  java.util.List<Waiter> removeHolders() {
    java.util.List<Waiter> removed = new java.util.ArrayList<>();
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
      lastUntimedDeadline = waiter.deadlineNanos;
      anyUntimed = true;
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
  Waiter pollFirst() {
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
    if (size == 0) {
      anyUntimed = false;
    }
  }
}
