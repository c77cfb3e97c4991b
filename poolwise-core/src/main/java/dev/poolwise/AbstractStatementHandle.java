package dev.poolwise;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The {@link Statement} part shared by {@link StatementHandle}, {@link PreparedStatementHandle} and
 * {@link CallableStatementHandle}, written once. The plain delegation is generated into
 * {@link StatementDelegation} (and, for the wider interfaces, {@link PreparedStatementDelegation} and
 * {@link CallableStatementDelegation}, which extend this class); the generated code reaches the driver's
 * object through {@code delegate}, typed by {@code S}.
 *
 * <p>What it adds to plain delegation (the first two by the generator's rules, the rest here):
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
abstract class AbstractStatementHandle<S extends Statement> extends StatementDelegation<S> {

  /** Set once by {@link #close()} or by the connection handle closing it; never cleared. */
  private boolean closed;
  /** The application asked for {@link #closeOnCompletion()}: the driver may close the statement by itself. */
  private boolean closeOnCompletionRequested;
  /** The last driver result set handed out, and its handle, so getResultSet() answers the same object twice. */
  private @Nullable ResultSet lastRawResultSet;
  private @Nullable ResultSetHandle lastResultSetHandle;

  AbstractStatementHandle(S delegate, ConnectionHandle connection, @Nullable String preparedSql) {
    super(delegate, connection, preparedSql);
  }

  /* --- Support for subclasses and the connection handle --- */

  /** The handle for a result set this statement produced; the same handle for the same driver object. */
  @Override
  final @Nullable ResultSet wrapResultSet(@Nullable ResultSet raw) {
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

  /**
   * Never the driver's text: PostgreSQL's prepared statement prints its SQL with the bound values, which
   * may be passwords or personal data.
   */
  @Override
  public final String toString() {
    return "Poolwise " + kind() + " on " + connection.describe() + (closed ? " (closed)" : "");
  }

  /** Batched SQL is watched (for session-changing statements) when it is added; it runs in executeBatch. */
  @Override
  public final void addBatch(String sql) throws SQLException {
    connection.watchSql(sql);
    try {
      delegate.addBatch(sql);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }
}
