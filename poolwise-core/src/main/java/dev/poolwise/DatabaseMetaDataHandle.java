package dev.poolwise;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The {@link DatabaseMetaData} the application sees. Plain delegation (generated into
 * {@link DatabaseMetaDataDelegation}), except that {@link #getConnection()} answers the pool's connection
 * handle, and every result set is wrapped in a {@link ResultSetHandle} (whose {@code getStatement()} wraps
 * the driver's internal statement, if any), so neither path leads to the raw connection.
 *
 * <p>Methods that return a result set make the driver run queries of its own, so they pass through the
 * connection handle's execute hook like any statement does (the generator's rule for metadata): with
 * autoCommit off they may open a transaction (PostgreSQL's driver sends {@code BEGIN} first), which the
 * handle then rolls back on close.
 *
 * <p>Concurrency: none of its own; used by the thread that uses its connection (see
 * {@link ConnectionHandle}). Failure modes: every {@link SQLException} passes through
 * {@link ConnectionHandle#checkBroken}; after the connection handle is closed, the result-set methods
 * fail with SQLState 08003 from the execute hook, the others reach the driver, whose answers about a
 * returned connection are harmless.
 */
final class DatabaseMetaDataHandle extends DatabaseMetaDataDelegation {

  DatabaseMetaDataHandle(DatabaseMetaData delegate, ConnectionHandle connection) {
    super(delegate, connection);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return connection;
  }

  @Override
  @Nullable ResultSet wrapResultSet(@Nullable ResultSet raw) {
    return raw == null ? null : new ResultSetHandle(raw, null, connection);
  }

  /** Never the driver's text, which for some drivers includes the URL and with it credentials. */
  @Override
  public String toString() {
    return "Poolwise database metadata of " + connection.describe();
  }
}
