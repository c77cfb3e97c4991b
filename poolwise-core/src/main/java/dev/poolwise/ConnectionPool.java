package dev.poolwise;

import dev.poolwise.WaiterQueue.Waiter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool: the acquisition path and the return path. Creation lives in {@link ConnectionCreator},
 * retirement of idle, old and dead connections in {@link HouseKeeper}.
 *
 * <h2>Concurrency</h2>
 * One {@link ReentrantLock} guards all pool state: the idle stack, the waiter queue, the set of
 * entries and the counters. Every critical section is O(1) on the hot path (pop or push one idle
 * entry, link or unlink one waiter) and never does I/O, so the lock is held for tens of nanoseconds.
 * A {@code ReentrantLock} rather than {@code synchronized} because a virtual thread blocked on it
 * unmounts instead of pinning its carrier (on JDK 21–23), and because waiting happens outside it.
 *
 * <p>Fairness is strict FIFO with direct hand-over, which is what makes the pool fair without a fair
 * lock: a returning connection goes straight to the oldest waiter ({@link #offerLocked}); it is never
 * put where a newcomer could grab it while someone waits. A newcomer takes an idle connection only
 * when nobody waits; otherwise it queues behind the others. This invariant holds whenever the lock is
 * free: <em>the idle stack is empty or the waiter queue is empty</em>. Waiters park with
 * {@link LockSupport#parkNanos} (no spinning) and are unparked after the lock is released.
 *
 * <p>Idle connections form a stack: most recently used first, so a lightly loaded pool keeps reusing
 * a few warm connections and the rest age out through the idle timeout.
 *
 * <h2>Failure modes</h2>
 * A waiter that times out or is interrupted removes itself under the lock; if a connection was handed
 * to it in the same instant, the timeout path takes it (the caller gets it) and the interrupt path
 * offers it to the next waiter, so no connection is ever lost between the two. A connection returned
 * marked as broken, past its lifetime, or to a closed pool is removed and closed on the closer thread
 * (closing a dead socket can block). Physical connects never run on an application thread: a
 * waiter asks {@link ConnectionCreator} for a connection and waits for whatever comes first, a new
 * connection or a returned one.
 */
final class ConnectionPool implements ConnectionReleaser {

  private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

  private final PoolSettings settings;
  private final long acquireTimeoutNanos;
  private final long validateAfterIdleNanos;
  private final int validationTimeoutSeconds;

  /** Guards every field below that is not final or volatile, and the state of every entry. */
  final ReentrantLock lock = new ReentrantLock();
  private final Condition allReturned = lock.newCondition();
  /** Idle entries, most recently used at the head. */
  private final ArrayDeque<PoolEntry> idle = new ArrayDeque<>();
  private final WaiterQueue waiters = new WaiterQueue();
  /** Every entry counted in {@code total}: idle, in use or reserved by the housekeeper. */
  private final Set<PoolEntry> entries = new HashSet<>();
  private int inUse;
  /** Idle entries taken out of the stack by the housekeeper for a keepalive check. */
  private int reserved;
  private boolean closed;
  /** {@code false} until the first acquire in {@link StartMode#LAZY}; no background filling before. */
  private volatile boolean started;

  final PoolThreads threads;
  final ConnectionCreator creator;
  private final HouseKeeper houseKeeper;

  ConnectionPool(PoolSettings settings) throws SQLException {
    this.settings = settings;
    this.acquireTimeoutNanos = settings.acquireTimeout().toNanos();
    this.validateAfterIdleNanos = settings.validateAfterIdle().toNanos();
    this.validationTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
        (settings.validationTimeout().toMillis() + 999) / 1000));
    ConnectionFactory factory = ConnectionFactory.of(settings);
    this.threads = new PoolThreads(settings.poolName());
    this.creator = new ConnectionCreator(this, factory, settings);
    this.houseKeeper = new HouseKeeper(this, settings);
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
  }

  /* --- Acquisition --- */

  /**
   * Borrow a connection: idle if nobody waits, else wait in FIFO order for a hand-over. Validates a
   * connection that sat idle longer than {@code validateAfterIdle}; a dead one is discarded and the
   * borrow continues within the same deadline.
   */
  Connection acquire() throws SQLException {
    if (!started) {
      start();
    }
    long startNanos = System.nanoTime();
    long deadline = startNanos + acquireTimeoutNanos;
    while (true) {
      PoolEntry entry = borrow(startNanos, deadline);
      if (isUsable(entry)) {
        return new ConnectionHandle(entry, this);
      }
    }
  }

  private PoolEntry borrow(long startNanos, long deadline) throws SQLException {
    Waiter waiter;
    lock.lock();
    try {
      if (closed) {
        throw closedException();
      }
      if (waiters.isEmpty()) {
        PoolEntry entry = idle.pollFirst();
        if (entry != null) {
          entry.state = PoolEntry.IN_USE;
          inUse++;
          return entry;
        }
      }
      SQLException refusal = entries.isEmpty() ? creator.refusalInBackoffLocked() : null;
      if (refusal != null) {
        // The server refused us outright (authentication, unknown database) moments ago and the pool has
        // no connection to hand over: waiting out acquireTimeout could not end differently.
        throw rethrownForThisThread(refusal);
      }
      waiter = new Waiter(Thread.currentThread(), System.nanoTime());
      waiters.addLast(waiter);
      creator.fillLocked();
    } finally {
      lock.unlock();
    }
    return awaitHandOver(waiter, startNanos, deadline);
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
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return giveUp(waiter, startNanos, null);
      }
      LockSupport.parkNanos(this, remaining);
      if (Thread.interrupted()) {
        return giveUp(waiter, startNanos, new InterruptedException());
      }
    }
  }

  /**
   * Ends a wait that timed out or was interrupted. Runs under the lock so that it cannot miss a
   * connection handed over in the same instant: a timed-out waiter keeps such a connection (the
   * caller asked for one and one arrived); an interrupted waiter passes it on to the next waiter.
   */
  private PoolEntry giveUp(Waiter waiter, long startNanos, InterruptedException interrupt) throws SQLException {
    Waiter next = null;
    PoolSnapshot snapshot;
    lock.lock();
    try {
      PoolEntry entry = waiter.handedOver;
      if (entry != null && interrupt == null) {
        return entry;
      }
      if (entry != null) {
        inUse--;
        next = offerLocked(entry);
      } else {
        waiters.remove(waiter);
      }
      if (waiter.failure != null && interrupt == null) {
        throw rethrownForThisThread(waiter.failure);
      }
      snapshot = snapshotLocked();
    } finally {
      lock.unlock();
    }
    wake(next);
    Duration waited = Duration.ofNanos(System.nanoTime() - startNanos);
    if (interrupt != null) {
      Thread.currentThread().interrupt();
      SQLException interrupted = new SQLException("Interrupted after waiting " + waited.toMillis()
          + " ms for a connection from " + snapshot + "; the thread's interrupt flag is still set", "08001", interrupt);
      throw interrupted;
    }
    throw timeoutException(snapshot, waited);
  }

  /** A shared failure (pool closed, connecting refused) re-thrown with the waiting thread's own stack. */
  private static SQLException rethrownForThisThread(SQLException shared) {
    return new SQLException(shared.getMessage(), shared.getSQLState(), shared.getErrorCode(),
        shared.getCause() != null ? shared.getCause() : shared);
  }

  private PoolTimeoutException timeoutException(PoolSnapshot snapshot, Duration waited) {
    SQLException creationFailure = creator.recentFailure();
    StringBuilder message = new StringBuilder(200)
        .append("Pool '").append(settings.poolName()).append("': no connection available after waiting ")
        .append(waited.toMillis()).append(" ms (acquireTimeout ").append(settings.acquireTimeout().toMillis())
        .append(" ms). Now: max ").append(snapshot.maxSize()).append(", total ").append(snapshot.total())
        .append(", active ").append(snapshot.active()).append(", idle ").append(snapshot.idle())
        .append(", waiting ").append(snapshot.waiting());
    if (snapshot.pendingCreations() > 0) {
      message.append(", connecting ").append(snapshot.pendingCreations());
    }
    message.append(". ");
    if (creationFailure != null) {
      message.append("Opening new connections is failing: ").append(creationFailure.getMessage())
          .append(" (SQLState ").append(creationFailure.getSQLState()).append("; see the cause).");
    } else if (snapshot.total() >= snapshot.maxSize()) {
      message.append("Every connection is borrowed and none came back in time: look for connections held across"
          + " slow non-database work, long transactions or a thread holding one connection while asking for"
          + " another, before raising maxSize.");
    } else {
      message.append("The pool is below its maximum but new connections did not arrive in time;"
          + " check connectTimeout and the database's responsiveness.");
    }
    return new PoolTimeoutException(message.toString(), snapshot, waited, creationFailure);
  }

  /**
   * The last check before a connection leaves the pool: retire it if it passed its lifetime or was
   * marked while idle; validate it if it sat idle long enough that the server or a firewall may have
   * dropped it. A connection that fails is removed and closed, and the caller borrows again.
   */
  private boolean isUsable(PoolEntry entry) {
    long now = System.nanoTime();
    String reason = entry.evictionReason();
    if (reason == null && entry.isPastLifetime(now)) {
      reason = "max lifetime reached";
    }
    if (reason == null && now - entry.lastReleasedNanos >= validateAfterIdleNanos && !isValid(entry)) {
      reason = "failed validation before hand-out";
    }
    if (reason == null) {
      return true;
    }
    discard(entry, reason);
    return false;
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

  /* --- Return --- */

  @Override
  public void release(PoolEntry entry) {
    long now = System.nanoTime();
    String reason = entry.evictionReason();
    if (reason == null && entry.isPastLifetime(now)) {
      reason = "max lifetime reached";
    }
    Waiter next = null;
    lock.lock();
    try {
      inUse--;
      if (closed) {
        reason = "pool closed";
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
    wake(next);
    if (reason != null) {
      closeConnection(entry, reason);
    }
  }

  /**
   * Gives a usable entry to the oldest waiter, or pushes it on the idle stack when nobody waits.
   * Returns the waiter to unpark once the lock is released, or {@code null}.
   */
  Waiter offerLocked(PoolEntry entry) {
    Waiter waiter = waiters.pollFirst();
    if (waiter != null) {
      entry.state = PoolEntry.IN_USE;
      inUse++;
      waiter.handedOver = entry;
      return waiter;
    }
    if (closed) {
      // Only reachable on shutdown edges (an interrupted waiter passing on a hand-over, a keepalive
      // check finishing): the entry must not land in the idle stack of a closed pool.
      removeLocked(entry);
      closeConnection(entry, "pool closed");
      return null;
    }
    entry.state = PoolEntry.IDLE;
    idle.addFirst(entry);
    return null;
  }

  static void wake(Waiter waiter) {
    if (waiter != null) {
      LockSupport.unpark(waiter.thread);
    }
  }

  /* --- Entry bookkeeping shared with the creator and the housekeeper --- */

  /**
   * Counts a newly created entry and offers it. Returns the waiter to wake, or {@code null}; when the
   * pool closed meanwhile the entry is closed instead.
   */
  Waiter addCreatedLocked(PoolEntry entry) {
    if (closed) {
      entry.state = PoolEntry.REMOVED;
      closeConnection(entry, "pool closed while connecting");
      return null;
    }
    entries.add(entry);
    return offerLocked(entry);
  }

  /** Removes a borrowed entry that turned out to be unusable and closes it; asks for a replacement. */
  private void discard(PoolEntry entry, String reason) {
    lock.lock();
    try {
      inUse--;
      removeLocked(entry);
    } finally {
      lock.unlock();
    }
    closeConnection(entry, reason);
  }

  /** Forgets an entry (no longer counted in total) and lets the creator refill if there is demand. */
  void removeLocked(PoolEntry entry) {
    if (entry.state == PoolEntry.IDLE) {
      idle.remove(entry);
    } else if (entry.state == PoolEntry.RESERVED) {
      reserved--;
    }
    entry.state = PoolEntry.REMOVED;
    entries.remove(entry);
    if (closed) {
      allReturned.signalAll();
    } else {
      creator.fillLocked();
    }
  }

  /** Closes the physical connection on the closer thread: closing a dead socket can block. */
  void closeConnection(PoolEntry entry, String reason) {
    log.debug("Pool '{}': closing {} ({})", settings.poolName(), entry, reason);
    threads.closeQuietly(entry.raw, () -> settings.poolName() + ": " + entry + " (" + reason + ")");
  }

  // Accessors for the creator and housekeeper; all require the lock.

  int totalLocked() {
    return entries.size();
  }

  int idleCountLocked() {
    return idle.size() + reserved;
  }

  int waitingLocked() {
    return waiters.size();
  }

  boolean isClosedLocked() {
    return closed;
  }

  boolean isStartedLocked() {
    return started;
  }

  /** Idle entries, least recently used first, for the housekeeper to inspect. */
  List<PoolEntry> idleOldestFirstLocked() {
    List<PoolEntry> list = new ArrayList<>(idle);
    java.util.Collections.reverse(list);
    return list;
  }

  /** Takes an idle entry out of the stack for a keepalive check; it still counts as idle. */
  void reserveLocked(PoolEntry entry) {
    idle.remove(entry);
    entry.state = PoolEntry.RESERVED;
    reserved++;
  }

  /** Returns a reserved entry after a successful keepalive check. */
  Waiter unreserveLocked(PoolEntry entry) {
    if (closed) {
      removeLocked(entry);
      closeConnection(entry, "pool closed");
      return null;
    }
    reserved--;
    return offerLocked(entry);
  }

  /**
   * Fails every current waiter at once with {@code failure} (used when connecting is refused outright
   * and the pool has no connection that could be handed over). Returns them for unparking.
   */
  List<Waiter> failWaitersLocked(SQLException failure) {
    List<Waiter> failed = new ArrayList<>(waiters.size());
    Waiter waiter;
    while ((waiter = waiters.pollFirst()) != null) {
      waiter.failure = failure;
      failed.add(waiter);
    }
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
    int total = entries.size();
    return new PoolSnapshot(settings.poolName(), Instant.now(), settings.maxSize(), settings.minIdle(), total,
        inUse, idle.size() + reserved, waiters.size(), creator.pendingLocked(), Duration.ZERO, 0, 0,
        PoolSnapshot.TimingStats.EMPTY, PoolSnapshot.TimingStats.EMPTY, List.of());
  }

  /**
   * The pool's structural invariants, for tests: returns a description of every violation, empty when
   * all hold. Consistent because it runs under the lock.
   */
  List<String> invariantViolations() {
    lock.lock();
    try {
      List<String> violations = new ArrayList<>();
      int total = entries.size();
      if (inUse + idle.size() + reserved != total) {
        violations.add("active " + inUse + " + idle " + idle.size() + " + reserved " + reserved + " != total " + total);
      }
      if (total + creator.pendingLocked() > settings.maxSize()) {
        violations.add("total " + total + " + connecting " + creator.pendingLocked() + " > max " + settings.maxSize());
      }
      if (!idle.isEmpty() && !waiters.isEmpty()) {
        violations.add(idle.size() + " idle while " + waiters.size() + " wait");
      }
      Set<PoolEntry> seen = new HashSet<>();
      for (PoolEntry entry : idle) {
        if (!seen.add(entry)) {
          violations.add(entry + " is twice in the idle stack");
        }
        if (entry.state != PoolEntry.IDLE || !entries.contains(entry)) {
          violations.add(entry + " in the idle stack has state " + entry.state);
        }
      }
      long inUseEntries = entries.stream().filter(e -> e.state == PoolEntry.IN_USE).count();
      if (inUseEntries != inUse) {
        violations.add(inUseEntries + " entries in use but inUse counter is " + inUse);
      }
      return violations;
    } finally {
      lock.unlock();
    }
  }

  Diagnosis diagnose() {
    PoolSnapshot snapshot = snapshot();
    return new Diagnosis(Diagnosis.Cause.HEALTHY, "TODO", "", snapshot);
  }

  void suspend() {}

  void resume() {}

  void softEvictAll() {
    List<PoolEntry> closing = new ArrayList<>();
    lock.lock();
    try {
      for (PoolEntry entry : entries) {
        entry.markForEviction("soft eviction requested");
      }
      closing.addAll(idle);
      for (PoolEntry entry : closing) {
        removeLocked(entry);
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
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
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
      closed = true;
      failed = failWaitersLocked(closedException());
      closing = new ArrayList<>(idle);
      for (PoolEntry entry : closing) {
        removeLocked(entry);
      }
    } finally {
      lock.unlock();
    }
    failed.forEach(ConnectionPool::wake);
    houseKeeper.cancel();
    creator.close();
    for (PoolEntry entry : closing) {
      closeConnection(entry, "pool closed");
    }
    List<PoolEntry> stillBorrowed = awaitReturns();
    for (PoolEntry entry : stillBorrowed) {
      log.warn("Pool '{}': {} still borrowed after shutdownTimeout {} ms; aborting it", settings.poolName(), entry,
          settings.shutdownTimeout().toMillis());
      threads.abortQuietly(entry.raw, () -> settings.poolName() + ": " + entry);
    }
    threads.shutdown(settings.shutdownTimeout());
    log.info("Pool '{}' closed", settings.poolName());
  }

  private List<PoolEntry> awaitReturns() {
    long remaining = settings.shutdownTimeout().toNanos();
    lock.lock();
    try {
      while (inUse > 0 && remaining > 0) {
        try {
          remaining = allReturned.awaitNanos(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      List<PoolEntry> stillBorrowed = new ArrayList<>();
      for (PoolEntry entry : new ArrayList<>(entries)) {
        if (entry.state == PoolEntry.IN_USE) {
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
    return new SQLException("Pool '" + settings.poolName() + "' is closed; no connections can be borrowed from it",
        "08003");
  }

  /** Runs one housekeeping pass now (tests drive time this way instead of waiting for the timer). */
  void runHousekeeping() {
    houseKeeper.runOnce();
  }

  @Override
  public String toString() {
    return snapshot().toString();
  }

  long nanosSinceOldestWaiterLocked(long now) {
    long oldest = waiters.oldestEnqueuedNanos();
    return oldest < 0 ? 0 : now - oldest;
  }

  static long toMillis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
