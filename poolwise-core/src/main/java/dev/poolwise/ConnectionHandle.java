package dev.poolwise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * The {@link Connection} the application borrows: one fresh handle per borrow around a pooled
 * {@link PoolEntry}, delegating every call to {@code entry.raw} and returning the entry to the pool,
 * cleaned, on {@link #close()}. The plain forwarding (getters, LOB factories, sharding keys) is generated into
 * {@link ConnectionDelegation} through {@link #delegate()} and {@link #checkBroken}; this class declares the
 * methods with behaviour of their own.
 *
 * <p>What it tracks, all without asking the driver on the hot path:
 *
 * <ul>
 *   <li><b>Dirty settings.</b> {@link #dirtySettings} has one bit per session setting the application
 *       changed away from {@code entry.defaults} (autoCommit, isolation, read-only, catalog, schema,
 *       network timeout, holdability, type map, client info). A setter that succeeds sets or clears its bit
 *       by comparing with the default; a setter that fails sets it, because the driver's state is then
 *       unknown. Close restores exactly the settings whose bit is set, one driver call each (all of them
 *       after driver objects were handed out).
 *   <li><b>A transaction that may be open.</b> Set when a statement executes (through
 *       {@link #beforeExecute(String)}, the single choke point all statement handles and the
 *       DatabaseMetaData handle call), a savepoint call is made or an updatable result set changes a row
 *       while autoCommit is off; cleared by a successful commit, rollback or {@code setAutoCommit(true)}.
 *       For other drivers close rolls back when it is set (or autoCommit was turned off, or driver objects
 *       were used); for PostgreSQL the driver's real transaction state decides ({@link PostgresSession}),
 *       which also sees a transaction opened with SQL {@code BEGIN} while autoCommit is on.
 *   <li><b>A changed PostgreSQL session.</b> Every SQL text that runs or is batched passes
 *       {@link #watchSql(String)}; SQL that changes session state ({@link SessionStatements}) sets
 *       {@link #sessionChanged}, and an unwrapped driver object sets {@link #driverObjectsUsed}. Either makes
 *       close reset the session ({@link SessionReset#AUTO}).
 *   <li><b>Open statements.</b> {@link #openStatement} and {@link #moreOpenStatements} hold the statement
 *       handles not yet closed. Usually there is one at a time, kept in the field, so a borrow that prepares
 *       one statement allocates nothing to track it; a second one open at the same time moves both into the
 *       list (removal from the end, as statements are usually closed in reverse order). Close closes the ones
 *       the application left open.
 * </ul>
 *
 * <p>Concurrency: a JDBC connection is used by one thread at a time, and all the tracking fields are
 * plain fields written by that thread. The exception is ending the borrow: {@link #close()} and
 * {@link #abort(Executor)} may race (a watchdog aborts while the owner closes), so the borrow ends by one
 * compare-and-set on {@link #lifecycle}; whoever wins resets (close) or aborts, and releases the entry
 * exactly once; the loser does nothing. {@link #delegate} is set to {@code null} by the winner before
 * the release and is a plain field read on every call: an owner thread racing an abort may still see
 * the raw connection for a moment, which is benign because that connection has been aborted and fails
 * every call. After the release the entry may already belong to another borrower, so a failure seen
 * through a closed handle is not held against it ({@link #checkBroken} looks at {@code delegate} first).
 *
 * <p>Failure modes: a {@link SQLException} from any call (also through statement, result-set and
 * metadata handles) passes through {@link #checkBroken}, which marks the entry for eviction when the
 * SQLState says the connection is dead. If any step of the reset on close fails, or a reset after driver
 * objects were used does not finish within {@code validationTimeout} (an unfinished COPY), the entry is marked
 * for eviction ("reset failed: …") and still released: the pool closes it instead of lending it again, and
 * {@code close()} does not throw. An entry already marked for eviction is released without a reset,
 * because the pool will close it anyway and resetting a dead connection could block for the network
 * timeout. Any call after close fails with SQLState 08003 and a message that says when the handle was
 * closed; {@code isClosed()} is then true, {@code isValid()} false, and {@code close()}/{@code abort()} do
 * nothing.
 */
final class ConnectionHandle extends ConnectionDelegation {

  /** The application changed autoCommit away from the default. */
  private static final int DIRTY_AUTO_COMMIT = 1;
  /** The application changed the transaction isolation away from the default. */
  private static final int DIRTY_ISOLATION = 1 << 1;
  /** The application changed read-only away from the default. */
  private static final int DIRTY_READ_ONLY = 1 << 2;
  /** The application changed the catalog away from the default. */
  private static final int DIRTY_CATALOG = 1 << 3;
  /** The application changed the schema away from the default. */
  private static final int DIRTY_SCHEMA = 1 << 4;
  /** The application changed the network timeout away from the default. */
  private static final int DIRTY_NETWORK_TIMEOUT = 1 << 5;
  /** The application changed the holdability away from the default. */
  private static final int DIRTY_HOLDABILITY = 1 << 6;
  /** The application set a type map. */
  private static final int DIRTY_TYPE_MAP = 1 << 7;
  /** The application set client info ({@link #clientInfoNames} says which). */
  private static final int DIRTY_CLIENT_INFO = 1 << 8;
  /** Every setting: what the application may have changed through an unwrapped driver object. */
  private static final int DIRTY_ALL = (1 << 9) - 1;

  /** Borrowed and usable. */
  private static final int OPEN = 0;
  /** Ended by {@link #close()}: reset and returned to the pool. */
  private static final int CLOSED_BY_APPLICATION = 1;
  /** Ended by {@link #abort(Executor)}: the raw connection was aborted and is evicted. */
  private static final int ABORTED = 2;

  private static final VarHandle LIFECYCLE;

  static {
    try {
      LIFECYCLE = MethodHandles.lookup().findVarHandle(ConnectionHandle.class, "lifecycle", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Runs the driver's network-timeout bookkeeping in the calling thread when the reset restores the
   * default; drivers use the executor only for the rare asynchronous part, if at all.
   */
  private static final Executor CALLING_THREAD = Runnable::run;

  private final PoolEntry entry;
  private final ConnectionReleaser releaser;

  /** {@code entry.raw} while borrowed; {@code null} once the borrow ended, so a stale handle cannot reach it. */
  private @Nullable Connection delegate;

  /** {@link #OPEN}, {@link #CLOSED_BY_APPLICATION} or {@link #ABORTED}; leaves OPEN once, by compare-and-set. */
  @SuppressWarnings("unused") // accessed through LIFECYCLE
  private volatile int lifecycle;

  /** {@code DIRTY_*} bits of the settings that must be restored on close. */
  private int dirtySettings;
  /** The autoCommit the application last set successfully (the default until it sets one). */
  private boolean autoCommit;
  /** A statement ran or a savepoint call was made with autoCommit off since the last commit/rollback. */
  private boolean transactionMayBeOpen;
  /**
   * The PostgreSQL session whose SQL is watched for session changes ({@link SessionReset#AUTO}), or
   * {@code null}: another database, or a mode that does not depend on what ran.
   */
  private final @Nullable PostgresSession watchedSession;
  /** Behind PgBouncer in transaction mode: warns about session state that cannot survive it; else null. */
  private final @Nullable TransactionPoolingGuard transactionPooling;
  /** SQL that changes session state ran through this handle ({@link SessionStatements}). */
  private boolean sessionChanged;
  /** A driver object was handed out by unwrap: what was done through it is unknown to the pool. */
  private boolean driverObjectsUsed;
  /** The client info names the application set, for their reset; usually one ("ApplicationName"). */
  private @Nullable ArrayList<String> clientInfoNames;
  /** The reset step running now, for the eviction reason when it fails. */
  private @Nullable String resetStep;
  /** The failure of the execute in progress, seen by {@link #checkBroken}, for the SQL log. */
  private @Nullable SQLException executionFailure;

  /** The one open statement while no more than one is open; null once {@link #moreOpenStatements} exists. */
  private @Nullable AbstractStatementHandle<?> openStatement;
  /** Every open statement, from the moment two were open at once until the borrow ends; else null. */
  private @Nullable ArrayList<AbstractStatementHandle<?>> moreOpenStatements;
  /** Created on first use; one per handle is enough since it carries no state of its own. */
  private @Nullable DatabaseMetaDataHandle metaData;

  ConnectionHandle(PoolEntry entry, ConnectionReleaser releaser) {
    this.entry = entry;
    this.releaser = releaser;
    this.delegate = entry.raw;
    this.autoCommit = entry.defaults.autoCommit();
    PostgresSession postgres = entry.defaults.postgres();
    this.watchedSession = postgres != null && postgres.policy.mode() == SessionReset.AUTO ? postgres : null;
    this.transactionPooling = postgres == null ? releaser.transactionPooling() : null;
  }

  /* --- The hooks the statement, result-set and metadata handles call --- */

  /**
   * Every execute method of every statement handle, and every DatabaseMetaData method that makes the
   * driver run a query, calls this first and {@link #afterExecute()} in a {@code finally}: the one place
   * that knows "something runs on this connection now".
   *
   * @param sql what is executing: the SQL of the call for plain statements, the SQL given at prepare
   *     time for prepared and callable statements, {@code "DatabaseMetaData.getTables"} and the like for
   *     metadata queries, {@code null} for a batch of a plain statement
   * @throws SQLException with SQLState 08003 when this handle was already closed or aborted
   */
  void beforeExecute(@Nullable String sql) throws SQLException {
    if (delegate == null) {
      throw closedException();
    }
    if (!autoCommit) {
      // Set before running, not after: a statement that fails inside a transaction leaves it open
      // (PostgreSQL: aborted until rolled back).
      transactionMayBeOpen(true);
    }
    watchSql(sql);
    if (entry.tracksSql) {
      entry.startExecuting(sql, System.nanoTime());
      executionFailure = null;
    }
  }

  /**
   * Marks the session for a reset on return when {@code sql} changes session state; called for every
   * executed SQL text and for SQL added to a batch. Free for other databases (no watched session).
   */
  void watchSql(@Nullable String sql) {
    PostgresSession session = watchedSession;
    if (session != null && !sessionChanged && session.changesSession(sql)) {
      sessionChanged = true;
    } else if (transactionPooling != null) {
      transactionPooling.check(sql);
    }
  }

  /**
   * A driver object (the raw connection, a driver statement or result set, an extension interface such as
   * {@code PGConnection}) was handed to the application: the return path treats every setting and the
   * session as changed, asks the driver whether a transaction is open, and bounds the reset in time.
   */
  void driverObjectHandedOut() {
    driverObjectsUsed = true;
  }

  /**
   * An updatable result set inserted, updated or deleted a row: with autoCommit off that opened a
   * transaction the execute hook did not see.
   */
  void rowsChangedThroughResultSet() {
    if (!autoCommit) {
      transactionMayBeOpen(true);
    }
  }

  /** The counterpart of {@link #beforeExecute(String)}, called whether the execution succeeded or not. */
  void afterExecute() {
    if (entry.tracksSql) {
      long startedNanos = entry.executingSinceNanos();
      String sql = entry.finishExecuting();
      SqlLog sqlLog = entry.sqlLog;
      if (sqlLog != null) {
        sqlLog.executed(entry.tag, "(batch)".equals(sql) ? null : sql, System.nanoTime() - startedNanos,
            executionFailure);
      }
      executionFailure = null;
    }
  }

  /**
   * Records whether a transaction may be open, and since when for the holder table: the moment the
   * flag goes from false to true is the transaction's start as far as the pool can see.
   */
  private void transactionMayBeOpen(boolean open) {
    if (open != transactionMayBeOpen && entry.tracksSql) {
      entry.transactionSince(open ? System.nanoTime() : 0);
    }
    transactionMayBeOpen = open;
  }

  /**
   * Every {@link SQLException} from the driver, through any handle, passes here on its way to the
   * application: a broken-connection SQLState marks the entry for eviction. Returns its argument so
   * callers can write {@code throw connection.checkBroken(e)}.
   */
  @Override
  <E extends SQLException> E checkBroken(E failure) {
    // After the borrow ended the entry may be someone else's: a driver complaint through this stale
    // handle (typically "statement is closed", SQLState 08003) says nothing about the entry's health.
    if (delegate != null) {
      entry.checkBroken(failure);
      executionFailure = failure; // for the SQL log, when this failure ends an execute
    }
    return failure;
  }

  /** A statement handle was closed by the application; it no longer needs closing on return. */
  void forgetStatement(AbstractStatementHandle<?> statement) {
    if (openStatement == statement) {
      openStatement = null;
      return;
    }
    ArrayList<AbstractStatementHandle<?>> more = moreOpenStatements;
    if (more != null) {
      // From the end: statements are usually closed in reverse order of creation.
      for (int i = more.size() - 1; i >= 0; i--) {
        if (more.get(i) == statement) {
          more.remove(i);
          return;
        }
      }
    }
  }

  /** "Poolwise connection #7", for the handles' toString and messages; nothing from the driver. */
  String describe() {
    return "Poolwise connection #" + entry.id;
  }

  @Override
  Connection delegate() throws SQLException {
    Connection raw = delegate;
    if (raw == null) {
      throw closedException();
    }
    return raw;
  }

  private SQLException closedException() {
    String how =
        (int) LIFECYCLE.getVolatile(this) == ABORTED
            ? "it was aborted and evicted from the pool (Connection.abort() was called)"
            : "it was returned to the pool (Connection.close() was called)";
    return new SQLException(
        "Connection is closed: "
            + describe()
            + " cannot be used through this handle because "
            + how
            + ". Borrow a new connection from the DataSource. Usual causes: a Connection, Statement or"
            + " ResultSet kept after its try-with-resources block ended, or a connection shared between"
            + " threads.",
        "08003");
  }

  private <H extends AbstractStatementHandle<?>> H track(H statement) {
    ArrayList<AbstractStatementHandle<?>> more = moreOpenStatements;
    if (more != null) {
      more.add(statement);
    } else if (openStatement == null) {
      openStatement = statement;
    } else {
      more = new ArrayList<>(4);
      more.add(openStatement);
      more.add(statement);
      moreOpenStatements = more;
      openStatement = null;
    }
    return statement;
  }

  private void markDirty(int setting, boolean differsFromDefault) {
    dirtySettings = differsFromDefault ? dirtySettings | setting : dirtySettings & ~setting;
  }

  /* --- Ending the borrow: close, reset, abort --- */

  @Override
  public void close() throws SQLException {
    if (!LIFECYCLE.compareAndSet(this, OPEN, CLOSED_BY_APPLICATION)) {
      return;
    }
    Connection raw = Nulls.castToNonNull(delegate); // the compare-and-set admits one caller; only it clears delegate
    try {
      if (entry.evictionReason() == null) {
        resetForNextBorrower(raw);
      }
    } finally {
      delegate = null;
      releaser.release(entry);
    }
  }

  /**
   * Closes leftover statements, then (see {@link #resetSteps}) rolls back an open transaction, resets a
   * changed PostgreSQL session and restores the changed settings. Never throws: a failing step marks the
   * entry for eviction and ends the reset. When driver objects were handed out, the steps run on a pool
   * thread bounded by {@code validationTimeout}: an unfinished COPY makes pgjdbc wait for its own lock with no
   * timeout, and such a connection must be evicted, not handed to the next borrower to hang on.
   */
  private void resetForNextBorrower(Connection raw) {
    closeLeftOverStatements();
    if (entry.evictionReason() != null) {
      return; // a statement close said the connection is dead; resetting it would only wait on the network
    }
    PostgresSession postgres = entry.defaults.postgres();
    if (postgres == null && dirtySettings == 0 && !transactionMayBeOpen && !driverObjectsUsed) {
      clearWarnings(raw); // the common case for other databases: nothing to roll back or restore
      return;
    }
    resetStep = "rollback of the transaction the application left open";
    try {
      if (postgres != null && driverObjectsUsed) {
        postgres.runBounded(() -> resetSteps(raw, postgres));
      } else {
        resetSteps(raw, postgres);
      }
    } catch (TimeoutException e) {
      entry.markForEviction("reset did not finish within validationTimeout "
          + postgres.policy.validationTimeout().toMillis() + " ms (" + resetStep + "; " + e.getMessage()
          + "): the borrower used driver objects and may have left a COPY unfinished; the connection is aborted");
      abortQuietly(raw);
    } catch (SQLException e) {
      entry.checkBroken(e);
      entry.markForEviction(
          "reset failed: " + resetStep + " threw SQLState " + e.getSQLState() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      // Drivers do throw unchecked exceptions; the connection's state is then unknown, so never reuse it.
      entry.markForEviction("reset failed: " + resetStep + " threw " + e);
    }
  }

  /**
   * The reset, in the order that never commits what the borrower did not commit:
   * <ol>
   *   <li>Roll back an open transaction <em>before</em> restoring autoCommit (switching autoCommit on commits
   *       an open transaction). PostgreSQL: the driver's real transaction state decides, whatever opened the
   *       transaction (SQL {@code BEGIN}, an updatable result set, COPY, large objects). Other drivers: when
   *       autoCommit is off and the borrower turned it off, ran a statement, changed rows through a result set
   *       or used driver objects.
   *   <li>PostgreSQL, when the session may have changed ({@link SessionReset}): {@code DISCARD ALL}, then the
   *       pool's session settings and the recorded search_path again, bounded by {@code validationTimeout}
   *       through the network timeout.
   *   <li>Restore each changed JDBC setting; all of them after driver objects were used.
   * </ol>
   */
  private void resetSteps(Connection raw, @Nullable PostgresSession postgres) throws SQLException {
    ConnectionDefaults defaults = entry.defaults;
    int dirty = driverObjectsUsed ? DIRTY_ALL : dirtySettings;
    resetStep = "rollback of the transaction the application left open";
    Boolean transactionOpen = postgres == null ? null : postgres.transactionOpen(raw);
    if (transactionOpen != null) {
      if (transactionOpen) {
        PostgresSession.rollback(raw);
      }
    } else {
      boolean autoCommitNow = driverObjectsUsed ? raw.getAutoCommit() : autoCommit;
      if (!autoCommitNow
          && (transactionMayBeOpen || driverObjectsUsed || (dirtySettings & DIRTY_AUTO_COMMIT) != 0)) {
        raw.rollback();
      }
    }
    boolean sessionReset = postgres != null && switch (postgres.policy.mode()) {
      case ALWAYS -> true;
      case AUTO -> sessionChanged || driverObjectsUsed;
      case OFF -> false;
    };
    if (sessionReset) {
      PostgresSession session = Nulls.castToNonNull(postgres); // sessionReset is false without one
      resetStep = "session reset (DISCARD ALL, then the pool's session settings)";
      int bound = (int) Math.min(Integer.MAX_VALUE, session.policy.validationTimeout().toMillis());
      if (defaults.networkTimeoutMillis() == 0 || defaults.networkTimeoutMillis() > bound) {
        raw.setNetworkTimeout(CALLING_THREAD, bound);
        dirty |= DIRTY_NETWORK_TIMEOUT;
      }
      session.discardSession(raw);
      dirty &= ~DIRTY_SCHEMA; // the search_path is back as recorded
      // pgjdbc sets ApplicationName with SET after connecting unless told the server's version, so
      // DISCARD ALL's RESET ALL can take it back to the server's default: set what the connection had.
      dirty |= DIRTY_CLIENT_INFO;
    }
    restoreSettings(raw, defaults, dirty, postgres);
    resetStep = "clearWarnings";
    raw.clearWarnings();
  }

  private void clearWarnings(Connection raw) {
    try {
      raw.clearWarnings();
    } catch (SQLException e) {
      entry.checkBroken(e);
      entry.markForEviction("reset failed: clearWarnings threw SQLState " + e.getSQLState() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      entry.markForEviction("reset failed: clearWarnings threw " + e);
    }
  }

  /** One driver call per changed setting; {@code dirty} says which. */
  private void restoreSettings(Connection raw, ConnectionDefaults defaults, int dirty,
      @Nullable PostgresSession postgres)
      throws SQLException {
    if ((dirty & DIRTY_AUTO_COMMIT) != 0) {
      resetStep = "restoring autoCommit=" + defaults.autoCommit();
      raw.setAutoCommit(defaults.autoCommit());
    }
    if ((dirty & DIRTY_ISOLATION) != 0) {
      resetStep = "restoring transactionIsolation=" + defaults.transactionIsolation();
      raw.setTransactionIsolation(defaults.transactionIsolation());
    }
    if ((dirty & DIRTY_READ_ONLY) != 0) {
      resetStep = "restoring readOnly=" + defaults.readOnly();
      raw.setReadOnly(defaults.readOnly());
    }
    if ((dirty & DIRTY_CATALOG) != 0 && defaults.catalog() != null) {
      resetStep = "restoring catalog=" + defaults.catalog();
      raw.setCatalog(defaults.catalog());
    }
    if ((dirty & DIRTY_SCHEMA) != 0) {
      if (postgres != null && postgres.searchPath != null) {
        resetStep = "restoring search_path=" + postgres.searchPath;
        postgres.restoreSearchPath(raw);
      } else if (defaults.schema() != null) {
        resetStep = "restoring schema=" + defaults.schema();
        raw.setSchema(defaults.schema());
      }
    }
    if ((dirty & DIRTY_NETWORK_TIMEOUT) != 0) {
      resetStep = "restoring networkTimeout=" + defaults.networkTimeoutMillis() + "ms";
      raw.setNetworkTimeout(CALLING_THREAD, defaults.networkTimeoutMillis());
    }
    if ((dirty & DIRTY_HOLDABILITY) != 0) {
      resetStep = "restoring holdability=" + defaults.holdability();
      raw.setHoldability(defaults.holdability());
    }
    if ((dirty & DIRTY_TYPE_MAP) != 0 && defaults.typeMap() != null) {
      resetStep = "restoring the type map";
      raw.setTypeMap(new HashMap<>(defaults.typeMap()));
    }
    if ((dirty & DIRTY_CLIENT_INFO) != 0 && defaults.clientInfo() != null) {
      resetStep = "restoring client info";
      restoreClientInfo(raw, defaults.clientInfo());
    }
  }

  /**
   * The names the application set back to their defaults; every name the driver reported at creation too
   * after driver objects were used or the session was reset.
   */
  private void restoreClientInfo(Connection raw, Properties defaults) throws SQLClientInfoException {
    ArrayList<String> names = clientInfoNames;
    if (driverObjectsUsed || names == null || (dirtySettings & DIRTY_CLIENT_INFO) == 0) {
      names = new ArrayList<>(defaults.stringPropertyNames());
      if (clientInfoNames != null) {
        clientInfoNames.stream().filter(name -> !defaults.containsKey(name)).forEach(names::add);
      }
    }
    for (String name : names) {
      // null clears a name the connection did not have (JDBC: "the current value ... is cleared").
      raw.setClientInfo(name, defaults.getProperty(name));
    }
  }

  /**
   * Aborts the raw connection of a reset that did not finish (pgjdbc closes the socket without taking the lock
   * an unfinished COPY holds); the entry is already marked for eviction.
   */
  private void abortQuietly(Connection raw) {
    try {
      raw.abort(Runnable::run);
    } catch (SQLException | RuntimeException | AbstractMethodError e) {
      // The entry is marked for eviction; the pool closes the connection, which is all that is left to do.
    }
  }

  /** Failures are ignored (the statement is gone either way) except that they may reveal a dead connection. */
  private void closeLeftOverStatements() {
    AbstractStatementHandle<?> only = openStatement;
    if (only != null) {
      openStatement = null;
      closeLeftOver(only);
    }
    ArrayList<AbstractStatementHandle<?>> more = moreOpenStatements;
    if (more != null) {
      for (int i = more.size() - 1; i >= 0; i--) {
        closeLeftOver(more.get(i));
      }
      more.clear();
    }
  }

  private void closeLeftOver(AbstractStatementHandle<?> statement) {
    try {
      statement.closeLeftOver();
    } catch (SQLException e) {
      entry.checkBroken(e);
    } catch (RuntimeException e) {
      entry.markForEviction("reset failed: closing a statement the application left open threw " + e);
    }
  }

  /**
   * Aborts the raw connection and gives the entry back to the pool marked for eviction. A no-op when the
   * borrow already ended, including when {@link #close()} won a race with this call: that close resets
   * (bounded by the network timeout) and releases.
   */
  @Override
  public void abort(Executor executor) throws SQLException {
    if (executor == null) {
      throw new SQLException("Connection.abort(executor) needs an Executor to run the abort on; got null", "HY009");
    }
    if (!LIFECYCLE.compareAndSet(this, OPEN, ABORTED)) {
      return;
    }
    Connection raw = Nulls.castToNonNull(delegate); // the compare-and-set admits one caller; only it clears delegate
    entry.markForEviction("aborted by the application");
    try {
      raw.abort(executor);
    } finally {
      delegate = null;
      releaser.release(entry);
    }
  }

  @Override
  public boolean isClosed() throws SQLException {
    Connection raw = delegate;
    if (raw == null || (int) LIFECYCLE.getVolatile(this) != OPEN) {
      return true;
    }
    try {
      return raw.isClosed();
    } catch (SQLException e) {
      throw checkBroken(e);
    }
  }

  @Override
  public boolean isValid(int timeout) throws SQLException {
    Connection raw = delegate;
    if (raw == null) {
      return false;
    }
    try {
      return raw.isValid(timeout);
    } catch (SQLException e) {
      throw checkBroken(e);
    }
  }

  /* --- Tracked session settings --- */

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    Connection raw = delegate();
    try {
      raw.setAutoCommit(autoCommit);
    } catch (SQLException e) {
      dirtySettings |= DIRTY_AUTO_COMMIT;
      throw checkBroken(e);
    }
    if (autoCommit && !this.autoCommit) {
      transactionMayBeOpen(false); // JDBC: switching autoCommit on commits the open transaction
    }
    this.autoCommit = autoCommit;
    markDirty(DIRTY_AUTO_COMMIT, autoCommit != entry.defaults.autoCommit());
  }

  @Override
  public void setTransactionIsolation(int level) throws SQLException {
    Connection raw = delegate();
    try {
      raw.setTransactionIsolation(level);
    } catch (SQLException e) {
      dirtySettings |= DIRTY_ISOLATION;
      throw checkBroken(e);
    }
    markDirty(DIRTY_ISOLATION, level != entry.defaults.transactionIsolation());
  }

  @Override
  public void setReadOnly(boolean readOnly) throws SQLException {
    Connection raw = delegate();
    try {
      raw.setReadOnly(readOnly);
    } catch (SQLException e) {
      dirtySettings |= DIRTY_READ_ONLY;
      throw checkBroken(e);
    }
    markDirty(DIRTY_READ_ONLY, readOnly != entry.defaults.readOnly());
  }

  @Override
  public void setCatalog(String catalog) throws SQLException {
    Connection raw = delegate();
    try {
      raw.setCatalog(catalog);
    } catch (SQLException e) {
      dirtySettings |= DIRTY_CATALOG;
      throw checkBroken(e);
    }
    markDirty(DIRTY_CATALOG, !Objects.equals(catalog, entry.defaults.catalog()));
  }

  @Override
  public void setSchema(String schema) throws SQLException {
    Connection raw = delegate();
    try {
      raw.setSchema(schema);
    } catch (SQLException e) {
      dirtySettings |= DIRTY_SCHEMA;
      throw checkBroken(e);
    }
    // PostgreSQL: setSchema replaces the whole search_path, so even the default schema's name is a change
    // ("$user", public becomes public).
    markDirty(DIRTY_SCHEMA,
        entry.defaults.postgres() != null || !Objects.equals(schema, entry.defaults.schema()));
  }

  @Override
  public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
    Connection raw = delegate();
    try {
      raw.setNetworkTimeout(executor, milliseconds);
    } catch (SQLException e) {
      dirtySettings |= DIRTY_NETWORK_TIMEOUT;
      throw checkBroken(e);
    }
    markDirty(DIRTY_NETWORK_TIMEOUT, milliseconds != entry.defaults.networkTimeoutMillis());
  }

  /* --- Transaction boundaries --- */

  @Override
  public void commit() throws SQLException {
    Connection raw = delegate();
    try {
      raw.commit();
    } catch (SQLException e) {
      transactionMayBeOpen(!autoCommit); // a failed commit may leave the transaction open
      throw checkBroken(e);
    }
    transactionMayBeOpen(false);
  }

  @Override
  public void rollback() throws SQLException {
    Connection raw = delegate();
    try {
      raw.rollback();
    } catch (SQLException e) {
      transactionMayBeOpen(!autoCommit);
      throw checkBroken(e);
    }
    transactionMayBeOpen(false);
  }

  @Override
  public Savepoint setSavepoint() throws SQLException {
    Connection raw = delegate();
    transactionMayBeOpen(transactionMayBeOpen || !autoCommit);
    try {
      return raw.setSavepoint();
    } catch (SQLException e) {
      throw checkBroken(e);
    }
  }

  @Override
  public Savepoint setSavepoint(String name) throws SQLException {
    Connection raw = delegate();
    transactionMayBeOpen(transactionMayBeOpen || !autoCommit);
    try {
      return raw.setSavepoint(name);
    } catch (SQLException e) {
      throw checkBroken(e);
    }
  }

  /** Rolling back to a savepoint leaves the transaction open. */
  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    Connection raw = delegate();
    transactionMayBeOpen(transactionMayBeOpen || !autoCommit);
    try {
      raw.rollback(savepoint);
    } catch (SQLException e) {
      throw checkBroken(e);
    }
  }

  @Override
  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    Connection raw = delegate();
    transactionMayBeOpen(transactionMayBeOpen || !autoCommit);
    try {
      raw.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      throw checkBroken(e);
    }
  }

  /*
   * --- Statements and metadata: handles, never the driver's objects ---
   * createStatement, prepareStatement and prepareCall (all overloads) are generated in ConnectionDelegation:
   * they pass the driver's statement to the three methods below.
   */

  @Override
  Statement statementHandle(Statement raw) {
    return track(new StatementHandle(raw, this));
  }

  @Override
  PreparedStatement preparedStatementHandle(PreparedStatement raw, String sql) {
    return track(new PreparedStatementHandle(raw, this, sql));
  }

  @Override
  CallableStatement callableStatementHandle(CallableStatement raw, String sql) {
    return track(new CallableStatementHandle(raw, this, sql));
  }

  @Override
  public DatabaseMetaData getMetaData() throws SQLException {
    Connection raw = delegate();
    if (metaData == null) {
      try {
        metaData = new DatabaseMetaDataHandle(raw.getMetaData(), this);
      } catch (SQLException e) {
        throw checkBroken(e);
      }
    }
    return metaData;
  }

  /* --- Wrapper, client info, identity --- */

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    Connection raw = delegate();
    try {
      return HandleUnwrapping.unwrap(this, raw, iface, this);
    } catch (SQLException e) {
      throw checkBroken(e);
    }
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    Connection raw = delegate();
    try {
      return HandleUnwrapping.isWrapperFor(this, raw, iface);
    } catch (SQLException e) {
      throw checkBroken(e);
    }
  }

  @Override
  public void setClientInfo(String name, String value) throws SQLClientInfoException {
    Connection raw = delegate;
    if (raw == null) {
      throw new SQLClientInfoException(closedException().getMessage(), "08003", Map.of());
    }
    rememberClientInfo(name);
    try {
      raw.setClientInfo(name, value);
    } catch (SQLClientInfoException e) {
      throw checkBroken(e);
    }
  }

  private void rememberClientInfo(String name) {
    dirtySettings |= DIRTY_CLIENT_INFO;
    if (clientInfoNames == null) {
      clientInfoNames = new ArrayList<>(2);
    }
    if (name != null && !clientInfoNames.contains(name)) {
      clientInfoNames.add(name);
    }
  }

  @Override
  public void setClientInfo(Properties properties) throws SQLClientInfoException {
    Connection raw = delegate;
    if (raw == null) {
      throw new SQLClientInfoException(closedException().getMessage(), "08003", Map.of());
    }
    if (properties != null) {
      properties.stringPropertyNames().forEach(this::rememberClientInfo);
    }
    // Setting a Properties object clears the names it does not mention, so those need their defaults back too.
    if (entry.defaults.clientInfo() != null) {
      entry.defaults.clientInfo().stringPropertyNames().forEach(this::rememberClientInfo);
    }
    try {
      raw.setClientInfo(properties);
    } catch (SQLClientInfoException e) {
      throw checkBroken(e);
    }
  }

  /**
   * Never the driver's text: some drivers print their URL, and URLs carry passwords
   * ({@code ?password=…}, {@code user:secret@host}).
   */
  @Override
  public String toString() {
    return describe() + ((int) LIFECYCLE.getVolatile(this) == OPEN ? " (pool handle)" : " (pool handle, closed)");
  }

  /* --- Settings outside the defaults: the type map and holdability (plain delegation is in ConnectionDelegation) --- */

  @Override
  public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
    Connection raw = delegate();
    dirtySettings |= DIRTY_TYPE_MAP; // the driver may keep the caller's map, which the caller may change later
    try {
      raw.setTypeMap(map);
    } catch (SQLException e) {
      throw checkBroken(e);
    }
  }

  @Override
  public void setHoldability(int holdability) throws SQLException {
    Connection raw = delegate();
    try {
      raw.setHoldability(holdability);
    } catch (SQLException e) {
      dirtySettings |= DIRTY_HOLDABILITY;
      throw checkBroken(e);
    }
    markDirty(DIRTY_HOLDABILITY, holdability != entry.defaults.holdability());
  }
}
