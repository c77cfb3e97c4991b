package dev.poolwise;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link PoolClock} that moves only when a test says so: lifetimes, idle timeouts, keepalive, leak
 * thresholds, acquire deadlines and creation backoff are then tested by {@link #advance}, not by sleeping,
 * so a loaded machine cannot change what a test sees. After moving it, a test runs the due work itself:
 * {@code PoolInternals.runHousekeeping(pool.pool())} (retirement, leaks, keepalive, refill after backoff) or
 * {@code pool.pool().sweepExpiredWaiters()} (wakes waiting virtual threads whose deadline passed; a
 * platform thread's timed park still sleeps real time, so deadline tests wait on virtual threads).
 *
 * <p>Starts at {@link System#nanoTime()}, so the few timings still read from the system clock (a
 * statement's running time in the holder table) stay on the same scale until the test moves it.
 */
final class ManualClock extends PoolClock {

  private final AtomicLong now = new AtomicLong(System.nanoTime());

  @Override
  long nanoTime() {
    return now.get();
  }

  /** Moves time forward by {@code step}. */
  ManualClock advance(Duration step) {
    now.addAndGet(step.toNanos());
    return this;
  }

  /**
   * Borrows on a virtual thread until the borrow fails, moving this clock past {@code acquireTimeout} once the
   * borrower waits: the timeout a test wants, however long the machine takes. Returns the failure.
   */
  SQLException borrowUntilItTimesOut(PoolwiseDataSource pool, Duration acquireTimeout) throws Exception {
    return failureOfWaiting(pool, acquireTimeout, () -> {
      try (Connection unexpected = pool.getConnection()) {
        throw new AssertionError("borrowed " + unexpected + " instead of timing out");
      }
    });
  }

  /** What borrowing code must do until its wait times out; it throws the failure it ran into. */
  @FunctionalInterface
  interface Borrowing {
    void run() throws SQLException;
  }

  /**
   * Runs {@code borrowing} on a virtual thread, waits until it queues in {@code pool}, moves this clock past
   * {@code acquireTimeout} and wakes it: returns the {@link SQLException} it ended with.
   */
  SQLException failureOfWaiting(PoolwiseDataSource pool, Duration acquireTimeout, Borrowing borrowing)
      throws Exception {
    int waitingBefore = pool.snapshot().waiting();
    CompletableFuture<SQLException> failure = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try {
        borrowing.run();
        failure.completeExceptionally(new AssertionError("no failure: the borrowing code was served"));
      } catch (SQLException e) {
        failure.complete(e);
      } catch (RuntimeException | Error e) {
        failure.completeExceptionally(e);
      }
    });
    await().until(() -> pool.snapshot().waiting() > waitingBefore || failure.isDone());
    advance(acquireTimeout.plusNanos(1));
    pool.pool().sweepExpiredWaiters();
    return failure.get(60, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
