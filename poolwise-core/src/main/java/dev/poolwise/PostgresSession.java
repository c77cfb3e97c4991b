package dev.poolwise;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the pool knows about one PostgreSQL connection's session beyond JDBC, and how it puts the session
 * back as a new connection had it: the {@code search_path} recorded at creation, the driver's real
 * transaction state, and the session reset ({@code DISCARD ALL}, then the pool's session settings again).
 *
 * <p>Why each piece:
 * <ul>
 *   <li><b>Transaction state.</b> pgjdbc knows whether a transaction is open or failed from the server's
 *       ReadyForQuery messages, however it was opened: SQL {@code BEGIN} with autoCommit on, an updatable
 *       result set, a COPY or a large object through an unwrapped driver object. The handle's own bookkeeping
 *       sees only the JDBC calls. Read through a method handle on {@code org.postgresql.core.BaseConnection},
 *       so core does not depend on pgjdbc; no round trip. {@code null} for other PostgreSQL drivers.
 *   <li><b>search_path.</b> {@code getSchema()} answers the first existing schema of the path, and
 *       {@code setSchema(x)} sets the whole path to {@code x}: restoring the recorded schema with
 *       {@code setSchema} would turn {@code "$user", public} into one schema. The verbatim
 *       {@code current_setting('search_path')} is recorded once, after the pool configured the connection, and
 *       restored with {@code set_config}.
 *   <li><b>Session reset.</b> {@code DISCARD ALL} is one statement and one round trip that drops what a
 *       borrower can leave in a session (SET variables, temporary tables, LISTEN, advisory locks, prepared
 *       statements, WITH HOLD cursors, the session authorization); pgjdbc sees its command tag and re-prepares
 *       its server-side statements on their next use. The reset values it goes back to are the ones of the
 *       connection's start (startup parameters such as {@code ApplicationName} and {@code currentSchema}
 *       included), so the pool then applies its own session settings again.
 * </ul>
 *
 * <p>Concurrency: one instance per physical connection, used only by the thread that holds the connection
 * (the hand-over through the entry's state word orders the plain field {@link #lastHarmlessSql} between
 * borrowers). The bounded reset runs on a pool thread while the returning thread waits for it; the two never
 * touch the connection at the same time: on timeout the returning thread abandons the connection (evicted and
 * aborted) and interrupts the pool thread.
 *
 * <p>Failure modes: every step's SQLException reaches the connection handle, which evicts the connection.
 * A reset that does not finish within {@code validationTimeout} (an unfinished COPY makes pgjdbc wait for its
 * own lock without a timeout; a server that stopped answering) is abandoned and the connection aborted.
 */
final class PostgresSession {

  /** Applies the pool's own session settings to a connection (at creation, and again after a reset). */
  @FunctionalInterface
  interface SessionConfiguration {
    void apply(Connection raw) throws SQLException;
  }

  /** The per-pool part: the mode, the timeout and where bounded resets run. */
  record Policy(SessionReset mode, Duration validationTimeout, SessionConfiguration configuration,
      ExecutorService boundedResets) {}

  private static final MethodType GETTER_TYPE = MethodType.methodType(Object.class, Connection.class);
  /**
   * {@code BaseConnection.getTransactionState()} of the pgjdbc the pool's own class loader sees (the usual
   * deployment), or null. Every return asks it; C2 inlines a handle read from a {@code static final} field into
   * a direct call, while one read from an instance field stays an indirect call through its lambda form
   * (about 0.7 % of the CPU of a borrow, query and return cycle in the real-database bench's profile).
   * Connections whose driver came from another class loader use their own handle.
   */
  private static final @Nullable MethodHandle POOL_LOADER_TRANSACTION_STATE = pgjdbcGetter(
      PostgresSession.class.getClassLoader(), null, "org.postgresql.core.BaseConnection", "getTransactionState",
      "org.postgresql.core.TransactionState");
  /** The class {@link #POOL_LOADER_TRANSACTION_STATE} applies to, or null. */
  private static final @Nullable Class<?> POOL_LOADER_BASE_CONNECTION = pgjdbcClass(
      PostgresSession.class.getClassLoader(), "org.postgresql.core.BaseConnection");

  final Policy policy;
  /** {@code current_setting('search_path')} once the pool configured the connection. */
  final @Nullable String searchPath;
  /** {@code BaseConnection.getTransactionState()} adapted to {@code (Connection) -> Object}, or null. */
  private final @Nullable MethodHandle transactionState;
  /** {@link #transactionState} is the same method as {@link #POOL_LOADER_TRANSACTION_STATE}: call that one. */
  private final boolean transactionStateFromPoolLoader;
  /** {@code PGConnection.getNotifications()} adapted the same way, or null: drains the driver's queue. */
  private final @Nullable MethodHandle notifications;
  /** The last SQL text found harmless on this connection: prepared statements repeat the same String. */
  private @Nullable String lastHarmlessSql;

