package dev.poolwise;

import java.sql.Statement;

/**
 * The {@link Statement} the application gets from {@code createStatement}. All behaviour is in
 * {@link AbstractStatementHandle}; the SQL passed to the execute hook is the SQL of each call.
 */
final class StatementHandle extends AbstractStatementHandle<Statement> {

  StatementHandle(Statement delegate, ConnectionHandle connection) {
    super(delegate, connection, null);
  }

  @Override
  String kind() {
    return "Statement";
  }
}
