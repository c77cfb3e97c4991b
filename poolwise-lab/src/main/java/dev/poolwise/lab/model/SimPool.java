package dev.poolwise.lab.model;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One simulated client pool with Poolwise's semantics: FIFO hand-over (a returned or new connection goes to the
 * longest waiter that may take it), growth on demand up to {@code maxSize} with at most two connects at once and
 * {@code minIdle} kept open, exponential backoff after a refused connect, an acquire timeout whose failure says
 * 53300 when the pool's last connect was refused, an optional lane capped at {@code laneCap} connections, and the
 * pool-locking guard (when every connection is held by a borrower waiting for another, those waiters fail at once),
 * and the validation of a connection that sat idle {@code validateAfterIdleMs} or longer before it is handed out (one
 * round trip the borrower waits for, as it does in Poolwise and in HikariCP, both 500 ms by default: behind a busy
 * PgBouncer that round trip queues for a server connection like any transaction). Idle connections are taken most
 * recently released first, which keeps a surplus idle long as both libraries' stable preference does. HikariCP rows
 * use the same pool without the guard: the lab measures no other difference that matters here.
 */
final class SimPool {

  /*
   * Concurrency: none (runs inside an EventLoop); the real pool's lock is the agenda's single thread here.
   * This mirrors ConnectionCreator.fillLocked: demand = servable waiters + (minIdle - idle) - pending, capped by
   * maxSize - total - pending and by MAX_CONCURRENT_CONNECTS, and no connect before the backoff ends.
   * Failure modes: a refused connect counts toward the backoff and marks later timeouts as 53300 until a connect
   * succeeds (Poolwise's PoolTimeoutException carries the recent creation failure; the lab classifies by it).
   */

  /** Poolwise's default maxConcurrentCreations. */
  static final int MAX_CONCURRENT_CONNECTS = 2;
  /** Poolwise's default creation backoff: 100 ms doubling to 1 s, ±20 % jitter. */
  static final double BACKOFF_INITIAL_MS = 100;
  static final double BACKOFF_MAX_MS = 1000;
  static final double BACKOFF_JITTER = 0.2;
  /** Poolwise's validateAfterIdle and HikariCP's aliveBypassWindowMs, both 500 ms by default. */
  static final double VALIDATE_AFTER_IDLE_MS = 500;

  /** Where connections come from: the database itself, or PgBouncer's client side. */
  interface Connector {
    /** Opens one connection; {@code done} gets true once open, false when refused (53300). */
    void open(Consumer<Boolean> done);

    void close();

    /** Validates an open connection (one round trip); {@code done} runs when it answered. Default: no cost. */
    default void validate(Runnable done) {
      done.run();
    }
  }

  /** A borrower's connections in this pool, for the pool-locking guard (a request borrows from one pool). */
  static final class Holder {
    int held;
  }

  private final class Waiter {
    final Holder holder;
    final boolean inLane;
    final Runnable granted;
    final Consumer<Failure> failed;
    EventLoop.Event timeout;

    Waiter(Holder holder, boolean inLane, Runnable granted, Consumer<Failure> failed) {
      this.holder = holder;
      this.inLane = inLane;
      this.granted = granted;
      this.failed = failed;
    }

    boolean servable() {
      return !inLane || laneHeld < laneCap;
    }
  }

  private final EventLoop loop;
  private final Connector connector;
  private final int maxSize;
  private final int minIdle;
  private final int laneCap;
  private final double acquireTimeoutMs;
  private final boolean lockingGuard;
  private final SplittableRandom jitter;
  /** A connection idle at least this long is validated before hand-out; infinite: never. */
  private final double validateAfterIdleMs;
  /** When each idle connection was released (or opened), in that order: a borrow takes the most recent one. */
  private final ArrayDeque<Double> idleSince = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  /** Waiters in the lane, so that counting the servable ones does not walk the queue. */
  private int laneWaiters;
  private int total;
  private int pending;
  private int laneHeld;
  private int consecutiveFailures;
  private double notBefore;
  private boolean retryScheduled;
  private boolean lastConnectRefused;

  /** A pool that never validates (its connections cost nothing to check). */
  SimPool(EventLoop loop, Connector connector, int maxSize, int minIdle, int laneCap, double acquireTimeoutMs,
      boolean lockingGuard, long seed) {
    this(loop, connector, maxSize, minIdle, laneCap, acquireTimeoutMs, lockingGuard, seed, Double.POSITIVE_INFINITY);
  }

  SimPool(EventLoop loop, Connector connector, int maxSize, int minIdle, int laneCap, double acquireTimeoutMs,
      boolean lockingGuard, long seed, double validateAfterIdleMs) {
    this.validateAfterIdleMs = validateAfterIdleMs;
    this.loop = loop;
    this.connector = connector;
    this.maxSize = maxSize;
    this.minIdle = minIdle;
    this.laneCap = laneCap;
    this.acquireTimeoutMs = acquireTimeoutMs;
    this.lockingGuard = lockingGuard;
    this.jitter = new SplittableRandom(seed);
  }

  /** Starts filling to {@code minIdle} (Poolwise's BACKGROUND start; nothing for a lazy pool). */
  void start() {
    fill();
  }

