package dev.poolwise;

import dev.poolwise.WaiterQueue.Waiter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool: the acquisition path and the return path. Creation lives in {@link ConnectionCreator},
 * retirement of idle, old, dead and leaked connections in {@link HouseKeeper}, the verdict in
 * {@link Verdicts}.
 *
 * <h2>Concurrency</h2>
 * Two paths. <b>The uncontended path takes no lock</b>: while nobody waits, a borrower claims an idle
 * entry with one compare-and-set on the entry's state ({@link PoolEntry#tryClaim}) and a returner
 * publishes it idle again with one volatile write; each entry carries its own borrow count and timing
 * rings, so two threads borrowing two connections write no common cache line (the ownership protocol is
 * in {@link PoolEntry}). <b>Everything else runs under one {@link ReentrantLock}</b>: the waiter queues,
 * the set of entries (a copy-on-write array, replaced under the lock, read without it), creation,
 * removal, lanes, suspension, and every decision that involves a waiter. Critical sections are O(1) or
 * O(pool size) scans of at most a few dozen entries, and never do I/O. A {@code ReentrantLock} rather
 * than {@code synchronized} because a virtual thread blocked on it unmounts instead of pinning its
 * carrier (on JDK 21–23), and because waiting happens outside it.
 *
 * <p>The two paths meet through the volatile {@link #waiting} count, a Dekker-style handshake: a
 * borrower that must wait increments {@code waiting} under the lock <em>before</em> it looks for an idle
 * entry; a lock-free returner publishes its entry idle <em>before</em> it reads {@code waiting}. With
 * volatile (sequentially consistent) accesses at least one of them sees the other: either the waiter
 * finds the entry, or the returner sees the waiter and takes the lock to hand the entry over. So no
 * connection sits idle next to a parked waiter once the returner is done. The same handshake with
 * {@link #closed} lets a returner that raced {@code close()} close its connection.
 *
 * <p>Fairness is strict FIFO with direct hand-over, which is what makes the pool fair without a fair
 * lock: while anyone waits, the lock-free path is shut (a newcomer reads {@code waiting > 0} and queues
 * behind), a returning connection goes straight to the oldest waiter that may have it
 * ({@link #offerLocked}), and a newcomer takes an idle connection only when nobody it would overtake is
 * waiting. A borrower that read {@code waiting == 0} just before a waiter queued may still take an idle
 * entry: it arrived first, so that is FIFO too. Waiters park (no spinning) and are unparked after the
 * lock is released: platform threads with {@link LockSupport#parkNanos} until their deadline; virtual
 * threads without a timeout, woken at their deadline by the pool's wait timer
 * ({@link #sweepExpiredWaiters}), because a timed park of a virtual thread schedules and cancels a timer
 * task on every wait, which cost about a tenth of the CPU with 10,000 waiting virtual threads.
 *
 * <p>Lanes: queue 0 is the default lane, unlimited and served first; each named lane has its own FIFO
 * queue and a cap on the connections it may hold. A lane waiter is served only when no default-lane
 * waiter is queued and its lane is below its cap; among lanes, the longest-waiting servable thread
 * goes first. A waiter blocked by its lane's cap is not "servable", so idle connections may sit
 * next to it, which is the point of the cap.
 *
 * <p>Which idle connection: the one this thread returned last if it is idle (the warmest for this thread,
 * and the reason two platform threads do not fight over one entry), else the first idle one in creation
 * order. The fixed order is what lets a lightly loaded pool keep reusing a few connections while the
 * rest age out through the idle timeout; it is most-recently-used within a thread and a stable
 * preference across threads, without a shared stack head that every borrow would write.
 *
 * <h2>Failure modes</h2>
 * A waiter that times out or is interrupted removes itself under the lock; if a connection was handed
 * to it in the same instant, the timeout path takes it (the caller gets it) and the interrupt path
 * returns it, so no connection is ever lost between the two. A connection returned marked as broken,
 * past its lifetime, or to a closed pool is removed and closed on the closer thread (closing a dead
 * socket can block). A connection that breaks with a server-wide SQLState (a restart, a failover,
 * {@code pg_terminate_backend}) gets its siblings marked for validation before their next hand-out
 * ({@link SiblingSuspicion}); the mark is a plain per-entry flag read in {@link #isUsable} next to the
 * idle-time check, so the borrow path gains one plain load of a field of the entry it just claimed and no
 * volatile read or fence. A connection reclaimed as a leak is removed at once; its eventual return is
 * ignored. Physical connects never run on an application thread. When every borrowed connection is
 * held by a thread that is itself waiting for another one, and the pool cannot grow, those threads are
 * failed at once with an explanation (pool-locking deadlock) instead of sitting out their timeout.
 * Nested borrows (a thread that already holds a connection) always take the locked path unless
 * {@link MultipleAcquisition#ALLOW}; under {@code WARN} the headroom is counted under the lock and
 * {@link MultipleAcquisitionLog} decides and logs after it is released, so the lock-free path is unchanged.
 */
final class ConnectionPool implements ConnectionReleaser {

  private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

  /**
   * Swaps the return path's publish-idle and read-waiting (see {@link #releaseWithoutLock}) to show that the
   * model check catches a broken handshake: {@code -Dpoolwise.modelCheck.breakHandshake=true}, read once, so
   * the JIT folds it away when false. Documented in CONTRIBUTING.md; never set in production.
   */
  private static final boolean HANDSHAKE_BROKEN_ON_PURPOSE = Boolean.getBoolean("poolwise.modelCheck.breakHandshake");
  /** With {@link StackCapture#SAMPLED}, one borrow in this many records its stack. */
  private static final int STACK_SAMPLE_INTERVAL = 256; // a power of two
  /** The verdict is logged at most this often while timeouts keep happening. */
  private static final long VERDICT_LOG_INTERVAL_NANOS = 10_000_000_000L;
  /**
   * Timeouts this close together share one diagnosis. Building one (percentiles of every connection's recent
   * timings, the holders' table, the verdict's text) takes a millisecond or more under the lock; a storm of a
   * hundred timeouts a second that each built their own kept the lock and the client's cores busy with text (the
   * lab measured waits ending 1.2 s past a 500 ms timeout, where HikariCP's ended within 40 ms). A tenth of a
   * second is far below anything the diagnosis tells apart.
   */
  static final long TIMEOUT_DIAGNOSIS_REUSE_NANOS = 100_000_000L;

  private final PoolSettings settings;
  /** Every time this pool, its creator and its housekeeper read ({@link PoolClock#SYSTEM} outside tests). */
  final PoolClock clock;
  private final long acquireTimeoutNanos;
  private final long validateAfterIdleNanos;
  private final int validationTimeoutSeconds;
  /** Identifies this pool in each thread's {@link ThreadWork} without keeping the pool reachable. */
  private final Object poolKey = new Object();
  /** Lane names by index; index 0 is the default lane ({@code null}). */
  final String[] laneNames;
  private final Map<String, Integer> laneIndex;
  /** Connections each lane may hold; {@code Integer.MAX_VALUE} for the default lane. */
  final int[] laneLimits;

  /*
   * Guards every field below that is not final or volatile. The fields that are package-private rather than
   * private (the entries, the queues, the lane counts, the housekeeper) are so for the tests' PoolInternals,
   * which checks the invariants under this lock; no main code outside this class touches them.
   */
  final ReentrantLock lock = new ReentrantLock();
  private final Condition allReturned = lock.newCondition();
  /**
   * Every entry counted in {@code total} (idle, borrowed or reserved by the housekeeper), in creation
   * order. Replaced (never mutated) under the lock; read without it by the lock-free paths.
   */
  volatile PoolEntry[] connections = new PoolEntry[0];
  /** One FIFO queue per lane; index 0 is the default lane. */
  final WaiterQueue[] queues;
  /** Connections held per named lane (index 0, the default lane, is not counted: it has no cap). */
  final int[] laneHeld;
  /**
   * Threads queued in any lane. Written under the lock, read without it: non-zero shuts the lock-free
   * borrow path and sends returners through the lock (see the class comment).
   */
  volatile int waiting;
  /** Connections held by threads that are waiting for another one (pool-locking detection). */
  private int heldByWaiters;
  private volatile boolean closed;
  private volatile boolean suspended;
  /** Acquisitions, holds and waits of connections that have left the pool (live ones count their own). */
  private long retiredAcquisitions;
  private final RecentTimings retiredHoldTimes = new RecentTimings();
  private final RecentTimings retiredWaitTimes = new RecentTimings();
  private long timeouts;
  private long lastVerdictLogNanos;
  /** The last timeout's diagnosis and when it was made: reused for {@link #TIMEOUT_DIAGNOSIS_REUSE_NANOS}. */
  private @Nullable Diagnosis sharedTimeoutDiagnosis;
  private long sharedTimeoutDiagnosisNanos;
  /** A wait-timer sweep is scheduled for {@link #sweepAtNanos} (see {@link #sweepExpiredWaiters}). */
  private boolean sweepPending;
  private long sweepAtNanos;
  /** Connections closed, by {@link PoolSnapshot.EvictionCause} ordinal; counted from any thread. */
  private final AtomicLongArray evictions =
      new AtomicLongArray(PoolSnapshot.EvictionCause.values().length);
  private final AtomicLong leaksReported = new AtomicLong();
  /** Set once a timeout or leak was seen: from then on SAMPLED captures every borrow's stack. */
  private volatile boolean captureAllStacks;
  /** Logs nested borrows under {@link MultipleAcquisition#WARN}: the risky ones at WARN, once per site. */
  private final MultipleAcquisitionLog multipleAcquisitionLog;
  /** {@code false} until the first acquire in {@link StartMode#LAZY}; no background filling before. */
  private volatile boolean started;

  /** Registered listeners; copy-on-write, so the hot path reads one volatile array and usually finds it empty. */
  private volatile PoolListener[] listeners = new PoolListener[0];

  final PoolThreads threads;
  /** Marks the other connections for validation when one breaks server-side; reports broken connections. */
  final SiblingSuspicion siblings;
  final ConnectionCreator creator;
  final HouseKeeper houseKeeper;
  /** This pool's share of its fleet's server budget; {@code null} when it is in no fleet. */
  final @Nullable FleetBudget fleet;
  /** Behind PgBouncer: warns about session state the application sets; {@code null} otherwise. */
  private final @Nullable TransactionPoolingGuard transactionPooling;

  ConnectionPool(PoolSettings settings) throws SQLException {
    this(settings, PoolClock.SYSTEM);
  }

  ConnectionPool(PoolSettings settings, PoolClock clock) throws SQLException {
    this.settings = settings;
    this.clock = clock;
    this.acquireTimeoutNanos = settings.acquireTimeout().toNanos();
    this.validateAfterIdleNanos = settings.validateAfterIdle().toNanos();
    this.validationTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
        (settings.validationTimeout().toMillis() + 999) / 1000));
    int lanes = settings.lanes().size() + 1;
    this.laneNames = new String[lanes];
    this.laneLimits = new int[lanes];
    this.laneHeld = new int[lanes];
    this.queues = new WaiterQueue[lanes];
    this.laneLimits[0] = Integer.MAX_VALUE;
    this.queues[0] = new WaiterQueue();
    Map<String, Integer> index = new HashMap<>();
    int next = 1;
    for (Map.Entry<String, Integer> lane : settings.lanes().entrySet().stream()
        .sorted(Map.Entry.comparingByKey()).toList()) {
      laneNames[next] = lane.getKey();
      laneLimits[next] = lane.getValue();
      queues[next] = new WaiterQueue();
      index.put(lane.getKey(), next);
      next++;
    }
    this.laneIndex = Map.copyOf(index);
    this.multipleAcquisitionLog = new MultipleAcquisitionLog(settings.poolName(), settings.maxSize());
    ConnectionFactory factory = ConnectionFactory.of(settings);
    this.threads = new PoolThreads(settings.poolName());
    this.siblings = new SiblingSuspicion(settings.poolName(), () -> connections, threads.scheduler, clock);
    this.creator = new ConnectionCreator(this, factory, settings);
    this.houseKeeper = new HouseKeeper(this, settings);
    this.fleet = FleetBudget.of(this, factory, settings);
    this.transactionPooling = TransactionPoolingGuard.of(settings);
    try {
      if (settings.startMode() == StartMode.FAIL_FAST) {
        PoolEntry first = creator.createNow();
        lock.lock();
        try {
          addCreatedLocked(first);
        } finally {
          lock.unlock();
        }
      }
      if (settings.startMode() != StartMode.LAZY) {
        start();
      }
    } catch (SQLException | RuntimeException | Error e) {
      close();
      throw e;
    }
    log.info("Pool '{}' started: {}", settings.poolName(), settings);
  }

  PoolSettings settings() {
    return settings;
  }

  private void start() {
    lock.lock();
    try {
      if (started || closed) {
        return;
      }
      started = true;
      creator.fillLocked();
    } finally {
      lock.unlock();
    }
    houseKeeper.schedule();
    if (fleet != null) {
      fleet.start();
    }
  }

  /* --- Acquisition --- */

  /**
   * Borrow a connection: idle if nobody it would overtake waits, else wait in FIFO order for a
   * hand-over. Validates a connection that sat idle longer than {@code validateAfterIdle}; a dead one is
   * discarded and the borrow continues within the same deadline.
   */
  Connection acquire() throws SQLException {
    if (!started) {
      start();
    }
    // The only clock read of a lock-free borrow (System.nanoTime costs ~20 ns on a typical VM): it is the
    // start, the hand-out time and, plus acquireTimeout, the deadline.
    long startNanos = clock.nanoTime();
    long deadline = startNanos + acquireTimeoutNanos;
    ThreadWork work = ThreadWork.current();
    int lane = work.lane == null ? 0 : laneOf(work.lane);
    ThreadWork.Holding holding = work.holdingFor(poolKey);
    while (true) {
      PoolEntry fast = lane == 0
          && (holding.count() == 0 || settings.multipleAcquisition() == MultipleAcquisition.ALLOW)
          ? takeIdleWithoutLock(startNanos, work.tag, holding) : null;
      // Waiting happens here rather than inside borrow(): a parked virtual thread's frames are copied to
      // the heap, and one frame fewer is a few hundred bytes less per waiter.
      Waiter waiter = fast != null ? null : borrow(startNanos, deadline, work.tag, lane, holding);
      PoolEntry entry = fast != null ? fast
          : waiter == null ? holding.takeServedAtOnce() : awaitHandOver(waiter, startNanos, deadline);
      if (isUsable(entry)) {
        if (settings.diagnostics()) {
          recordAcquisitionSite(entry);
          PoolEvents.acquired(settings.poolName(), entry.id, entry.tag, entry.acquiredNanos - startNanos);
        }
        PoolListener[] registered = listeners;
        if (registered.length > 0) {
          notifyAcquired(registered, entry.acquiredNanos - startNanos);
        }
        return new ConnectionHandle(entry, this);
      }
    }
  }

  private int laneOf(String lane) throws SQLException {
    Integer index = laneIndex.get(lane);
    if (index == null) {
      throw new SQLException(Verdicts.unknownLane(settings.poolName(), lane, laneIndex.keySet()), "08001");
    }
    return index;
  }

  /**
   * The lock-free path: while nobody waits and the pool is open and not suspended, claim an idle entry
   * (this thread's previous one first). Returns {@code null} when the locked path must decide.
   */
  private @Nullable PoolEntry takeIdleWithoutLock(long startNanos, @Nullable String tag, ThreadWork.Holding holding) {
    if (waiting != 0 || suspended || closed) {
      return null;
    }
    PoolEntry entry = claimIdle(holding.lastReturned);
    if (entry != null) {
      handOut(entry, Thread.currentThread(), tag, 0, holding, startNanos, 0);
    }
    return entry;
  }

  /**
   * Claims an idle entry: {@code preferred} if it is idle, else the first idle one in creation order.
   * Returns {@code null} when none is idle. The caller owns the claimed entry and must hand it out.
   */
  private @Nullable PoolEntry claimIdle(@Nullable PoolEntry preferred) {
    if (preferred != null && preferred.tryClaim()) {
      return preferred;
    }
    for (PoolEntry entry : connections) {
      if (entry.tryClaim()) {
        return entry;
      }
    }
    return null;
  }

  /**
   * The locked path: take an idle connection if nobody it would overtake waits, else queue. Returns the
   * queued waiter, for the caller to wait on with {@link #awaitHandOver}; or {@code null} when the thread was
   * served at once, the entry then being in {@link ThreadWork.Holding#takeServedAtOnce} (no waiter is
   * allocated for a borrow that does not wait).
   */
  private @Nullable Waiter borrow(long startNanos, long deadline, @Nullable String tag, int lane,
      ThreadWork.Holding holding) throws SQLException {
    Thread thread = Thread.currentThread();
    Waiter waiter = null;
    List<Waiter> lockedOut = List.of();
    boolean warnMultiple = false;
    int held;
    int headroom = 0; // for a nested borrow under WARN: idle connections plus those the pool may still open
    lock.lock();
    try {
      if (closed) {
        throw closedException();
      }
      held = holding.count();
      if (held > 0) {
        if (settings.multipleAcquisition() == MultipleAcquisition.FAIL) {
          throw new SQLException(Verdicts.multipleAcquisitionRefused(settings.poolName(), thread, tag, held), "08001");
        }
        warnMultiple = settings.multipleAcquisition() == MultipleAcquisition.WARN;
        headroom = warnMultiple ? idleCountLocked() + settings.maxSize() - connections.length : 0;
      }
      // Announce the wait before looking at the idle entries: a lock-free returner publishes its entry
      // idle before it reads `waiting`, so either we see that entry now or it sees us and hands it over.
      waiting++;
      if (!mayTakeIdleLocked(lane) || !serveAtOnceLocked(thread, startNanos, tag, lane, holding)) {
        SQLException refusal = connections.length == 0 ? creator.refusalInBackoffLocked() : null;
        if (refusal != null) {
          // The server refused us outright (authentication, unknown database) moments ago and the pool has
          // no connection to hand over: waiting out acquireTimeout could not end differently.
          waiting--;
          throw rethrownForThisThread(refusal);
        }
        boolean untimed = Holders.isVirtual(thread);
        waiter = new Waiter(thread, clock.nanoTime(), lane, tag, holding, deadline, untimed);
        queues[lane].addLast(waiter);
        if (untimed) {
          scheduleSweepLocked(deadline);
        }
        heldByWaiters += waiter.heldWhenQueued;
        if (waiter.heldWhenQueued > 0 && isPoolLockedLocked()) {
          lockedOut = breakPoolLockLocked();
        } else {
          creator.fillLocked();
        }
      }
    } finally {
      lock.unlock();
    }
    if (warnMultiple) {
      multipleAcquisitionLog.nestedBorrow(thread, tag, held, headroom, waiter != null);
    }
    lockedOut.forEach(ConnectionPool::wake);
    return waiter;
  }

  /**
   * Hands an idle entry to the calling thread at once, into {@link ThreadWork.Holding#takeServedAtOnce};
   * returns {@code false} if none is idle.
   */
  private boolean serveAtOnceLocked(Thread thread, long startNanos, @Nullable String tag, int lane,
      ThreadWork.Holding holding) {
    PoolEntry entry = claimIdle(holding.lastReturned);
    if (entry == null) {
      return false;
    }
    waiting--;
    long now = clock.nanoTime();
    if (lane != 0) {
      laneHeld[lane]++;
    }
    handOut(entry, thread, tag, lane, holding, now, now - startNanos);
    holding.servedAtOnce = entry;
    return true;
  }

  /** A newcomer in {@code lane} may take an idle connection only if it overtakes nobody who could have it. */
  private boolean mayTakeIdleLocked(int lane) {
    if (suspended) {
      return false;
    }
    if (lane == 0) {
      return queues[0].isEmpty();
    }
    return queues[0].isEmpty() && queues[lane].isEmpty() && laneHeld[lane] < laneLimits[lane];
  }

  private PoolEntry awaitHandOver(Waiter waiter, long startNanos, long deadline) throws SQLException {
    while (true) {
      PoolEntry entry = waiter.handedOver;
      if (entry != null) {
        return entry;
      }
      SQLException failure = waiter.failure;
      if (failure != null) {
        throw rethrownForThisThread(failure);
      }
      long remaining = deadline - clock.nanoTime();
      if (remaining <= 0) {
        return giveUp(waiter, startNanos, null);
      }
      if (waiter.untimed) {
        LockSupport.park(this); // the wait timer unparks it at its deadline: sweepExpiredWaiters
      } else {
        LockSupport.parkNanos(this, remaining);
      }
      if (Thread.interrupted()) {
        return giveUp(waiter, startNanos, new InterruptedException());
      }
    }
  }

  /**
   * Has the wait timer run {@link #sweepExpiredWaiters} at {@code atNanos}, unless a sweep at or before
   * that time is pending already (the usual case: deadlines grow along the queue).
   */
  private void scheduleSweepLocked(long atNanos) {
    if (sweepPending && sweepAtNanos - atNanos <= 0) {
      return;
    }
    try {
      threads.waitTimer().schedule(this::sweepExpiredWaiters, Math.max(0, atNanos - clock.nanoTime()),
          TimeUnit.NANOSECONDS);
      sweepPending = true;
      sweepAtNanos = atNanos;
    } catch (RejectedExecutionException shuttingDown) {
      // The pool is closing: close() fails and wakes every waiter.
    }
  }

  /**
   * Wakes every untimed waiter whose deadline has passed (each then times out on its own thread, with
   * the diagnosis) and schedules the next sweep for the next deadline. Runs on the wait timer.
   */
  void sweepExpiredWaiters() { // package-private: tests that move a test clock run the sweep themselves
    List<Waiter> expired = new ArrayList<>();
    lock.lock();
    try {
      long now = clock.nanoTime();
      if (sweepPending && sweepAtNanos - now <= 0) {
        sweepPending = false;
      }
      Long next = null;
      for (WaiterQueue queue : queues) {
        Long ahead = queue.collectExpired(now, expired);
        if (ahead != null && (next == null || ahead - next < 0)) {
          next = ahead;
        }
      }
      if (next != null) {
        scheduleSweepLocked(next);
      }
    } finally {
      lock.unlock();
    }
    expired.forEach(ConnectionPool::wake);
  }

  /**
   * Ends a wait that timed out or was interrupted. Runs under the lock so that it cannot miss a
   * connection handed over in the same instant: a timed-out waiter keeps such a connection (the
   * caller asked for one and one arrived); an interrupted waiter returns it to the pool.
   */
  private PoolEntry giveUp(Waiter waiter, long startNanos, @Nullable InterruptedException interrupt)
      throws SQLException {
    List<Waiter> next = List.of();
    Diagnosis diagnosis = null;
    boolean logVerdict = false;
    lock.lock();
    try {
      PoolEntry entry = waiter.handedOver;
      if (entry != null && interrupt == null) {
        return entry;
      }
      if (entry != null) {
        undoHandOutLocked(entry);
        next = offerLocked(entry);
      } else {
        dequeueLocked(waiter);
      }
      if (waiter.failure != null && interrupt == null) {
        throw rethrownForThisThread(waiter.failure);
      }
      if (interrupt == null) {
        timeouts++;
        captureAllStacks = true;
        long now = clock.nanoTime();
        diagnosis = timeoutDiagnosisLocked(now);
        if (lastVerdictLogNanos == 0 || now - lastVerdictLogNanos >= VERDICT_LOG_INTERVAL_NANOS) {
          lastVerdictLogNanos = now;
          logVerdict = true;
        }
      }
    } finally {
      lock.unlock();
    }
    next.forEach(ConnectionPool::wake);
    Duration waited = Duration.ofNanos(clock.nanoTime() - startNanos);
    if (interrupt != null) {
      Thread.currentThread().interrupt();
      throw new SQLException(Verdicts.interrupted(waited, snapshot()), "08001", interrupt);
    }
    if (logVerdict) {
      log.warn("Pool '{}': getConnection timed out after {} ms. {}", settings.poolName(), waited.toMillis(), diagnosis);
    }
    Diagnosis timedOut = Nulls.castToNonNull(diagnosis); // made under the lock whenever it was not an interrupt
    PoolEvents.timedOut(settings.poolName(), waited.toNanos(), timedOut.verdict());
    long waitedNanos = waited.toNanos();
    notifyListeners(listeners, listener -> listener.timedOut(waitedNanos));
    return throwTimeout(timedOut, waited);
  }

  private PoolEntry throwTimeout(Diagnosis diagnosis, Duration waited) throws PoolTimeoutException {
    SQLException creationFailure = creator.recentFailure();
    throw new PoolTimeoutException(Verdicts.timedOut(settings, waited, diagnosis), diagnosis, waited, creationFailure);
  }

  /** A shared failure (pool closed, connecting refused) re-thrown with the waiting thread's own stack. */
  private static SQLException rethrownForThisThread(SQLException shared) {
    if (shared instanceof PoolLockedException locked) {
      return new PoolLockedException(locked);
    }
    SQLException own = shared instanceof SQLTransientConnectionException
        ? new SQLTransientConnectionException(shared.getMessage(), shared.getSQLState(), shared.getErrorCode(),
            shared.getCause() != null ? shared.getCause() : shared)
        : new SQLException(shared.getMessage(), shared.getSQLState(), shared.getErrorCode(),
            shared.getCause() != null ? shared.getCause() : shared);
    return own;
  }

  /**
   * The last check before a connection leaves the pool: retire it if it passed its lifetime or was
   * marked while idle; validate it if it sat idle long enough that the server or a firewall may have
   * dropped it, or if a sibling broke in a way that usually breaks them all ({@link SiblingSuspicion}).
   * A connection that fails is removed and closed, and the caller borrows again.
   */
  private boolean isUsable(PoolEntry entry) {
    long now = entry.acquiredNanos; // the hand-out's clock reading: close enough, and one clock read fewer
    String reason = entry.evictionReason();
    if (reason == null && entry.isPastLifetime(now)) {
      reason = "max lifetime reached";
    }
    // The sibling mark is a plain field of the entry just claimed: one load, no fence (see PoolEntry).
    if (reason == null && (now - entry.lastReleasedNanos >= validateAfterIdleNanos || entry.validateBeforeNextHandOut)
        && !isValidBeforeHandOut(entry)) {
      reason = "failed validation before hand-out";
    }
    if (reason == null) {
      return true;
    }
    discard(entry, reason);
    return false;
  }

  /** Validates a connection about to be handed out; a sibling mark is reported and cleared (or kept, see there). */
  private boolean isValidBeforeHandOut(PoolEntry entry) {
    if (!entry.validateBeforeNextHandOut) {
      return isValid(entry);
    }
    boolean valid = isValid(entry);
    entry.validateBeforeNextHandOut = siblings.checked(entry, valid, clock.nanoTime());
    return valid;
  }

  /** {@code Connection.isValid} with the configured timeout; any exception counts as invalid. */
  boolean isValid(PoolEntry entry) {
    try {
      return entry.raw.isValid(validationTimeoutSeconds);
    } catch (SQLException | RuntimeException e) {
      log.debug("Pool '{}': validation of {} failed: {}", settings.poolName(), entry, e.toString());
      return false;
    }
  }

  /** Records where the connection was borrowed, per {@link StackCapture}; runs on the borrowing thread. */
  private void recordAcquisitionSite(PoolEntry entry) {
    StackCapture capture = settings.acquisitionStacks();
    if (capture == StackCapture.OFF || !settings.diagnostics()) {
      return;
    }
    // SAMPLED: every STACK_SAMPLE_INTERVAL-th borrow of each connection (its own counter: no shared write).
    if (capture == StackCapture.ALWAYS || captureAllStacks || (entry.borrows & (STACK_SAMPLE_INTERVAL - 1)) == 1) {
      entry.acquisitionStack(new BorrowSite());
    }
  }

  /* --- Hand-out and return bookkeeping --- */

  /**
   * Writes a claimed entry's borrow bookkeeping and publishes it in use. Runs on whoever claimed it (the
   * borrower on the lock-free path, the lock holder when it serves a waiter); lane counts for named lanes
   * are the caller's business, under the lock.
   */
  private void handOut(PoolEntry entry, Thread thread, @Nullable String tag, int lane, ThreadWork.Holding holding,
      long now, long waitNanos) {
    if (holding != null) {
      holding.add(1);
    }
    entry.beginBorrow(thread, tag, lane, holding, now);
    entry.borrows++;
    if (settings.diagnostics()) {
      entry.waitTimes.record(waitNanos, now);
    }
    entry.publishInUse();
  }

  /** Ends a borrow's bookkeeping (return, reclaim): hold time, the holder's count. Needs the lock for named lanes. */
  private void endBorrow(PoolEntry entry, long now) {
    if (settings.diagnostics()) {
      entry.holdTimes.record(now - entry.acquiredNanos, now);
    }
    releaseCounts(entry);
  }

  /**
   * Takes back a hand-out the application never saw (the connection failed its check, or the waiter it
   * was handed to was interrupted): no hold time to record, and it does not count as an acquisition.
   * Called under the lock by the thread the entry was handed to.
   */
  private void undoHandOutLocked(PoolEntry entry) {
    entry.borrows--;
    releaseCounts(entry);
  }

  private void releaseCounts(PoolEntry entry) {
    if (entry.lane != 0) {
      laneHeld[entry.lane]--; // named lanes are only ever borrowed and returned under the lock
    }
    ThreadWork.Holding holding = entry.holding;
    if (holding != null) {
      holding.add(-1);
      if (holding.thread == Thread.currentThread()) {
        holding.lastReturned = entry; // the borrower's own return: where it looks first next time
      }
    }
    entry.endBorrow();
  }

  private void dequeueLocked(Waiter waiter) {
    if (waiter.isQueued()) {
      queues[waiter.lane].remove(waiter);
      waiting--;
      heldByWaiters -= waiter.heldWhenQueued;
    }
  }

  /* --- Return --- */

  @Override
  public void release(PoolEntry entry) {
    long now = clock.nanoTime();
    String reason = entry.evictionReason();
    if (reason == null && entry.isPastLifetime(now)) {
      reason = "max lifetime reached";
    }
    if (settings.diagnostics()) {
      // Committing a JFR event is cheap, but not free while a recording runs. The fields were written by
      // the hand-out, usually on this same thread.
      PoolEvents.released(settings.poolName(), entry.id, entry.tag, now - entry.acquiredNanos);
    }
    PoolListener[] registered = listeners;
    if (registered.length > 0 && entry.state() != PoolEntry.REMOVED) {
      notifyReleased(registered, now - entry.acquiredNanos);
    }
    if (reason == null && entry.lane == 0 && waiting == 0 && !closed
        && (fleet == null || connections.length <= fleet.cap())) {
      releaseWithoutLock(entry, now);
    } else {
      releaseLocked(entry, now, reason);
    }
  }

  /**
   * The lock-free return: nobody was waiting when we looked, so publish the entry idle; then look again
   * (the handshake in the class comment) and take the lock only if a waiter or a close slipped in.
   */
  private void releaseWithoutLock(PoolEntry entry, long now) {
    if (!entry.transition(PoolEntry.IN_USE, PoolEntry.RETURNING)) {
      return; // reclaimed as a leak while borrowed; the pool already replaced it
    }
    endBorrow(entry, now);
    entry.lastReleasedNanos = now;
    if (HANDSHAKE_BROKEN_ON_PURPOSE && waiting == 0 && !closed) {
      // The bug PoolModelCheckTest must catch: `waiting` read before the entry is published idle, so a waiter
      // that queues in between parks next to this idle entry until its deadline. Never set outside that check.
      entry.publish(PoolEntry.IDLE);
      return;
    }
    entry.publish(PoolEntry.IDLE);
    if (waiting != 0 || closed) {
      List<Waiter> next;
      List<PoolEntry> closing = List.of();
      lock.lock();
      try {
        if (closed) {
          closing = removeIdleLocked();
          next = List.of();
        } else {
          next = serveAllLocked();
        }
      } finally {
        lock.unlock();
      }
      next.forEach(ConnectionPool::wake);
      closing.forEach(closed -> closeConnection(closed, "pool closed"));
    }
  }

  private void releaseLocked(PoolEntry entry, long now, @Nullable String reason) {
    List<Waiter> next = List.of();
    lock.lock();
    try {
      if (!entry.transition(PoolEntry.IN_USE, PoolEntry.RETURNING)) {
        return; // reclaimed as a leak while borrowed; the pool already replaced it
      }
      endBorrow(entry, now);
      if (closed) {
        reason = "pool closed";
      } else if (reason == null && fleet != null && connections.length > fleet.cap()) {
        reason = FleetBudget.RETIRE_REASON; // shrinking to the fleet share: do not keep what came back
      }
      if (reason != null) {
        removeLocked(entry);
      } else {
        entry.lastReleasedNanos = now;
        next = offerLocked(entry);
      }
    } finally {
      lock.unlock();
    }
    next.forEach(ConnectionPool::wake);
    if (reason != null) {
      closeConnection(entry, reason);
    }
  }

  /** Removes every idle entry (the pool is closed); returns them for closing outside the lock. */
  private List<PoolEntry> removeIdleLocked() {
    List<PoolEntry> removed = new ArrayList<>();
    for (PoolEntry entry : connections) {
      if (entry.transition(PoolEntry.IDLE, PoolEntry.REMOVED)) {
        removeLocked(entry);
        removed.add(entry);
      }
    }
    return removed;
  }

  /**
   * Puts a usable entry back and serves whoever may now be served: the oldest default-lane waiter,
   * else the longest-waiting lane waiter whose lane is below its cap. Returns the waiters to unpark
   * once the lock is released (usually none or one; with lanes, a return can unblock a lane waiter as
   * well as serve another).
   */
  List<Waiter> offerLocked(PoolEntry entry) {
    if (closed) {
      // Only reachable on shutdown edges (an interrupted waiter passing on a hand-over, a keepalive
      // check finishing): the entry must not become idle in a closed pool.
      removeLocked(entry);
      closeConnection(entry, "pool closed");
      return List.of();
    }
    entry.publish(PoolEntry.IDLE);
    return serveAllLocked();
  }

  /** Serves waiters from the idle entries for as long as both remain; returns the waiters to unpark. */
  private List<Waiter> serveAllLocked() {
    if (waiting == 0) {
      return List.of();
    }
    Waiter first = serveOneLocked();
    if (first == null || queues.length == 1) {
      return first == null ? List.of() : List.of(first);
    }
    List<Waiter> served = new ArrayList<>(2);
    served.add(first);
    Waiter more;
    while ((more = serveOneLocked()) != null) {
      served.add(more);
    }
    return served;
  }

  /** Hands an idle entry to the next servable waiter, if there are both. */
  private @Nullable Waiter serveOneLocked() {
    if (waiting == 0 || suspended) {
      return null;
    }
    Waiter waiter = queues[0].peekFirst();
    if (waiter == null) {
      for (int lane = 1; lane < queues.length; lane++) {
        Waiter candidate = queues[lane].peekFirst();
        if (candidate != null && laneHeld[lane] < laneLimits[lane]
            && (waiter == null || candidate.enqueuedNanos - waiter.enqueuedNanos < 0)) {
          waiter = candidate;
        }
      }
      if (waiter == null) {
        return null;
      }
    }
    PoolEntry entry = claimIdle(null);
    if (entry == null) {
      return null;
    }
    dequeueLocked(waiter);
    if (waiter.lane != 0) {
      laneHeld[waiter.lane]++;
    }
    long now = clock.nanoTime();
    handOut(entry, waiter.thread, waiter.tag, waiter.lane, waiter.holding, now, now - waiter.enqueuedNanos);
    waiter.handedOver = entry;
    return waiter;
  }

  static void wake(Waiter waiter) {
    if (waiter != null) {
      LockSupport.unpark(waiter.thread);
    }
  }

  /* --- Pool-locking deadlock --- */

  /**
   * The pool has locked itself when it cannot grow or hand anything out, and every borrowed connection
   * belongs to a thread that is itself waiting for another one: nobody will ever return one.
   */
  private boolean isPoolLockedLocked() {
    PoolEntry[] all = connections;
    int borrowed = countBorrowed(all);
    // Every entry borrowed (none idle or reserved) and the pool at its maximum.
    return borrowed > 0 && heldByWaiters >= borrowed && borrowed == all.length && all.length >= settings.maxSize();
  }

  /** Fails every waiter that holds a connection, with the explanation; returns them for unparking. */
  private List<Waiter> breakPoolLockLocked() {
    int threadsInvolved = 0;
    int mostHeld = 0;
    List<Waiter> failed = new ArrayList<>();
    for (WaiterQueue queue : queues) {
      failed.addAll(queue.removeHolders());
    }
    for (Waiter waiter : failed) {
      threadsInvolved++;
      mostHeld = Math.max(mostHeld, waiter.heldWhenQueued);
      waiting--;
      heldByWaiters -= waiter.heldWhenQueued;
    }
    PoolLockedException explanation =
        Verdicts.poolLocked(settings, countBorrowed(connections), threadsInvolved, mostHeld + 1);
    for (Waiter waiter : failed) {
      waiter.failure = explanation;
    }
    log.warn("{}", explanation.getMessage());
    return failed;
  }

  /* --- Entry bookkeeping shared with the creator and the housekeeper --- */

  /**
   * Counts a newly created entry and offers it. Returns the waiters to wake; when the pool closed
   * meanwhile the entry is closed instead.
   */
  List<Waiter> addCreatedLocked(PoolEntry entry) {
    if (closed) {
      entry.markRemoved();
      closeConnection(entry, "pool closed while connecting");
      return List.of();
    }
    PoolEntry[] all = connections;
    PoolEntry[] grown = Arrays.copyOf(all, all.length + 1);
    grown[all.length] = entry;
    connections = grown;
    return offerLocked(entry);
  }

  /** Removes a borrowed entry that turned out to be unusable and closes it; asks for a replacement. */
  private void discard(PoolEntry entry, String reason) {
    lock.lock();
    try {
      undoHandOutLocked(entry);
      removeLocked(entry);
    } finally {
      lock.unlock();
    }
    closeConnection(entry, reason);
  }

  /**
   * Forgets an entry (no longer counted in total) and lets the creator refill if there is demand. The
   * caller owns the entry: it is borrowed by the caller, reserved, being returned, or already moved from
   * idle to removed by the caller's compare-and-set (an idle entry may be claimed at any moment).
   */
  void removeLocked(PoolEntry entry) {
    entry.markRemoved();
    PoolEntry[] all = connections;
    int at = -1;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == entry) {
        at = i;
        break;
      }
    }
    if (at >= 0) {
      PoolEntry[] shrunk = new PoolEntry[all.length - 1];
      System.arraycopy(all, 0, shrunk, 0, at);
      System.arraycopy(all, at + 1, shrunk, at, all.length - at - 1);
      connections = shrunk;
      retiredAcquisitions += entry.borrows;
      retiredHoldTimes.addAll(entry.holdTimes);
      retiredWaitTimes.addAll(entry.waitTimes);
    }
    if (closed) {
      allReturned.signalAll();
    } else {
      creator.fillLocked();
    }
  }

  /** Closes the physical connection on the closer thread: closing a dead socket can block. */
  void closeConnection(PoolEntry entry, String reason) {
    countEviction(PoolSnapshot.EvictionCause.of(reason));
    log.debug("Pool '{}': closing {} ({})", settings.poolName(), entry, reason);
    threads.closeQuietly(entry.raw, () -> settings.poolName() + ": " + entry + " (" + reason + ")");
  }

  @Override
  public @Nullable TransactionPoolingGuard transactionPooling() {
    return transactionPooling;
  }

  /* --- Fleet budget support --- */

  /** The most connections the pool may hold now: {@code maxSize}, or the fleet's cap when that is lower. */
  int sizeLimit() {
    return fleet == null ? settings.maxSize() : Math.min(settings.maxSize(), fleet.cap());
  }

  /** Borrowed plus waiting, read without the lock (a sample for the fleet's demand; racy by a connection or two). */
  int demandNow() {
    return countBorrowed(connections) + waiting;
  }

  /** Connections open plus those being opened. */
  int totalAndPending() {
    lock.lock();
    try {
      return connections.length + creator.pendingLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Retires idle connections, least recently used first, until the pool is within the fleet's cap. */
  void retireIdleAboveFleetCap() {
    List<PoolEntry> closing = new ArrayList<>();
    lock.lock();
    try {
      int excess = connections.length - sizeLimit();
      for (PoolEntry entry : idleOldestFirstLocked()) {
        if (excess <= 0 || closed) {
          break;
        }
        if (removeIdleLocked(entry, entry.stateWord())) {
          closing.add(entry);
          excess--;
        }
      }
    } finally {
      lock.unlock();
    }
    closing.forEach(entry -> closeConnection(entry, FleetBudget.RETIRE_REASON));
  }

  // Accessors for the creator and housekeeper; all require the lock.

  int totalLocked() {
    return connections.length;
  }

  int idleCountLocked() {
    int count = 0;
    for (PoolEntry entry : connections) {
      int state = entry.state();
      if (state == PoolEntry.IDLE || state == PoolEntry.RESERVED) {
        count++;
      }
    }
    return count;
  }

  private static int countBorrowed(PoolEntry[] all) {
    int count = 0;
    for (PoolEntry entry : all) {
      if (PoolEntry.isBorrowed(entry.state())) {
        count++;
      }
    }
    return count;
  }

  /** Waiters that could be served if a connection were available now (lane caps considered). */
  int servableWaitingLocked() {
    if (suspended) {
      return 0;
    }
    int servable = queues[0].size();
    for (int lane = 1; lane < queues.length; lane++) {
      servable += Math.min(queues[lane].size(), Math.max(0, laneLimits[lane] - laneHeld[lane]));
    }
    return servable;
  }

  boolean isClosedLocked() {
    return closed;
  }

  boolean isStartedLocked() {
    return started;
  }

  /**
   * The entries (idle at the time of the call, least recently returned first) for the housekeeper to
   * inspect. They may be borrowed a moment later: act on one only through {@link #removeIdleLocked(PoolEntry, long)}
   * or {@link #reserveLocked(PoolEntry, long)} with the state word read before deciding.
   */
  List<PoolEntry> idleOldestFirstLocked() {
    List<PoolEntry> list = new ArrayList<>();
    for (PoolEntry entry : connections) {
      if (entry.state() == PoolEntry.IDLE) {
        list.add(entry);
      }
    }
    long now = clock.nanoTime();
    list.sort((a, b) -> Long.compare(a.lastReleasedNanos - now, b.lastReleasedNanos - now));
    return list;
  }

  /** Entries in use now, for the housekeeper's leak check (read each one's state word before its fields). */
  List<PoolEntry> borrowedLocked() {
    List<PoolEntry> borrowed = new ArrayList<>();
    for (PoolEntry entry : connections) {
      if (entry.state() == PoolEntry.IN_USE) {
        borrowed.add(entry);
      }
    }
    return borrowed;
  }

  /**
   * Removes an idle entry if it is still in the state {@code observedWord} (not borrowed since the
   * caller looked at it); returns whether it did.
   */
  boolean removeIdleLocked(PoolEntry entry, long observedWord) {
    if (PoolEntry.stateOf(observedWord) != PoolEntry.IDLE || !entry.compareAndSet(observedWord, PoolEntry.REMOVED)) {
      return false;
    }
    removeLocked(entry);
    return true;
  }

  /**
   * Takes a borrowed entry away from its borrower (leak reclaim) if it is still the borrow the caller
   * observed as {@code observedWord}: it stops counting at once, so the pool can replace it; its eventual
   * return is ignored. The caller aborts the physical connection. Returns whether it reclaimed.
   */
  boolean reclaimLocked(PoolEntry entry, long observedWord, String reason) {
    if (PoolEntry.stateOf(observedWord) != PoolEntry.IN_USE || !entry.compareAndSet(observedWord, PoolEntry.REMOVED)) {
      return false; // returned (or being returned) meanwhile: not a leak any more
    }
    entry.markForEviction(reason);
    countEviction(PoolSnapshot.EvictionCause.LEAK_RECLAIMED);
    endBorrow(entry, clock.nanoTime());
    removeLocked(entry);
    return true;
  }

  /** Marks that a leak was reported: SAMPLED stack capture switches to every borrow. */
  void leakSeen() {
    captureAllStacks = true;
    leaksReported.incrementAndGet();
  }

  /** Counts a connection leaving the pool; {@code null} (never entered the pool) is not counted. */
  void countEviction(@Nullable PoolSnapshot.EvictionCause cause) {
    if (cause != null) {
      evictions.incrementAndGet(cause.ordinal());
    }
  }

  /**
   * Takes an idle entry aside for a keepalive check if it was not borrowed since the caller read
   * {@code observedWord}; it still counts as idle. Returns whether it did.
   */
  boolean reserveLocked(PoolEntry entry, long observedWord) {
    return PoolEntry.stateOf(observedWord) == PoolEntry.IDLE && entry.compareAndSet(observedWord, PoolEntry.RESERVED);
  }

  /** Returns a reserved entry after a successful keepalive check. */
  List<Waiter> unreserveLocked(PoolEntry entry) {
    if (closed) {
      removeLocked(entry);
      closeConnection(entry, "pool closed");
      return List.of();
    }
    return offerLocked(entry);
  }

  /**
   * Fails every current waiter at once with {@code failure} (pool closed, or connecting refused
   * outright while the pool has no connection). Returns them for unparking.
   */
  List<Waiter> failWaitersLocked(SQLException failure) {
    List<Waiter> failed = new ArrayList<>(waiting);
    for (WaiterQueue queue : queues) {
      Waiter waiter;
      while ((waiter = queue.pollFirst()) != null) {
        waiter.failure = failure;
        failed.add(waiter);
      }
    }
    waiting = 0;
    heldByWaiters = 0;
    return failed;
  }

  /* --- Views and control --- */

  PoolSnapshot snapshot() {
    lock.lock();
    try {
      return snapshotLocked();
    } finally {
      lock.unlock();
    }
  }

  private PoolSnapshot snapshotLocked() {
    long now = clock.nanoTime();
    PoolEntry[] all = connections;
    int total = all.length;
    long oldestEnqueued = 0;
    boolean anyWaiter = false;
    for (WaiterQueue queue : queues) {
      Waiter head = queue.peekFirst();
      if (head != null && (!anyWaiter || head.enqueuedNanos - oldestEnqueued < 0)) {
        oldestEnqueued = head.enqueuedNanos;
        anyWaiter = true;
      }
    }
    // One pass over the entries: each is read once, so active + idle == total even while lock-free
    // borrows and returns go on; a borrow that is being written or closed (claimed, returning) is active.
    int active = 0;
    long acquisitions = retiredAcquisitions;
    List<RecentTimings> holdSources = new ArrayList<>(total + 1);
    List<RecentTimings> waitSources = new ArrayList<>(total + 1);
    holdSources.add(retiredHoldTimes);
    waitSources.add(retiredWaitTimes);
    List<PoolSnapshot.Holder> holders = new ArrayList<>();
    long leakNanos = settings.leakThreshold().toNanos();
    for (PoolEntry entry : all) {
      long word = entry.stateWord();
      int state = PoolEntry.stateOf(word);
      acquisitions += entry.borrows;
      holdSources.add(entry.holdTimes);
      waitSources.add(entry.waitTimes);
      if (PoolEntry.isBorrowed(state)) {
        active++;
        if (state == PoolEntry.IN_USE && settings.diagnostics()) {
          PoolSnapshot.Holder holder = Holders.describe(entry, now, leakNanos, laneNames[entry.lane]);
          if (entry.stateWord() == word) { // still the same borrow: the fields described belong together
            holders.add(holder);
          }
        }
      }
    }
    holders.sort(Comparator.comparing(PoolSnapshot.Holder::heldFor).reversed());
    return new PoolSnapshot(settings.poolName(), Instant.now(), settings.maxSize(), settings.minIdle(), total,
        active, total - active, waiting, creator.pendingLocked(),
        anyWaiter ? Duration.ofNanos(now - oldestEnqueued) : Duration.ZERO, acquisitions, timeouts,
        RecentTimings.stats(holdSources, now), RecentTimings.stats(waitSources, now), List.copyOf(holders),
        creator.createdLocked(), creator.failuresLocked(),
        creator.creationTimesLocked(now), leaksReported.get(), evictionCounts(), fleet == null ? null : fleet.status());
  }

  private Map<PoolSnapshot.EvictionCause, Long> evictionCounts() {
    Map<PoolSnapshot.EvictionCause, Long> counts = new EnumMap<>(PoolSnapshot.EvictionCause.class);
    for (PoolSnapshot.EvictionCause cause : PoolSnapshot.EvictionCause.values()) {
      counts.put(cause, evictions.get(cause.ordinal()));
    }
    return Collections.unmodifiableMap(counts);
  }

  Diagnosis diagnose() {
    lock.lock();
    try {
      return diagnoseLocked(false);
    } finally {
      lock.unlock();
    }
  }

  /** The diagnosis a timeout carries: a fresh one, or the last timeout's when it is recent enough. */
  private Diagnosis timeoutDiagnosisLocked(long now) {
    if (sharedTimeoutDiagnosis == null || now - sharedTimeoutDiagnosisNanos >= TIMEOUT_DIAGNOSIS_REUSE_NANOS) {
      sharedTimeoutDiagnosis = diagnoseLocked(true);
      sharedTimeoutDiagnosisNanos = now;
    }
    return sharedTimeoutDiagnosis;
  }

  private Diagnosis diagnoseLocked(boolean timedOut) {
    return Verdicts.diagnose(snapshotLocked(), settings, creator.recentFailureLocked(),
        creator.failureExplanationLocked(), timedOut);
  }

  void suspend() {
    lock.lock();
    try {
      suspended = true; // volatile: shuts the lock-free borrow path too
    } finally {
      lock.unlock();
    }
    log.info("Pool '{}' suspended: new borrowers wait until resume()", settings.poolName());
  }

  void resume() {
    List<Waiter> served = new ArrayList<>();
    lock.lock();
    try {
      suspended = false;
      Waiter waiter;
      while ((waiter = serveOneLocked()) != null) {
        served.add(waiter);
      }
      creator.fillLocked();
    } finally {
      lock.unlock();
    }
    served.forEach(ConnectionPool::wake);
    log.info("Pool '{}' resumed", settings.poolName());
  }

  void softEvictAll() {
    List<PoolEntry> closing = new ArrayList<>();
    lock.lock();
    try {
      for (PoolEntry entry : connections) {
        entry.markForEviction("soft eviction requested");
      }
      for (PoolEntry entry : connections) {
        if (entry.transition(PoolEntry.IDLE, PoolEntry.REMOVED)) {
          removeLocked(entry);
          closing.add(entry);
        }
      }
    } finally {
      lock.unlock();
    }
    for (PoolEntry entry : closing) {
      closeConnection(entry, "soft eviction requested");
    }
    log.info("Pool '{}': soft-evicted all connections ({} idle closed now, borrowed ones close on return)",
        settings.poolName(), closing.size());
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Graceful close: waiters fail now, idle connections close now, borrowed ones close on return; after
   * {@code shutdownTimeout} the ones still borrowed are aborted. Idempotent.
   */
  void close() {
    List<Waiter> failed;
    List<PoolEntry> closing;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      // Volatile, and written before the idle entries are collected: a lock-free returner publishes its
      // entry idle before it reads `closed`, so either it is collected here or the returner closes it.
      closed = true;
      failed = failWaitersLocked(closedException());
      closing = removeIdleLocked();
    } finally {
      lock.unlock();
    }
    failed.forEach(ConnectionPool::wake);
    houseKeeper.cancel();
    creator.close();
    if (fleet != null) {
      fleet.close();
    }
    for (PoolEntry entry : closing) {
      closeConnection(entry, "pool closed");
    }
    List<PoolEntry> stillBorrowed = awaitReturns();
    for (PoolEntry entry : stillBorrowed) {
      log.warn("Pool '{}': {} still borrowed after shutdownTimeout {} ms; aborting it", settings.poolName(), entry,
          settings.shutdownTimeout().toMillis());
      countEviction(PoolSnapshot.EvictionCause.POOL_CLOSED);
      threads.abortQuietly(entry.raw, () -> settings.poolName() + ": " + entry);
    }
    siblings.flush();
    threads.shutdown(settings.shutdownTimeout());
    log.info("Pool '{}' closed", settings.poolName());
  }

  private List<PoolEntry> awaitReturns() {
    long remaining = settings.shutdownTimeout().toNanos();
    lock.lock();
    try {
      long deadline = System.nanoTime() + remaining;
      while (countBorrowed(connections) > 0 && remaining > 0) {
        try {
          // Returns after close remove their entry under the lock and signal; the 10 ms slices only bound
          // the wait for a returner that is between its two checks of `closed`.
          allReturned.awaitNanos(Math.min(remaining, 10_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        remaining = deadline - System.nanoTime();
      }
      List<PoolEntry> stillBorrowed = new ArrayList<>();
      for (PoolEntry entry : connections) {
        if (PoolEntry.isBorrowed(entry.state())) {
          entry.markForEviction("aborted at pool close");
          stillBorrowed.add(entry);
        }
      }
      return stillBorrowed;
    } finally {
      lock.unlock();
    }
  }

  private SQLException closedException() {
    return new SQLException(Verdicts.closed(settings.poolName()), "08003");
  }

  /* --- Listeners --- */

  void addListener(PoolListener listener) {
    lock.lock();
    try {
      PoolListener[] current = listeners;
      PoolListener[] grown = Arrays.copyOf(current, current.length + 1);
      grown[current.length] = listener;
      listeners = grown;
    } finally {
      lock.unlock();
    }
  }

  void removeListener(PoolListener listener) {
    lock.lock();
    try {
      listeners = Arrays.stream(listeners).filter(registered -> registered != listener)
          .toArray(PoolListener[]::new);
    } finally {
      lock.unlock();
    }
  }

  /** A connect finished in {@code connectNanos}; called by the creator outside the lock. */
  void notifyCreated(long connectNanos) {
    notifyListeners(listeners, listener -> listener.created(connectNanos));
  }

  /*
   * Acquired and released run on every borrow and return: plain loops, no capturing lambda to allocate (a
   * profile of the real-database bench showed that allocation on the return path).
   */
  private void notifyAcquired(PoolListener[] registered, long waitNanos) {
    for (PoolListener listener : registered) {
      try {
        listener.acquired(waitNanos);
      } catch (RuntimeException e) {
        listenerFailed(listener, e);
      }
    }
  }

  private void notifyReleased(PoolListener[] registered, long heldNanos) {
    for (PoolListener listener : registered) {
      try {
        listener.released(heldNanos);
      } catch (RuntimeException e) {
        listenerFailed(listener, e);
      }
    }
  }

  /** Timeouts and creations: rare, so one loop for both. */
  private void notifyListeners(PoolListener[] registered, Consumer<PoolListener> event) {
    for (PoolListener listener : registered) {
      try {
        event.accept(listener);
      } catch (RuntimeException e) {
        listenerFailed(listener, e);
      }
    }
  }

  private void listenerFailed(PoolListener listener, RuntimeException e) {
    log.debug("Pool '{}': listener {} failed: {}", settings.poolName(), listener.getClass().getName(), e.toString());
  }

  @Override
  public String toString() {
    return snapshot().toString();
  }
}
