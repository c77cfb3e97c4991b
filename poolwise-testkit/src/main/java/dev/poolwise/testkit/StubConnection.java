package dev.poolwise.testkit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.Array;
import java.sql.Blob;
import java.sql.ClientInfoStatus;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.NClob;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Struct;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A stub JDBC connection: an in-memory model of a database session (auto-commit, isolation,
 * read-only, catalog, schema, client info, network timeout, open transaction) that a test can
 * read back, plus the statements it opened and the SQL it ran.
 *
 * <p>Life cycle: open, then closed by {@link #close()} or aborted by {@link #abort(Executor)},
 * whichever comes first; either one counts exactly once in its {@link StubDatabase}. Independently,
 * {@link #kill()} (or {@link StubDatabase#killAll()}) models the server side dropping the session:
 * every JDBC operation then fails with SQLState {@code 08006} and {@code isValid} returns false,
 * but the connection still counts as open until the client closes it, like a real broken socket.
 * After close or abort every JDBC operation fails with SQLState {@code 08003}.
 *
 * <p>Methods that are not part of {@link Connection} ({@link #commitCount()}, {@link #executedSql()},
 * ...) are for tests and never throw.
 */
public final class StubConnection implements Connection {

  /*
   * Concurrency: like a real JDBC connection, this is meant to be used by one thread at a time,
   * with the pool providing the happens-before edge on hand-off. But tests read its state from
   * other threads, and close()/abort()/kill() may come from a housekeeping thread while a query
   * runs, so all state is in volatile fields and the few read-modify-write updates are atomic:
   *  - lifecycle: an int state (OPEN -> CLOSED or OPEN -> ABORTED) moved by compareAndSet, so a
   *    racing close() and abort() end the connection once and the database counts it once;
   *  - killed: a volatile flag, only ever set;
   *  - counters: getAndAdd through VarHandles (no Atomic* object per counter per connection);
   *  - executed SQL: a ring of the last EXECUTED_SQL_CAPACITY statements, written at index
   *    (executeCount mod capacity). With concurrent executes on one connection, which is a misuse,
   *    two writers could race for a slot; the race is benign because it only loses history.
   *  - open statements: a lock-free queue plus a count; removal is O(open statements), which is
   *    a handful in practice.
   * The execute path takes no lock and does no I/O; with no knobs set it is a few volatile reads,
   * one atomic add, and one array store.
   *
   * Failure modes: an execute that is blocked in the delay or in the test's hook when the
   * connection is killed, closed, or aborted fails once the block ends, as an in-flight query on
   * a dropped socket would.
   */

  static final String DEFAULT_USER = "stub";
  static final int EXECUTED_SQL_CAPACITY = 1000;

  /** Usable (unless killed). */
  private static final int OPEN = 0;
  /** Ended by close(). */
  private static final int CLOSED = 1;
  /** Ended by abort(Executor). */
  private static final int ABORTED = 2;

  private static final VarHandle STATE;
  private static final VarHandle COMMITS;
  private static final VarHandle ROLLBACKS;
  private static final VarHandle EXECUTES;
  private static final VarHandle VALIDATIONS;
  private static final VarHandle EXECUTED_SQL_RING;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE = lookup.findVarHandle(StubConnection.class, "state", int.class);
      COMMITS = lookup.findVarHandle(StubConnection.class, "commitCount", long.class);
      ROLLBACKS = lookup.findVarHandle(StubConnection.class, "rollbackCount", long.class);
      EXECUTES = lookup.findVarHandle(StubConnection.class, "executeCount", long.class);
      VALIDATIONS = lookup.findVarHandle(StubConnection.class, "validationCount", long.class);
      EXECUTED_SQL_RING = lookup.findVarHandle(StubConnection.class, "executedSqlRing", AtomicReferenceArray.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final StubDatabase database;
  private final long id;
  private final String user;

  private volatile int state = OPEN;
  private volatile boolean killed;

  /* --- Session state --- */

  private volatile boolean autoCommit = true;
  private volatile boolean inTransaction;
  private volatile int transactionIsolation = TRANSACTION_READ_COMMITTED;
  private volatile boolean readOnly;
  private volatile String catalog = "stub";
  private volatile String schema = "public";
  private volatile int networkTimeoutMillis;
  private volatile int holdability = ResultSet.CLOSE_CURSORS_AT_COMMIT;
  private volatile Map<String, Class<?>> typeMap = Collections.emptyMap();
  /** Hashtable-backed, so safe for concurrent reads and writes. */
  private final Properties clientInfo = new Properties();

  /* --- Tracking --- */

  private volatile long commitCount;
  private volatile long rollbackCount;
  private volatile long executeCount;
  private volatile long validationCount;
  /** Allocated on the first execute, so that connect-only benchmarks do not pay for it. */
  private volatile AtomicReferenceArray<String> executedSqlRing;
  private final ConcurrentLinkedQueue<StubStatement> openStatements = new ConcurrentLinkedQueue<>();
  private final AtomicInteger openStatementCount = new AtomicInteger();

  StubConnection(StubDatabase database, long id, String user, Properties connectInfo) {
    this.database = database;
    this.id = id;
    this.user = user;
    String applicationName = connectInfo.getProperty("ApplicationName");
    if (applicationName != null) {
      clientInfo.setProperty("ApplicationName", applicationName);
    }
  }

  /* --- Test inspection (never throws) --- */

  /** Unique within the JVM, increasing in creation order. */
  public long id() {
    return id;
  }

  public String user() {
    return user;
  }

  public StubDatabase database() {
    return database;
  }

  /** Explicit commits plus commits done by {@code setAutoCommit(true)} while a transaction was open. */
  public long commitCount() {
    return commitCount;
  }

  public long rollbackCount() {
    return rollbackCount;
  }

  /** True after an execute while auto-commit was off, until commit, rollback or setAutoCommit(true). */
  public boolean inTransaction() {
    return inTransaction;
  }

  public int openStatementCount() {
    return openStatementCount.get();
  }

  /** Every statement execution that reached the "server", failed ones included. */
  public long executeCount() {
    return executeCount;
  }

  /** How many times {@link #isValid(int)} was asked on an open, unkilled connection. */
  public long validationCount() {
    return validationCount;
  }

  /** The SQL of the last (up to) {@value #EXECUTED_SQL_CAPACITY} executions, oldest first; a snapshot. */
  public List<String> executedSql() {
    AtomicReferenceArray<String> ring = executedSqlRing;
    if (ring == null) {
      return List.of();
    }
    long written = executeCount;
    long oldest = Math.max(0, written - EXECUTED_SQL_CAPACITY);
    List<String> snapshot = new ArrayList<>((int) (written - oldest));
    for (long index = oldest; index < written; index++) {
      String sql = ring.get((int) (index % EXECUTED_SQL_CAPACITY));
      if (sql != null) { // null only while a concurrent execute is between its count and its store
        snapshot.add(sql);
      }
    }
    return snapshot;
  }

  public boolean isKilled() {
    return killed;
  }

  /** True if this connection was ended by {@link #abort(Executor)} rather than by {@link #close()}. */
  public boolean wasAborted() {
    return state == ABORTED;
  }

  /**
   * Models the server dropping this session: from now on every JDBC operation fails with SQLState
   * {@code 08006} and {@code isValid} returns false. It stays open (and counted) until closed.
   */
  public void kill() {
    killed = true;
  }

  @Override
  public String toString() {
    return "StubConnection[id=" + id + ", database=" + database.name() + ", user=" + user
        + (state == CLOSED ? ", closed" : state == ABORTED ? ", aborted" : killed ? ", killed" : ", open") + "]";
  }

  /* --- Life cycle --- */

  @Override
  public void close() {
    if (STATE.compareAndSet(this, OPEN, CLOSED)) {
      closeOpenStatements();
      database.connectionEnded(this, false);
    }
  }

  @Override
  public boolean isClosed() {
    return state != OPEN;
  }

  @Override
  public void abort(Executor executor) throws SQLException {
    if (executor == null) {
      throw new SQLException("abort(Executor) needs an executor to release the connection's resources on; got null", "22004");
    }
    if (STATE.compareAndSet(this, OPEN, ABORTED)) {
      database.connectionEnded(this, true);
      executor.execute(this::closeOpenStatements);
    }
  }

  @Override
  public boolean isValid(int timeoutSeconds) throws SQLException {
    if (timeoutSeconds < 0) {
      throw new SQLException("isValid timeout must be >= 0 seconds, got " + timeoutSeconds, "22023");
    }
    if (state != OPEN || killed) {
      return false;
    }
    VALIDATIONS.getAndAdd(this, 1L);
    CountDownLatch gate = database.validationGate();
    if (gate != null && !awaitValidationGate(gate, timeoutSeconds)) {
      return false;
    }
    return !database.validationFails() && state == OPEN && !killed;
  }

  /** True if the gate opened (the knob was switched off) before the timeout. */
  private boolean awaitValidationGate(CountDownLatch gate, int timeoutSeconds) {
    AtomicInteger waiting = database.threadsInHangingValidationCounter();
    waiting.incrementAndGet();
    try {
      if (timeoutSeconds == 0) {
        gate.await();
        return true;
      }
      return gate.await(timeoutSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // isValid cannot throw for this; answer "not valid" and keep the flag
      return false;
    } finally {
      waiting.decrementAndGet();
    }
  }

  /* --- The execute path (all statement kinds come through here) --- */

  void execute(String sql) throws SQLException {
    checkUsable();
    long index = (long) EXECUTES.getAndAdd(this, 1L);
    executedSqlRing().set((int) (index % EXECUTED_SQL_CAPACITY), sql);
    if (!autoCommit) {
      inTransaction = true; // even if the statement then fails: PostgreSQL leaves an aborted transaction open
    }
    Duration delay = database.executeDelay();
    if (!delay.isZero()) {
      sleepDuringExecute(delay);
    }
    StubDatabase.ExecuteHook hook = database.executeHook();
    if (hook != null) {
      hook.beforeExecute(this, sql);
    }
    SQLException injected = database.injectedExecuteFailure();
    if (injected != null) {
      throw injected;
    }
    checkUsable(); // killed, closed or aborted while the statement was "running"
  }

  private AtomicReferenceArray<String> executedSqlRing() {
    AtomicReferenceArray<String> ring = executedSqlRing;
    if (ring == null) {
      AtomicReferenceArray<String> fresh = new AtomicReferenceArray<>(EXECUTED_SQL_CAPACITY);
      ring = EXECUTED_SQL_RING.compareAndSet(this, null, fresh) ? fresh : executedSqlRing;
    }
    return ring;
  }

  private void sleepDuringExecute(Duration delay) throws SQLException {
    try {
      TimeUnit.NANOSECONDS.sleep(delay.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("execute on " + this + " was interrupted during its executeDelay of " + delay
          + "; the thread's interrupt flag is set again", "57014", e);
    }
  }

  /** Throws 08003 after close/abort, 08006 after kill. */
  void checkUsable() throws SQLException {
    if (state != OPEN) {
      throw StubErrors.connectionClosed();
    }
    if (killed) {
      throw StubErrors.connectionKilled();
    }
  }

  /* --- Statement tracking --- */

  private <S extends StubStatement> S register(S statement) throws SQLException {
    openStatements.add(statement);
    openStatementCount.incrementAndGet();
    if (state != OPEN) { // lost a race with close(): do not leave a statement open on a closed connection
      statement.close();
      throw StubErrors.connectionClosed();
    }
    return statement;
  }

  /** Called exactly once per statement, by its close(). */
  void statementClosed(StubStatement statement) {
    if (openStatements.remove(statement)) {
      openStatementCount.decrementAndGet();
    }
  }

  private void closeOpenStatements() {
    // Each close() removes its statement and decrements the count exactly once; a statement being
    // closed concurrently by another thread removes itself, so iterating a weakly consistent view is enough.
    for (StubStatement statement : openStatements) {
      statement.close();
    }
  }

  @Override
  public StubStatement createStatement() throws SQLException {
    checkUsable();
    return register(new StubStatement(this));
  }

  @Override
  public StubStatement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
    return createStatement();
  }

  @Override
  public StubStatement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    return createStatement();
  }

  @Override
  public StubPreparedStatement prepareStatement(String sql) throws SQLException {
    checkUsable();
    return register(new StubPreparedStatement(this, Objects.requireNonNull(sql, "sql")));
  }

  @Override
  public StubPreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
    return prepareStatement(sql);
  }

  @Override
  public StubPreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    return prepareStatement(sql);
  }

  @Override
  public StubPreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    return prepareStatement(sql);
  }

  @Override
  public StubPreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
    return prepareStatement(sql);
  }

  @Override
  public StubPreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
      int resultSetHoldability) throws SQLException {
    return prepareStatement(sql);
  }

  @Override
  public StubCallableStatement prepareCall(String sql) throws SQLException {
    checkUsable();
    return register(new StubCallableStatement(this, Objects.requireNonNull(sql, "sql")));
  }

  @Override
  public StubCallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
    return prepareCall(sql);
  }

  @Override
  public StubCallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
      int resultSetHoldability) throws SQLException {
    return prepareCall(sql);
  }

  @Override
  public String nativeSQL(String sql) throws SQLException {
    checkUsable();
    return sql;
  }

  /* --- Transactions --- */

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    checkUsable();
    if (autoCommit && !this.autoCommit && inTransaction) {
      COMMITS.getAndAdd(this, 1L); // JDBC: switching auto-commit on commits the open transaction
      inTransaction = false;
    }
    this.autoCommit = autoCommit;
  }

  @Override
  public boolean getAutoCommit() throws SQLException {
    checkUsable();
    return autoCommit;
  }

  @Override
  public void commit() throws SQLException {
    checkUsable();
    if (autoCommit) {
      throw new SQLException("cannot commit when autoCommit is enabled", "25P01");
    }
    COMMITS.getAndAdd(this, 1L);
    inTransaction = false;
  }

  @Override
  public void rollback() throws SQLException {
    checkUsable();
    if (autoCommit) {
      throw new SQLException("cannot rollback when autoCommit is enabled", "25P01");
    }
    ROLLBACKS.getAndAdd(this, 1L);
    inTransaction = false;
  }

  @Override
  public Savepoint setSavepoint() throws SQLException {
    checkUsable();
    throw StubErrors.notSupported("savepoints");
  }

  @Override
  public Savepoint setSavepoint(String name) throws SQLException {
    checkUsable();
    throw StubErrors.notSupported("savepoints");
  }

  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    checkUsable();
    throw StubErrors.notSupported("savepoints");
  }

  @Override
  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    checkUsable();
    throw StubErrors.notSupported("savepoints");
  }

  @Override
  public void setTransactionIsolation(int level) throws SQLException {
    checkUsable();
    switch (level) {
      case TRANSACTION_READ_UNCOMMITTED, TRANSACTION_READ_COMMITTED, TRANSACTION_REPEATABLE_READ, TRANSACTION_SERIALIZABLE ->
          transactionIsolation = level;
      default -> throw new SQLException("unknown transaction isolation level " + level
          + "; use one of the Connection.TRANSACTION_* constants other than TRANSACTION_NONE", "22023");
    }
  }

  @Override
  public int getTransactionIsolation() throws SQLException {
    checkUsable();
    return transactionIsolation;
  }

  /* --- Session settings --- */

  @Override
  public void setReadOnly(boolean readOnly) throws SQLException {
    checkUsable();
    this.readOnly = readOnly;
  }

  @Override
  public boolean isReadOnly() throws SQLException {
    checkUsable();
    return readOnly;
  }

  @Override
  public void setCatalog(String catalog) throws SQLException {
    checkUsable();
    this.catalog = catalog;
  }

  @Override
  public String getCatalog() throws SQLException {
    checkUsable();
    return catalog;
  }

  @Override
  public void setSchema(String schema) throws SQLException {
    checkUsable();
    this.schema = schema;
  }

  @Override
  public String getSchema() throws SQLException {
    checkUsable();
    return schema;
  }

  @Override
  public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
    checkUsable();
    if (milliseconds < 0) {
      throw new SQLException("network timeout must be >= 0 ms, got " + milliseconds, "22023");
    }
    this.networkTimeoutMillis = milliseconds;
  }

  @Override
  public int getNetworkTimeout() throws SQLException {
    checkUsable();
    return networkTimeoutMillis;
  }

  @Override
  public void setHoldability(int holdability) throws SQLException {
    checkUsable();
    if (holdability != ResultSet.HOLD_CURSORS_OVER_COMMIT && holdability != ResultSet.CLOSE_CURSORS_AT_COMMIT) {
      throw new SQLException("unknown result set holdability " + holdability, "22023");
    }
    this.holdability = holdability;
  }

  @Override
  public int getHoldability() throws SQLException {
    checkUsable();
    return holdability;
  }

  @Override
  public Map<String, Class<?>> getTypeMap() throws SQLException {
    checkUsable();
    return new HashMap<>(typeMap);
  }

  @Override
  public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
    checkUsable();
    this.typeMap = map == null ? Collections.emptyMap() : Map.copyOf(map);
  }

  @Override
  public void setClientInfo(String name, String value) throws SQLClientInfoException {
    checkUsableForClientInfo(Map.of(name, ClientInfoStatus.REASON_UNKNOWN));
    if (value == null) {
      clientInfo.remove(name);
    } else {
      clientInfo.setProperty(name, value);
    }
  }

  @Override
  public void setClientInfo(Properties properties) throws SQLClientInfoException {
    Map<String, ClientInfoStatus> failed = new HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      failed.put(name, ClientInfoStatus.REASON_UNKNOWN);
    }
    checkUsableForClientInfo(failed);
    clientInfo.clear();
    for (String name : properties.stringPropertyNames()) {
      clientInfo.setProperty(name, properties.getProperty(name));
    }
  }

  private void checkUsableForClientInfo(Map<String, ClientInfoStatus> wouldFail) throws SQLClientInfoException {
    try {
      checkUsable();
    } catch (SQLException e) {
      throw new SQLClientInfoException(e.getMessage(), e.getSQLState(), wouldFail, e);
    }
  }

  @Override
  public String getClientInfo(String name) throws SQLException {
    checkUsable();
    return clientInfo.getProperty(name);
  }

  @Override
  public Properties getClientInfo() throws SQLException {
    checkUsable();
    Properties copy = new Properties();
    copy.putAll(clientInfo);
    return copy;
  }

  @Override
  public StubDatabaseMetaData getMetaData() throws SQLException {
    checkUsable();
    return new StubDatabaseMetaData(this);
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    checkUsable();
    return null;
  }

  @Override
  public void clearWarnings() throws SQLException {
    checkUsable();
  }

  /* --- Unsupported object factories --- */

  @Override
  public Clob createClob() throws SQLException {
    checkUsable();
    throw StubErrors.notSupported("createClob");
  }

  @Override
  public Blob createBlob() throws SQLException {
    checkUsable();
    throw StubErrors.notSupported("createBlob");
  }

  @Override
  public NClob createNClob() throws SQLException {
    checkUsable();
    throw StubErrors.notSupported("createNClob");
  }

  @Override
  public SQLXML createSQLXML() throws SQLException {
    checkUsable();
    throw StubErrors.notSupported("createSQLXML");
  }

  @Override
  public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
    checkUsable();
    throw StubErrors.notSupported("createArrayOf");
  }

  @Override
  public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
    checkUsable();
    throw StubErrors.notSupported("createStruct");
  }

  /* --- Wrapper --- */

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return StubErrors.unwrap(this, iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return StubErrors.isWrapperFor(this, iface);
  }
}