  /**
   * Borrows a connection: {@code granted} runs when one is handed over (at once when one is idle), {@code failed}
   * when none came within the acquire timeout or the guard refused.
   */
  void borrow(Holder holder, boolean inLane, Runnable granted, Consumer<Failure> failed) {
    Waiter waiter = new Waiter(holder, inLane && laneCap > 0, granted, failed);
    // Idle connections are handed to servable waiters as they appear, so an idle one means none is waiting ahead.
    if (!idleSince.isEmpty() && waiter.servable()) {
      hand(waiter, idleSince.pollLast());
      return;
    }
    enqueue(waiter);
    waiter.timeout = loop.after(acquireTimeoutMs, () -> {
      waiters.remove(waiter);
      dequeued(waiter);
      waiter.failed.accept(lastConnectRefused ? Failure.TOO_MANY_CLIENTS : Failure.TIMEOUT);
    });
    if (lockingGuard && holder.held > 0) {
      guardAgainstLocking();
    }
    serveWaiters();
    fill();
  }

  /** Returns a connection borrowed by {@code holder} (in the lane when it was borrowed there). */
  void release(Holder holder, boolean inLane) {
    holder.held--;
    if (inLane && laneCap > 0) {
      laneHeld--;
    }
    idleSince.addLast(loop.now());
    serveWaiters();
  }

  int maxSize() {
    return maxSize;
  }

  /** Connections open (not counting those being opened). */
  int total() {
    return total;
  }

  /** Hands a connection idle since {@code idleSinceMs} to {@code waiter}, validating it first when it sat long. */
  private void hand(Waiter waiter, double idleSinceMs) {
    if (waiter.timeout != null) {
      waiter.timeout.cancel();
    }
    waiter.holder.held++;
    if (waiter.inLane) {
      laneHeld++;
    }
    // Deferred to the agenda (same instant): the borrower's next step may borrow or release in this pool.
    if (loop.now() - idleSinceMs >= validateAfterIdleMs) {
      connector.validate(() -> loop.after(0, waiter.granted));
    } else {
      loop.after(0, waiter.granted);
    }
  }

  /** Idle connections go to the longest-waiting waiters that may take them. */
  private void serveWaiters() {
    Iterator<Waiter> it = waiters.iterator();
    while (!idleSince.isEmpty() && it.hasNext()) {
      Waiter waiter = it.next();
      if (waiter.servable()) {
        it.remove();
        dequeued(waiter);
        hand(waiter, idleSince.pollLast());
      }
    }
  }

  private int servableWaiting() {
    return waiters.size() - (laneHeld < laneCap ? 0 : laneWaiters);
  }

  private void enqueue(Waiter waiter) {
    waiters.add(waiter);
    if (waiter.inLane) {
      laneWaiters++;
    }
  }

  private void dequeued(Waiter waiter) {
    if (waiter.inLane) {
      laneWaiters--;
    }
  }

  private void fill() {
    int room = maxSize - total - pending;
    if (room <= 0) {
      return;
    }
    int wanted = servableWaiting() + Math.max(0, minIdle - idleSince.size()) - pending;
    int launch = Math.min(wanted, Math.min(room, MAX_CONCURRENT_CONNECTS - pending));
    if (launch <= 0) {
      return;
    }
    if (loop.now() < notBefore) {
      if (!retryScheduled) {
        retryScheduled = true;
        loop.after(notBefore - loop.now(), () -> {
          retryScheduled = false;
          fill();
        });
      }
      return;
    }
    for (int i = 0; i < launch; i++) {
      pending++;
      // Deferred (same instant): a connector that answers at once must not re-enter fill() inside this loop.
      loop.after(0, () -> connector.open(this::connected));
    }
  }

  private void connected(boolean opened) {
    pending--;
    if (opened) {
      total++;
      idleSince.addLast(loop.now());
      consecutiveFailures = 0;
      lastConnectRefused = false;
      serveWaiters();
    } else {
      consecutiveFailures++;
      lastConnectRefused = true;
      double backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * Math.pow(2, consecutiveFailures - 1));
      notBefore = loop.now() + backoff * (1 + BACKOFF_JITTER * (2 * jitter.nextDouble() - 1));
    }
    fill();
  }

  /**
   * Poolwise's guard: when the pool cannot grow, no connection is idle and every borrowed connection is held by a
   * borrower now waiting for another, nobody can ever return one; those waiters fail at once.
   */
  private void guardAgainstLocking() {
    if (!idleSince.isEmpty() || pending > 0 || total < maxSize) {
      return;
    }
    int heldByWaiters = 0;
    for (Waiter waiter : waiters) {
      heldByWaiters += waiter.holder.held;
    }
    if (heldByWaiters < total) {
      return;
    }
    Iterator<Waiter> it = waiters.iterator();
    while (it.hasNext()) {
      Waiter waiter = it.next();
      if (waiter.holder.held > 0) {
        it.remove();
        dequeued(waiter);
        waiter.timeout.cancel();
        loop.after(0, () -> waiter.failed.accept(Failure.OTHER));
      }
    }
  }
}