  private PostgresSession(Policy policy, @Nullable String searchPath, @Nullable MethodHandle transactionState,
      @Nullable MethodHandle notifications) {
    this.policy = policy;
    this.searchPath = searchPath;
    this.transactionState = transactionState;
    this.transactionStateFromPoolLoader = transactionState != null && transactionState == POOL_LOADER_TRANSACTION_STATE;
    this.notifications = notifications;
  }

  /**
   * The session of a newly configured connection, or {@code null} when the database is not PostgreSQL (or
   * answers like it but has no {@code search_path}, such as some PostgreSQL-compatible servers).
   */
  static @Nullable PostgresSession of(Connection raw, Policy policy) {
    String product;
    try {
      product = raw.getMetaData().getDatabaseProductName();
    } catch (SQLException | RuntimeException | AbstractMethodError e) {
      return null;
    }
    if (!"PostgreSQL".equals(product)) {
      return null;
    }
    String searchPath;
    try (Statement statement = raw.createStatement();
        ResultSet rows = statement.executeQuery("select current_setting('search_path')")) {
      searchPath = rows.next() ? rows.getString(1) : null;
    } catch (SQLException | RuntimeException e) {
      searchPath = null;
    }
    try {
      if (!raw.getAutoCommit()) {
        raw.commit(); // the query above opened a transaction when the pool's autoCommit is off
      }
    } catch (SQLException | RuntimeException e) {
      // The connection is checked again before it is handed out; nothing to hold on to here.
    }
    Class<?> poolLoaders = POOL_LOADER_BASE_CONNECTION;
    return new PostgresSession(policy, searchPath,
        poolLoaders != null && poolLoaders.isInstance(raw) ? POOL_LOADER_TRANSACTION_STATE
            : pgjdbcGetter(raw, "org.postgresql.core.BaseConnection", "getTransactionState",
                "org.postgresql.core.TransactionState"),
        queuedNotificationsDrain(raw));
  }

