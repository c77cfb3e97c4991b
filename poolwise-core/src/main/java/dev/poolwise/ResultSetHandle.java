package dev.poolwise;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The {@link ResultSet} the application sees. Plain delegation to the driver's result set (generated into
 * {@link ResultSetDelegation}), except what this class declares: {@link #getStatement()} answers the pool's
 * statement handle (never the driver's statement, from which the raw connection could be reached and closed
 * behind the pool's back), {@link #close()} tells the statement (for closeOnCompletion), and the three row
 * changes tell the connection handle that rows changed. Every {@link SQLException} passes through
 * {@link ConnectionHandle#checkBroken} so that a dead connection is evicted instead of being handed to the
 * next borrower.
 *
 * <p>Concurrency: none of its own; a result set is used by the thread that uses its connection (see
 * {@link ConnectionHandle}). Failure modes: use after the connection handle was closed reaches the
 * driver's result set, which the driver closed together with its statement; the driver's exception
 * is passed on (and, because the handle is closed, not held against the pooled connection).
 */
final class ResultSetHandle extends ResultSetDelegation {

  /** The statement handle that produced this result set; {@code null} for DatabaseMetaData results. */
  private final @Nullable AbstractStatementHandle<?> statement;
  /** The wrapped driver statement of a metadata result set, made on first {@link #getStatement()}. */
  private @Nullable Statement metadataStatement;

  ResultSetHandle(ResultSet delegate, @Nullable AbstractStatementHandle<?> statement, ConnectionHandle connection) {
    super(delegate, connection);
    this.statement = statement;
  }

  /* --- What differs from plain delegation --- */

  /**
   * The statement handle. For a {@link java.sql.DatabaseMetaData} result set, the driver's own statement
   * behind it, wrapped (and closed on return like the application's statements), or {@code null} when the
   * driver has none: the same answer the driver gives, never its object.
   */
  @Override
  public @Nullable Statement getStatement() throws SQLException {
    if (statement != null) {
      return statement;
    }
    if (metadataStatement == null) {
      Statement raw;
      try {
        raw = delegate.getStatement();
      } catch (SQLException e) {
        throw connection.checkBroken(e);
      }
      // The driver's statement behind a DatabaseMetaData result set: a handle, tracked like the application's own.
      metadataStatement = raw == null ? null : connection.statementHandle(raw);
    }
    return metadataStatement;
  }

  @Override
  public void close() throws SQLException {
    try {
      delegate.close();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
    if (statement != null) {
      statement.resultSetClosed();
    }
  }

  /** Never the driver's text: some drivers print values or the SQL, which may hold secrets. */
  @Override
  public String toString() {
    return "Poolwise result set on " + connection.describe();
  }

  /* --- Rows changed through the result set: the session is no longer clean --- */

  @Override
  public void insertRow() throws SQLException {
    connection.rowsChangedThroughResultSet();
    try {
      delegate.insertRow();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public void updateRow() throws SQLException {
    connection.rowsChangedThroughResultSet();
    try {
      delegate.updateRow();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public void deleteRow() throws SQLException {
    connection.rowsChangedThroughResultSet();
    try {
      delegate.deleteRow();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }
}
