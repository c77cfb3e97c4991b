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
    /** Set under the lock when a connection is handed to this waiter; read by it after unpark. */
    volatile PoolEntry handedOver;
    /** Set under the lock when the wait must end without a connection (pool closed, creation refused). */
    volatile SQLException failure;
    private Waiter previous;
    private Waiter next;
    private boolean queued;

    Waiter(Thread thread, long enqueuedNanos) {
      this.thread = thread;
      this.enqueuedNanos = enqueuedNanos;
    }
  }

  private Waiter head;
  private Waiter tail;
  private int size;

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** The longest-waiting thread's enqueue time, or {@code -1} when nobody waits. */
  long oldestEnqueuedNanos() {
    return head == null ? -1 : head.enqueuedNanos;
  }

  void addLast(Waiter waiter) {
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
  }
}