  /**
   * {@code ((BaseConnection) raw).getQueryExecutor().getNotifications()}: takes what the driver has queued
   * without polling the socket ({@code PGConnection.getNotifications()} polls it with a 1 ms read timeout,
   * which measured 1.1 ms per call). After {@code UNLISTEN *} nothing new arrives, so the queue is all there is.
   */
  private static @Nullable MethodHandle queuedNotificationsDrain(Connection raw) {
    MethodHandle executor = pgjdbcGetter(raw, "org.postgresql.core.BaseConnection", "getQueryExecutor",
        "org.postgresql.core.QueryExecutor");
    if (executor == null) {
      return null;
    }
    try {
      ClassLoader loader = raw.getClass().getClassLoader();
      Class<?> queryExecutor = Class.forName("org.postgresql.core.QueryExecutor", false, loader);
      MethodHandle drain = MethodHandles.publicLookup().findVirtual(queryExecutor, "getNotifications",
          MethodType.methodType(Class.forName("[Lorg.postgresql.PGNotification;", false, loader)));
      MethodHandle typedExecutor = executor.asType(MethodType.methodType(queryExecutor, Connection.class));
      return MethodHandles.filterReturnValue(typedExecutor, drain).asType(GETTER_TYPE);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  /**
   * {@code (Connection) -> Object} calling pgjdbc's {@code owner.method()}, or {@code null} for another driver
   * or a pgjdbc without it (then the handle's own bookkeeping decides). Resolved once per connection.
   */
  private static @Nullable MethodHandle pgjdbcGetter(Connection raw, String owner, String method, String returnType) {
    return pgjdbcGetter(raw.getClass().getClassLoader(), raw, owner, method, returnType);
  }

  /** The same from {@code loader}; with {@code raw}, null unless {@code raw} is an {@code owner}. */
  private static @Nullable MethodHandle pgjdbcGetter(@Nullable ClassLoader loader, @Nullable Connection raw,
      String owner, String method, String returnType) {
    try {
      Class<?> ownerClass = Class.forName(owner, false, loader);
      if (raw != null && !ownerClass.isInstance(raw)) {
        return null;
      }
      MethodHandle getter = MethodHandles.publicLookup().findVirtual(ownerClass, method,
          MethodType.methodType(Class.forName(returnType, false, loader)));
      return getter.asType(GETTER_TYPE);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static @Nullable Class<?> pgjdbcClass(@Nullable ClassLoader loader, String name) {
    try {
      return Class.forName(name, false, loader);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static Object call(MethodHandle getter, Connection raw) throws SQLException {
    try {
      return (Object) getter.invokeExact(raw);
    } catch (SQLException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw driverFailed(e);
    }
  }

  /** Reads the static final handle itself, so that C2 binds the call to pgjdbc's method. */
  private static Object poolLoaderTransactionState(Connection raw) throws SQLException {
    try {
      return (Object) Nulls.castToNonNull(POOL_LOADER_TRANSACTION_STATE).invokeExact(raw);
    } catch (SQLException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw driverFailed(e);
    }
  }

  private static SQLException driverFailed(Throwable e) {
    return new SQLException("The PostgreSQL driver failed: " + e, "08000", e);
  }

  /** Whether a borrow that ran {@code sql} must have its session reset (mode AUTO). */
  boolean changesSession(@Nullable String sql) {
    if (sql == lastHarmlessSql) {
      return false;
    }
    if (SessionStatements.changesSession(sql)) {
      return true;
    }
    lastHarmlessSql = sql;
    return false;
  }

  /**
   * {@code Boolean.TRUE} when the driver says a transaction is open or failed, {@code FALSE} when idle,
   * {@code null} when it cannot say (not pgjdbc).
   */
  @Nullable Boolean transactionOpen(Connection raw) throws SQLException {
    if (transactionState == null) {
      return null;
    }
    Object state = transactionStateFromPoolLoader ? poolLoaderTransactionState(raw) : call(transactionState, raw);
    return state != null && !"IDLE".equals(((Enum<?>) state).name());
  }

  /** Rolls back an open transaction whatever opened it; SQL {@code ROLLBACK} when autoCommit is on. */
  static void rollback(Connection raw) throws SQLException {
    if (raw.getAutoCommit()) {
      try (Statement statement = raw.createStatement()) {
        statement.execute("ROLLBACK");
      }
    } else {
      raw.rollback();
    }
  }

  /** Puts the recorded search_path back verbatim (a borrower called {@code setSchema}). */
  void restoreSearchPath(Connection raw) throws SQLException {
    try (PreparedStatement statement = raw.prepareStatement("select set_config('search_path', ?, false)")) {
      statement.setString(1, searchPath);
      statement.execute();
    }
    if (!raw.getAutoCommit()) {
      raw.commit();
    }
  }

  /**
   * {@code DISCARD ALL} (outside a transaction: autoCommit is switched on for it when the pool's default is
   * off), then the pool's session settings and the recorded search_path again. The caller has rolled back
   * any open transaction.
   */
  void discardSession(Connection raw) throws SQLException {
    boolean autoCommit = raw.getAutoCommit();
    if (!autoCommit) {
      raw.setAutoCommit(true); // nothing is open (rolled back above), so this commits nothing
    }
    try (Statement statement = raw.createStatement()) {
      statement.execute("DISCARD ALL");
    }
    if (notifications != null) {
      call(notifications, raw); // what arrived before UNLISTEN waits in the driver's queue: not for the next borrower
    }
    policy.configuration().apply(raw);
    if (searchPath != null) {
      restoreSearchPath(raw);
    }
    if (raw.getAutoCommit() != autoCommit) {
      raw.setAutoCommit(autoCommit);
    }
  }

  /**
   * Runs {@code reset} on a pool thread and waits at most {@code validationTimeout} for it. On timeout the
   * pool thread is interrupted (pgjdbc's wait for its own lock, the one an unfinished COPY holds, ends on
   * interrupt) and {@link TimeoutException} is thrown: the caller evicts and aborts the connection.
   */
  void runBounded(ResetWork reset) throws SQLException, TimeoutException {
    Future<Void> done;
    try {
      done = policy.boundedResets().submit(() -> {
        reset.run();
        return null;
      });
    } catch (RejectedExecutionException poolClosed) {
      throw new TimeoutException("the pool is closed");
    }
    try {
      done.get(policy.validationTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      done.cancel(true);
      throw e;
    } catch (InterruptedException e) {
      done.cancel(true);
      Thread.currentThread().interrupt();
      throw new TimeoutException("interrupted while the session reset ran");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sql) {
        throw sql;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new SQLException("The session reset failed: " + cause, "08000", cause);
    }
  }

  /** The reset steps, as run by {@link #runBounded}. */
  @FunctionalInterface
  interface ResetWork {
    void run() throws SQLException;
  }
}
