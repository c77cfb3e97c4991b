package dev.poolwise;

import dev.poolwise.WaiterQueue.Waiter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens physical connections in the background: bounded concurrency, exponential backoff after
 * failures, and a connect timeout that a hung connect cannot outlast.
 *
 * <h2>Concurrency</h2>
 * All counters are guarded by the pool's lock; {@link #fillLocked} is called under it whenever demand
 * may have changed (a waiter queued, a connection removed, a connect finished, a housekeeping tick).
 * Demand is {@code waiters + (minIdle − idle)}, capped by {@code maxSize − total − pending} and by
 * {@code maxConcurrentCreations}. Each attempt runs on its own connector thread, never on an
 * application thread, so a slow or hung connect delays nobody who could be served by a returned
 * connection.
 *
 * <p>Each attempt ends exactly once, decided by a compare-and-set on {@link Attempt#state}: either the
 * connector finishes it (success or failure) or the connect-timeout timer abandons it. An abandoned
 * attempt stops counting against {@code maxSize} and the concurrency bound at once; its thread is
 * interrupted and, should the driver still return a connection later, that connection is closed.
 * Abandoned threads still count in {@link #running}, which is capped so a black-holed network cannot
 * make the pool spawn threads without limit.
 *
 * <h2>Failure modes</h2>
 * After a failure no new attempt starts before {@code creationBackoffInitial × 2^(failures−1)}
 * (capped at {@code creationBackoffMax}, with ±20 % jitter so many pools do not retry in step). When the
 * server refuses outright (authentication, unknown database) and the pool has no connection at all,
 * current waiters fail at once with the server's message rather than sitting out their timeout.
 */
final class ConnectionCreator {

  private static final Logger log = LoggerFactory.getLogger(ConnectionCreator.class);

  private static final int RUNNING = 0;
  private static final int DONE = 1;
  private static final int ABANDONED = 2;

  /** How many abandoned (hung) connects may linger per allowed concurrent connect before we stop starting more. */
  private static final int ABANDONED_THREADS_PER_SLOT = 4;

  private final ConnectionPool pool;
  private final ConnectionFactory factory;
  private final PoolSettings settings;
  private final AtomicLong entryIds = new AtomicLong();
  private final int maxRunning;
  /** Set once the first physical connection has read the server's connection budget. */
  private final AtomicBoolean budgetChecked = new AtomicBoolean();
  /** The server's connection budget as read at start; {@code null} when unknown (not PostgreSQL, PgBouncer…). */
  private volatile @Nullable ServerBudget budget;
  /** Shared by every connection of the pool; {@code null} when SQL logging is off. */
  private final @Nullable SqlLog sqlLog;
  /** How PostgreSQL sessions are reset on return; {@code null} behind PgBouncer. */
  private final @Nullable PostgresSession.Policy sessionPolicy;

  // Guarded by pool.lock.
  private int pending;
  private int running;
  private int consecutiveFailures;
  private long notBeforeNanos;
  private boolean retryScheduled;
  private @Nullable SQLException lastFailure;
  private boolean closed;
  private long created;
  private long failures;
  private final RecentTimings creationTimes = new RecentTimings();

  ConnectionCreator(ConnectionPool pool, ConnectionFactory factory, PoolSettings settings) {
    this.pool = pool;
    this.factory = factory;
    this.settings = settings;
    this.maxRunning = settings.maxConcurrentCreations() * ABANDONED_THREADS_PER_SLOT;
    SqlLog log = new SqlLog(settings.poolName(), settings.sqlLogging(), settings.slowSqlThreshold());
    this.sqlLog = log.enabled() ? log : null;
    this.notBeforeNanos = pool.clock.nanoTime();
    // Behind PgBouncer (pgbouncer=true sets prepareThreshold=0) sessions are PgBouncer's to reset: a
    // DISCARD ALL sent through it would reach whichever server connection it lends for that statement.
    this.sessionPolicy = ServerBudget.appliesTo(settings)
        ? new PostgresSession.Policy(settings.sessionReset(), settings.validationTimeout(),
            this::applySessionSettings, pool.threads.sessionResets())
        : null;
  }

  int pendingLocked() {
    return pending;
  }

  long createdLocked() {
    return created;
  }

  long failuresLocked() {
    return failures;
  }

  PoolSnapshot.TimingStats creationTimesLocked(long nowNanos) {
    return creationTimes.stats(nowNanos);
  }

  /** The failure since the last successful connect, or {@code null}; the cause of pool timeouts. */
  @Nullable SQLException recentFailure() {
    pool.lock.lock();
    try {
      return lastFailure;
    } finally {
      pool.lock.unlock();
    }
  }

  /** {@link #recentFailure()} for callers that hold the lock. */
  @Nullable SQLException recentFailureLocked() {
    return lastFailure;
  }

  /**
   * Extra context for the recent failure, such as the server's connection budget when it refused with
   * 53300, or {@code null}.
   */
  @Nullable String failureExplanationLocked() {
    ServerBudget known = budget;
    if (known == null || lastFailure == null || !ServerBudget.TOO_MANY_CLIENTS.equals(lastFailure.getSQLState())) {
      return null;
    }
    return known.explainRefusal(settings.poolName(), settings.maxSize(), settings.expectedInstances(),
        pool.totalLocked());
  }

  /**
   * The last failure if it was an outright refusal (authentication, unknown database) and the backoff
   * after it has not yet passed; {@code null} otherwise. Lets acquirers fail fast instead of waiting.
   */
  @Nullable SQLException refusalInBackoffLocked() {
    if (lastFailure != null && isRefusal(lastFailure) && pool.clock.nanoTime() - notBeforeNanos < 0) {
      return lastFailure;
    }
    return null;
  }

  /** Starts as many attempts as demand, capacity, concurrency and backoff allow. Call under the lock. */
  void fillLocked() {
    if (closed || pool.isClosedLocked() || !pool.isStartedLocked()) {
      return;
    }
    int room = pool.sizeLimit() - pool.totalLocked() - pending;
    if (room <= 0) {
      if (pool.fleet != null && pool.sizeLimit() < settings.maxSize() && pool.servableWaitingLocked() > 0) {
        pool.fleet.evaluateSoon(false); // the fleet cap holds this pool back: has the fleet's demand changed?
      }
      return; // the common case under load (every waiter enqueues through here): skip counting idle and waiters
    }
    int idleDeficit = Math.max(0, settings.minIdle() - pool.idleCountLocked());
    int wanted = pool.servableWaitingLocked() + idleDeficit - pending;
    int concurrency = Math.min(settings.maxConcurrentCreations() - pending, maxRunning - running);
    int launch = Math.min(wanted, Math.min(room, concurrency));
    if (launch <= 0) {
      return;
    }
    long wait = notBeforeNanos - pool.clock.nanoTime();
    if (wait > 0) {
      scheduleRetryLocked(wait);
      return;
    }
    for (int i = 0; i < launch; i++) {
      Attempt attempt = new Attempt();
      pending++;
      running++;
      try {
        pool.threads.connectors.execute(attempt);
        attempt.timer = pool.threads.scheduler.schedule(attempt::abandon, settings.connectTimeout().toNanos(),
            TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException shuttingDown) {
        pending--;
        running--;
        return;
      }
    }
  }

  private void scheduleRetryLocked(long delayNanos) {
    if (retryScheduled) {
      return;
    }
    retryScheduled = true;
    try {
      pool.threads.scheduler.schedule(this::retryAfterBackoff, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      retryScheduled = false;
    }
  }

  private void retryAfterBackoff() {
    pool.lock.lock();
    try {
      retryScheduled = false;
      fillLocked();
    } finally {
      pool.lock.unlock();
    }
  }

  /**
   * Opens one connection on the calling thread's behalf (fail-fast start), bounded by the connect
   * timeout like any other attempt.
   */
  PoolEntry createNow() throws SQLException {
    Future<PoolEntry> future = pool.threads.connectors.submit(this::open);
    try {
      return future.get(settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new SQLTransientConnectionException("Pool '" + settings.poolName() + "' could not open its first connection"
          + " to " + factory.describe() + " within connectTimeout " + settings.connectTimeout().toMillis()
          + " ms (startMode FAIL_FAST); is the database reachable?", "08001", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      SQLException sql = cause instanceof SQLException s ? s : new SQLException(String.valueOf(cause), "08001", cause);
      throw new SQLException("Pool '" + settings.poolName() + "' could not open its first connection to "
          + factory.describe() + " (startMode FAIL_FAST): " + sql.getMessage(), sql.getSQLState(), sql);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new SQLException("Interrupted while pool '" + settings.poolName() + "' opened its first connection",
          "08001", e);
    }
  }

  /** Connects, applies the configured session defaults and records them for resets on return. */
  private PoolEntry open() throws SQLException {
    Credentials credentials;
    try {
      credentials = settings.credentials().get();
    } catch (RuntimeException e) {
      throw new SQLException("The credentials supplier of pool '" + settings.poolName() + "' failed: " + e.getClass()
          .getName(), "28000", e);
    }
    Connection raw = factory.open(credentials);
    if (budgetChecked.compareAndSet(false, true)) {
      // Once per pool, on the first connection: does this pool fit the server? Logs its own warning.
      budget = ServerBudget.check(raw, settings);
    }
    try {
      ConnectionDefaults defaults = configure(raw);
      long now = pool.clock.nanoTime();
      return new PoolEntry(entryIds.incrementAndGet(), raw, defaults, now, retireAt(now), settings.diagnostics(),
          sqlLog, pool.siblings);
    } catch (SQLException | RuntimeException e) {
      try {
        raw.close();
      } catch (SQLException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private ConnectionDefaults configure(Connection raw) throws SQLException {
    applySessionSettings(raw);
    PostgresSession postgres = sessionPolicy == null ? null : PostgresSession.of(raw, sessionPolicy);
    return new ConnectionDefaults(raw.getAutoCommit(), raw.getTransactionIsolation(), raw.isReadOnly(),
        raw.getCatalog(), schemaOf(raw), networkTimeoutOf(raw), holdabilityOf(raw), typeMapOf(raw),
        clientInfoOf(raw), postgres);
  }

  /**
   * The pool's session settings, applied to a new connection and again after a PostgreSQL session reset
   * ({@link PostgresSession#discardSession}), which puts the session back to how the connection started.
   */
  private void applySessionSettings(Connection raw) throws SQLException {
    if (settings.autoCommit() != null) {
      raw.setAutoCommit(settings.autoCommit());
    }
    if (settings.transactionIsolation() != null) {
      raw.setTransactionIsolation(settings.transactionIsolation());
    }
    if (settings.readOnly() != null) {
      raw.setReadOnly(settings.readOnly());
    }
    if (settings.catalog() != null) {
      raw.setCatalog(settings.catalog());
    }
    if (settings.schema() != null) {
      raw.setSchema(settings.schema());
    }
    if (settings.connectionInitSql() != null) {
      try (Statement statement = raw.createStatement()) {
        statement.execute(settings.connectionInitSql());
      }
      if (!raw.getAutoCommit()) {
        raw.commit();
      }
    }
  }

  private static int holdabilityOf(Connection raw) {
    try {
      return raw.getHoldability();
    } catch (SQLException | RuntimeException | AbstractMethodError e) {
      return ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }
  }

  /** A copy, so that a borrower changing the map it got does not change what the next one gets back. */
  private static @Nullable Map<String, Class<?>> typeMapOf(Connection raw) {
    try {
      Map<String, Class<?>> map = raw.getTypeMap();
      return map == null ? null : Map.copyOf(map);
    } catch (SQLException | RuntimeException | AbstractMethodError e) {
      return null; // not supported: the handle then never resets it
    }
  }

  private static @Nullable Properties clientInfoOf(Connection raw) {
    try {
      Properties info = raw.getClientInfo();
      Properties copy = new Properties();
      if (info != null) {
        copy.putAll(info);
      }
      return copy;
    } catch (SQLException | RuntimeException | AbstractMethodError e) {
      return null;
    }
  }

  private static @Nullable String schemaOf(Connection raw) {
    try {
      return raw.getSchema();
    } catch (SQLException | RuntimeException | AbstractMethodError e) {
      return null; // Drivers older than JDBC 4.1 have no schema; the handle then never resets it.
    }
  }

  private static int networkTimeoutOf(Connection raw) {
    try {
      return raw.getNetworkTimeout();
    } catch (SQLException | RuntimeException | AbstractMethodError e) {
      return 0;
    }
  }

  /** Creation time plus max lifetime minus up to 2.5 % jitter, so connections do not all retire at once. */
  private long retireAt(long createdNanos) {
    long lifetime = settings.maxLifetime().toNanos();
    if (lifetime == 0) {
      return Long.MAX_VALUE;
    }
    long jitter = lifetime / 40 > 0 ? ThreadLocalRandom.current().nextLong(lifetime / 40) : 0;
    return createdNanos + lifetime - jitter;
  }

  private long backoffNanos(int failures) {
    return Backoff.nanos(settings.creationBackoffInitial(), settings.creationBackoffMax(), failures, 0.2);
  }

  /** Server said no in a way that will not change by itself within seconds. */
  static boolean isRefusal(SQLException failure) {
    String state = failure.getSQLState();
    return state != null && (state.startsWith("28") || state.equals("3D000"));
  }

  void close() {
    pool.lock.lock();
    try {
      closed = true;
    } finally {
      pool.lock.unlock();
    }
  }

  /** One physical connect; see the class comment for how it ends exactly once. */
  private final class Attempt implements Runnable {
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final long startedNanos = pool.clock.nanoTime();
    private volatile @Nullable Thread thread;
    volatile @Nullable ScheduledFuture<?> timer;

    @Override
    public void run() {
      thread = Thread.currentThread();
      PoolEntry entry = null;
      SQLException failure = null;
      try {
        entry = open();
      } catch (SQLException e) {
        failure = e;
      } catch (RuntimeException | LinkageError e) {
        failure = new SQLException("The JDBC driver failed while connecting to " + factory.describe() + ": "
            + e.getClass().getName(), "08001", e);
      } finally {
        thread = null;
        Thread.interrupted(); // an interrupt aimed at this attempt must not leak to the thread's next task
      }
      if (state.compareAndSet(RUNNING, DONE)) {
        ScheduledFuture<?> scheduledTimer = timer;
        if (scheduledTimer != null) {
          scheduledTimer.cancel(false);
        }
        finish(entry, failure, false, startedNanos);
      } else {
        lateAfterAbandon(entry);
      }
    }

    /** Runs on the scheduler when connectTimeout passes. */
    void abandon() {
      if (state.compareAndSet(RUNNING, ABANDONED)) {
        Thread connecting = thread;
        if (connecting != null) {
          connecting.interrupt();
        }
        finish(null, new SQLTransientConnectionException("Connecting to " + factory.describe() + " did not complete"
            + " within connectTimeout " + settings.connectTimeout().toMillis() + " ms (pool '" + settings.poolName()
            + "'); the network or the server is not answering", "08001"), true, startedNanos);
      }
    }

    private void lateAfterAbandon(@Nullable PoolEntry entry) {
      if (entry != null) {
        pool.closeConnection(entry, "connected only after connectTimeout had passed");
      }
      pool.lock.lock();
      try {
        running--;
        fillLocked();
      } finally {
        pool.lock.unlock();
      }
    }
  }

  private void finish(@Nullable PoolEntry entry, @Nullable SQLException failure, boolean abandoned, long startedNanos) {
    List<Waiter> next = List.of();
    List<Waiter> failedWaiters = List.of();
    int failuresBefore;
    String explanation = null;
    pool.lock.lock();
    try {
      pending--;
      if (!abandoned) {
        running--;
      }
      failuresBefore = consecutiveFailures;
      if (entry != null) {
        created++;
        long now = pool.clock.nanoTime();
        creationTimes.record(now - startedNanos, now);
        consecutiveFailures = 0;
        lastFailure = null;
        notBeforeNanos = pool.clock.nanoTime();
        next = pool.addCreatedLocked(entry);
      } else {
        SQLException connectFailure = Nulls.castToNonNull(failure); // every attempt ends with an entry or a failure
        failures++;
        consecutiveFailures++;
        lastFailure = connectFailure;
        notBeforeNanos = pool.clock.nanoTime() + backoffNanos(consecutiveFailures);
        explanation = failureExplanationLocked();
        if (pool.fleet != null && ServerBudget.TOO_MANY_CLIENTS.equals(connectFailure.getSQLState())) {
          pool.fleet.evaluateSoon(true);
        }
        if (isRefusal(connectFailure) && pool.totalLocked() == 0 && pending == 0) {
          failedWaiters = pool.failWaitersLocked(new SQLException("Pool '" + settings.poolName()
              + "' cannot open connections to " + factory.describe() + ": " + connectFailure.getMessage(),
              connectFailure.getSQLState(), connectFailure));
        }
      }
      fillLocked();
    } finally {
      pool.lock.unlock();
    }
    next.forEach(ConnectionPool::wake);
    failedWaiters.forEach(ConnectionPool::wake);
    if (entry != null) {
      pool.notifyCreated(pool.clock.nanoTime() - startedNanos);
    }
    if (entry != null && failuresBefore > 0) {
      log.info("Pool '{}': connecting to {} works again after {} failed attempt(s)", settings.poolName(),
          factory.describe(), failuresBefore);
    } else if (failure != null && (failuresBefore == 0 || Integer.bitCount(failuresBefore + 1) == 1)) {
      // First failure of a streak, then the 2nd, 4th, 8th…: visible without flooding the log.
      log.warn("Pool '{}': connecting to {} failed (attempt {} in a row, SQLState {}): {}{}", settings.poolName(),
          factory.describe(), failuresBefore + 1, failure.getSQLState(), failure.getMessage(),
          explanation == null ? "" : ". " + explanation);
    }
  }
}
