package dev.poolwise.lab;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A measuring reference for {@code ./poolwise bench --fair-reference}, not a product: the least a fair pool can do
 * with the JDK's own primitives. N dedicated connections behind {@code new Semaphore(N, true)}: a borrower takes a
 * permit in arrival order, then any idle connection. What it costs here is the price of fairness itself; Poolwise
 * (strict FIFO, plus everything a real pool does) is measured against it. {@link NaiveLifoPool} is its barging twin.
 */
final class FairSemaphorePool extends ReferencePool {

  /*
   * Concurrency: permits == idle connections, with the permit as the right to one. take() acquires a permit with
   * tryAcquire(timeout) — on a fair Semaphore that call never barges: a newcomer queues behind every waiter — and
   * then polls the lock-free idle queue; giveBack() offers the connection first and releases the permit after, so a
   * permit holder always finds a connection (the queue holds at least as many connections as unclaimed permits).
   * The semaphore hands a released permit to the longest waiter (AQS's FIFO queue); the woken thread then polls.
   *
   * Failure modes: a caller that waits longer than ACQUIRE_TIMEOUT gets SQLTransientConnectionException with the
   * numbers; an interrupted waiter gets one too and keeps its interrupt. Nothing is validated, reset or replaced
   * (see ReferencePool).
   */

  /** How long getConnection() waits for a free connection before it gives up; shorter than the bench's 60 s. */
  static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(30);

  private final Semaphore permits;
  private final ConcurrentLinkedQueue<Connection> idle;

  private FairSemaphorePool(List<Connection> connections) {
    super(connections);
    this.idle = new ConcurrentLinkedQueue<>(connections);
    this.permits = new Semaphore(connections.size(), true);
  }

  /** Opens {@code size} connections up front, as the bench opens the limit's dedicated ones. */
  static FairSemaphorePool open(LabDatabase database, int size) throws SQLException {
    return new FairSemaphorePool(openConnections(database, size));
  }

  @Override
  String description() {
    return "fair semaphore pool";
  }

  @Override
  Connection take() throws SQLException {
    try {
      if (!permits.tryAcquire(ACQUIRE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new SQLTransientConnectionException(String.format("fair semaphore pool (bench --fair-reference): no"
            + " connection free after %d s; all %d are lent out and %d threads wait. Run fewer clients or drop"
            + " --fair-reference.", ACQUIRE_TIMEOUT.toSeconds(), all.size(), permits.getQueueLength()), "08001");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLTransientConnectionException("fair semaphore pool: interrupted while waiting for a connection",
          "08001", e);
    }
    Connection raw = idle.poll();
    if (raw == null) {
      permits.release();
      throw new IllegalStateException("fair semaphore pool: a permit without an idle connection; the offer-then-"
          + "release order in giveBack() was broken");
    }
    return raw;
  }

  @Override
  void giveBack(Connection raw) {
    idle.offer(raw);
    permits.release();
  }
}
