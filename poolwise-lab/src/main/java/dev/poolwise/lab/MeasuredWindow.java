package dev.poolwise.lab;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One bench round's measured window, and its end: which borrows count, and when the clients may stop.
 *
 * <p>A borrow counts when it starts inside the window, however long it then waits. At the window's end the clients
 * do not stop at once: they go on (uncounted) until each one has asked for a connection again, which means every
 * counted borrow it started has been served, and only then stop ({@link #awaitCaughtUp}, at most
 * {@link #CATCH_UP_LIMIT_MILLIS}). Stopping at once, as the bench did until 2026-12-03, served the counted waiters
 * still queued at the window's end while a thousand clients were exiting around them: a JFR recording of
 * {@code pk_lookup / 1000 virtual} put Poolwise's longest wait of that run, 74 ms against 14 ms in the second
 * before the window closed, in those last waiters, and no acquisition at all in 25 ms of that shutdown. A pool that
 * barges can leave a waiter unserved for as long as others keep asking; the limit bounds the round, and such a
 * waiter is then served while the clients stop, as before.
 *
 * <p>Concurrency: every field the clients read is volatile; main writes them in the order {@link #open},
 * {@link #close}, {@link #stop}. A client reads {@link #over} before {@link #measuring}, so a client that sees the
 * window over cannot count the borrow it is starting. Each client owns one {@link Client}, written by it alone.
 */
final class MeasuredWindow {

  /** How long the clients may go on after the window for every counted borrow to be served. */
  static final long CATCH_UP_LIMIT_MILLIS = 1_000;

  private final CountDownLatch caughtUp;
  private volatile boolean measuring;
  private volatile boolean over;
  private volatile boolean stopped;
  /** When the window opened and closed ({@link System#nanoTime}). */
  private volatile long openedAt;
  private volatile long closedAt;

  MeasuredWindow(int clients) {
    this.caughtUp = new CountDownLatch(clients);
  }

  /** One client's own view: whether it has asked again since the window closed. Written by its client alone. */
  static final class Client {
    private boolean caughtUp;
  }

  /**
   * Called by a client before each borrow: whether this borrow counts. The first call after the window closed
   * tells the round that this client's counted borrows are all done.
   */
  boolean startBorrow(Client client) {
    boolean windowOver = over;
    boolean counted = measuring;
    if (windowOver && !client.caughtUp) {
      client.caughtUp = true;
      caughtUp.countDown();
    }
    return counted;
  }

  /** Called by a client whose loop ends (stopped, or failed), so the round never waits for it. */
  void leave(Client client) {
    if (!client.caughtUp) {
      client.caughtUp = true;
      caughtUp.countDown();
    }
  }

  /** Whether the clients should stop looping. */
  boolean stopped() {
    return stopped;
  }

  /** Whether an operation finishing now counts toward the round's rate. */
  boolean measuring() {
    return measuring;
  }

  /** Opens the window now; returns the time it opened. */
  long open() {
    long now = System.nanoTime();
    openedAt = now;
    measuring = true;
    return now;
  }

  /** Closes the window now; returns the time it closed. The clients go on until {@link #stop}. */
  long close() {
    long now = System.nanoTime();
    closedAt = now;
    measuring = false;
    over = true;
    return now;
  }

  /** Whether a wait of {@code waitNanos} that ends now began inside the window. */
  boolean beganInside(long waitNanos) {
    long began = System.nanoTime() - waitNanos;
    if (measuring) {
      return began - openedAt >= 0;
    }
    return over && began - openedAt >= 0 && began - closedAt < 0;
  }

  /**
   * Waits until every client has asked again since {@link #close}, at most {@link #CATCH_UP_LIMIT_MILLIS};
   * returns whether they all did.
   */
  boolean awaitCaughtUp() throws InterruptedException {
    return caughtUp.await(CATCH_UP_LIMIT_MILLIS, TimeUnit.MILLISECONDS);
  }

  void stop() {
    stopped = true;
  }
}
