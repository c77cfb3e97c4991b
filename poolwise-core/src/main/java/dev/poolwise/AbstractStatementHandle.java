package dev.poolwise;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;

/**
 * The {@link Statement} part shared by {@link StatementHandle}, {@link PreparedStatementHandle} and
 * {@link CallableStatementHandle}, written once. Subclasses add the methods of the wider interfaces and
 * reach the driver's object through {@link #delegate}, typed by {@code S}.
 *
 * <p>What it adds to plain delegation:
 *
 * <ul>
 *   <li>Every {@code execute*} method passes through {@link ConnectionHandle#beforeExecute(String)} and
 *       {@link ConnectionHandle#afterExecute()}, the single choke point for "a statement runs now" (it
 *       tracks whether a transaction may be open, refuses to run on a returned connection, and is where
 *       diagnostics will record the SQL in flight). The SQL passed is the per-call SQL for plain
 *       statements and the SQL given at prepare time for prepared and callable statements.
 *   <li>Result sets come back as {@link ResultSetHandle}s and {@link #getConnection()} answers the
 *       connection handle, so the driver's connection is never reachable except through
 *       {@code unwrap}.
 *   <li>{@link #close()} makes the connection handle forget the statement; statements the application
 *       leaves open are closed by the connection handle when it is closed.
 *   <li>Every {@link SQLException} passes through {@link ConnectionHandle#checkBroken}.
 * </ul>
 *
 * <p>Concurrency: a statement is used by the thread that uses its connection, so the fields are plain.
 * The one JDBC method meant for another thread, {@link #cancel()}, only reads the final
 * {@link #delegate}. Failure modes: when the connection handle has been closed, execute methods fail
 * with SQLState 08003 from the hook; other methods reach the driver's statement, which the handle closed
 * on its way back to the pool, so the driver reports it closed.
 */
abstract class AbstractStatementHandle<S extends Statement> implements Statement {

  final S delegate;
  final ConnectionHandle connection;
  /** The SQL given at prepare time, passed to the execute hook; {@code null} for plain statements. */
  final String preparedSql;

  /** Set once by {@link #close()} or by the connection handle closing it; never cleared. */
  private boolean closed;
  /** The application asked for {@link #closeOnCompletion()}: the driver may close the statement by itself. */
  private boolean closeOnCompletionRequested;
  /** The last driver result set handed out, and its handle, so getResultSet() answers the same object twice. */
  private ResultSet lastRawResultSet;
  private ResultSetHandle lastResultSetHandle;

  AbstractStatementHandle(S delegate, ConnectionHandle connection, String preparedSql) {
    this.delegate = delegate;
    this.connection = connection;
    this.preparedSql = preparedSql;
  }

  /* --- Support for subclasses and the connection handle --- */

  /** The handle for a result set this statement produced; the same handle for the same driver object. */
  final ResultSet wrapResultSet(ResultSet raw) {
    if (raw == null) {
      return null;
    }
    if (raw != lastRawResultSet) {
      lastResultSetHandle = new ResultSetHandle(raw, this, connection);
      lastRawResultSet = raw;
    }
    return lastResultSetHandle;
  }

  /**
   * Called by the connection handle when it is closed with this statement still open. Does not call back
   * into the connection handle (it clears its list itself); the caller decides what a failure means.
   */
  final void closeLeftOver() throws SQLException {
    if (!closed) {
      closed = true;
      dropResultSet();
      delegate.close();
    }
  }

  /**
   * Called by a {@link ResultSetHandle} on close. With closeOnCompletion the driver closes the statement
   * when its last result set is closed, without telling us; forget it then, or a loop that relies on
   * closeOnCompletion would grow the connection handle's list for the whole borrow.
   */
  final void resultSetClosed() {
    if (closeOnCompletionRequested && !closed) {
      try {
        if (delegate.isClosed()) {
          closed = true;
          dropResultSet();
          connection.forgetStatement(this);
        }
      } catch (SQLException e) {
        // Only a question about state; the next real call reports the problem.
        connection.checkBroken(e);
      }
    }
  }

  private void dropResultSet() {
    lastRawResultSet = null;
    lastResultSetHandle = null;
  }

  /** What kind of statement this is, for {@link #toString()}. */
  abstract String kind();

  /* --- What differs from plain delegation --- */

  @Override
  public final Connection getConnection() throws SQLException {
    // Also after close, as pgjdbc does: code that closes a statement and then its connection
    // (statement.getConnection().close()) must keep working; the handle refuses use after its own close.
    return connection;
  }

