package dev.poolwise;

import java.sql.PreparedStatement;

/**
 * The {@link PreparedStatement} the application gets from {@code prepareStatement}. All behaviour is in
 * {@link AbstractStatementHandle} and the generated {@link PreparedStatementDelegation}; the SQL passed to
 * the execute hook is the SQL given at prepare time.
 */
final class PreparedStatementHandle extends PreparedStatementDelegation<PreparedStatement> {

  PreparedStatementHandle(PreparedStatement delegate, ConnectionHandle connection, String sql) {
    super(delegate, connection, sql);
  }

  @Override
  String kind() {
    return "PreparedStatement";
  }
}
