package dev.poolwise.lab;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A measuring reference for {@code ./poolwise bench --barging-reference}, not a product: the naive barging LIFO pool
 * from the performance issue ("a naive LIFO deque of 10 connections held about 61–63k ops/s in the oversubscribed
 * cases, but its longest wait was 1.5–2.3 s"). It shows the other side of the fairness trade-off: the throughput
 * that strict FIFO gives up, and the longest wait that barging costs. {@link FairSemaphorePool} is its fair twin.
 */
final class NaiveLifoPool extends ReferencePool {

  /*
   * Concurrency: one non-fair ReentrantLock guards the idle stack (an ArrayDeque used LIFO) and one Condition,
   * "returned", signalled once per connection pushed back. getConnection() pops under the lock, awaiting the
   * condition while the stack is empty; close() of a lent connection pushes under the lock and signals one waiter.
   *
   * Barging, on purpose: nothing hands a returned connection to the longest waiter. The signalled waiter must
   * re-take the lock first, and a thread that has just returned a connection and asks again (a bench client looping
   * borrow -> query -> return) usually gets the lock sooner and pops the very connection it pushed; the waiter finds
   * the stack empty and waits again, on what is left of its timeout. That keeps hot threads and hot connections
   * running (high ops/s) and leaves unlucky waiters waiting for seconds: exactly what the bench wants to measure.
   * No signal is lost: every push signals, a woken waiter that finds the stack empty waits again, and one that
   * finds it non-empty pops before re-checking anything else.
   *
   * Failure modes: a caller that waits longer than ACQUIRE_TIMEOUT gets SQLTransientConnectionException with the
   * numbers. Nothing is validated, reset or replaced (see ReferencePool).
   */

  /** How long getConnection() waits for a free connection before it gives up; shorter than the bench's 60 s. */
  static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(30);

  private final ReentrantLock lock = new ReentrantLock(false);
  private final Condition returned = lock.newCondition();
  /** Idle connections, most recently returned first; guarded by {@link #lock}. */
  private final ArrayDeque<Connection> idle;

  private NaiveLifoPool(List<Connection> connections) {
    super(connections);
    this.idle = new ArrayDeque<>(connections);
  }

  /** Opens {@code size} connections up front, as the bench opens the limit's dedicated ones. */
  static NaiveLifoPool open(LabDatabase database, int size) throws SQLException {
    return new NaiveLifoPool(openConnections(database, size));
  }

  @Override
  String description() {
    return "naive LIFO pool";
  }

  /** Pops the most recently returned connection, waiting while none is idle. */
  @Override
  Connection take() throws SQLException {
    long remaining = ACQUIRE_TIMEOUT.toNanos();
    lock.lock();
    try {
      while (idle.isEmpty()) {
        if (remaining <= 0) {
          throw new SQLTransientConnectionException(String.format(
              "naive LIFO pool (bench --barging-reference): no connection free after %d s; all %d are lent out."
                  + " This reference pool has no fairness, so a waiter can lose every hand-over to barging threads:"
                  + " run fewer clients or drop --barging-reference.", ACQUIRE_TIMEOUT.toSeconds(), all.size()),
              "08001");
        }
        remaining = returned.awaitNanos(remaining);
      }
      return idle.pop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLTransientConnectionException("naive LIFO pool: interrupted while waiting for a connection", "08001",
          e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  void giveBack(Connection raw) {
    lock.lock();
    try {
      idle.push(raw);
      returned.signal();
    } finally {
      lock.unlock();
    }
  }
}