  @Override
  public final void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    dropResultSet();
    connection.forgetStatement(this);
    try {
      delegate.close();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void closeOnCompletion() throws SQLException {
    try {
      delegate.closeOnCompletion();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
    closeOnCompletionRequested = true;
  }

  @Override
  public final ResultSet getResultSet() throws SQLException {
    try {
      return wrapResultSet(delegate.getResultSet());
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final ResultSet getGeneratedKeys() throws SQLException {
    try {
      return wrapResultSet(delegate.getGeneratedKeys());
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final <T> T unwrap(Class<T> iface) throws SQLException {
    try {
      return HandleUnwrapping.unwrap(this, delegate, iface, connection);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final boolean isWrapperFor(Class<?> iface) throws SQLException {
    try {
      return HandleUnwrapping.isWrapperFor(this, delegate, iface);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  /**
   * Never the driver's text: PostgreSQL's prepared statement prints its SQL with the bound values, which
   * may be passwords or personal data.
   */
  @Override
  public final String toString() {
    return "Poolwise " + kind() + " on " + connection.describe() + (closed ? " (closed)" : "");
  }

  /* --- Plain delegation; execute methods through the connection handle's hook --- */

  @Override
  public final ResultSet executeQuery(String sql) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return wrapResultSet(delegate.executeQuery(sql));
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final int executeUpdate(String sql) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.executeUpdate(sql);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final int getMaxFieldSize() throws SQLException {
    try {
      return delegate.getMaxFieldSize();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setMaxFieldSize(int max) throws SQLException {
    try {
      delegate.setMaxFieldSize(max);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final int getMaxRows() throws SQLException {
    try {
      return delegate.getMaxRows();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setMaxRows(int max) throws SQLException {
    try {
      delegate.setMaxRows(max);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setEscapeProcessing(boolean enable) throws SQLException {
    try {
      delegate.setEscapeProcessing(enable);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final int getQueryTimeout() throws SQLException {
    try {
      return delegate.getQueryTimeout();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setQueryTimeout(int seconds) throws SQLException {
    try {
      delegate.setQueryTimeout(seconds);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void cancel() throws SQLException {
    try {
      delegate.cancel();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final SQLWarning getWarnings() throws SQLException {
    try {
      return delegate.getWarnings();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void clearWarnings() throws SQLException {
    try {
      delegate.clearWarnings();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setCursorName(String name) throws SQLException {
    try {
      delegate.setCursorName(name);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final boolean execute(String sql) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.execute(sql);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final int getUpdateCount() throws SQLException {
    try {
      return delegate.getUpdateCount();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final boolean getMoreResults() throws SQLException {
    try {
      return delegate.getMoreResults();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setFetchDirection(int direction) throws SQLException {
    try {
      delegate.setFetchDirection(direction);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final int getFetchDirection() throws SQLException {
    try {
      return delegate.getFetchDirection();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setFetchSize(int rows) throws SQLException {
    try {
      delegate.setFetchSize(rows);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final int getFetchSize() throws SQLException {
    try {
      return delegate.getFetchSize();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final int getResultSetConcurrency() throws SQLException {
    try {
      return delegate.getResultSetConcurrency();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final int getResultSetType() throws SQLException {
    try {
      return delegate.getResultSetType();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void addBatch(String sql) throws SQLException {
    connection.watchSql(sql);
    try {
      delegate.addBatch(sql);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void clearBatch() throws SQLException {
    try {
      delegate.clearBatch();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final int[] executeBatch() throws SQLException {
    connection.beforeExecute(preparedSql);
    try {
      return delegate.executeBatch();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final boolean getMoreResults(int current) throws SQLException {
    try {
      return delegate.getMoreResults(current);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.executeUpdate(sql, autoGeneratedKeys);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.executeUpdate(sql, columnIndexes);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final int executeUpdate(String sql, String[] columnNames) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.executeUpdate(sql, columnNames);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.execute(sql, autoGeneratedKeys);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final boolean execute(String sql, int[] columnIndexes) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.execute(sql, columnIndexes);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final boolean execute(String sql, String[] columnNames) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.execute(sql, columnNames);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final int getResultSetHoldability() throws SQLException {
    try {
      return delegate.getResultSetHoldability();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final boolean isClosed() throws SQLException {
    try {
      return delegate.isClosed();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setPoolable(boolean poolable) throws SQLException {
    try {
      delegate.setPoolable(poolable);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final boolean isPoolable() throws SQLException {
    try {
      return delegate.isPoolable();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final boolean isCloseOnCompletion() throws SQLException {
    try {
      return delegate.isCloseOnCompletion();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final long getLargeUpdateCount() throws SQLException {
    try {
      return delegate.getLargeUpdateCount();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setLargeMaxRows(long max) throws SQLException {
    try {
      delegate.setLargeMaxRows(max);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final long getLargeMaxRows() throws SQLException {
    try {
      return delegate.getLargeMaxRows();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final long[] executeLargeBatch() throws SQLException {
    connection.beforeExecute(preparedSql);
    try {
      return delegate.executeLargeBatch();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final long executeLargeUpdate(String sql) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.executeLargeUpdate(sql);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.executeLargeUpdate(sql, autoGeneratedKeys);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.executeLargeUpdate(sql, columnIndexes);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
    connection.beforeExecute(sql);
    try {
      return delegate.executeLargeUpdate(sql, columnNames);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final String enquoteLiteral(String val) throws SQLException {
    try {
      return delegate.enquoteLiteral(val);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final String enquoteIdentifier(String identifier, boolean alwaysQuote) throws SQLException {
    try {
      return delegate.enquoteIdentifier(identifier, alwaysQuote);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final boolean isSimpleIdentifier(String identifier) throws SQLException {
    try {
      return delegate.isSimpleIdentifier(identifier);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final String enquoteNCharLiteral(String val) throws SQLException {
    try {
      return delegate.enquoteNCharLiteral(val);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }
}
