package dev.poolwise;

import java.sql.PreparedStatement;

/**
 * The {@link PreparedStatement} the application gets from {@code prepareStatement}. All behaviour is in
 * {@link AbstractPreparedStatementHandle} and {@link AbstractStatementHandle}; the SQL passed to the
 * execute hook is the SQL given at prepare time.
 */
final class PreparedStatementHandle extends AbstractPreparedStatementHandle<PreparedStatement> {

  PreparedStatementHandle(PreparedStatement delegate, ConnectionHandle connection, String sql) {
    super(delegate, connection, sql);
  }

  @Override
  String kind() {
    return "PreparedStatement";
  }
}
