package dev.poolwise;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.util.Set;

/**
 * Decides whether an exception means the physical connection is dead and must not be reused.
 * One place for the rule, so that statements, validation and reset all agree.
 *
 * <p>The rule: SQLState class {@code 08} (connection exception), PostgreSQL's shutdown states
 * {@code 57P01} admin shutdown ({@code pg_terminate_backend}), {@code 57P02} crash shutdown,
 * {@code 57P03} cannot connect now, {@code 57P05} idle session timeout, {@code 01002} disconnect error,
 * {@code JZ0C0}/{@code JZ0C1} (jTDS/Sybase connection closed), and the JDBC exception types that
 * mean the same ({@link SQLRecoverableException}, {@link SQLNonTransientConnectionException}).
 * Causes and chained exceptions are inspected too, because drivers often wrap the telling one.
 */
final class BrokenConnections {

  private static final Set<String> BROKEN_STATES = Set.of("57P01", "57P02", "57P03", "57P05", "01002", "JZ0C0", "JZ0C1");

  /** Deep enough for real driver chains; bounded so a cyclic chain cannot loop forever. */
  private static final int MAX_CHAIN = 16;

  private BrokenConnections() {}

  static boolean isBroken(SQLException exception) {
    Throwable current = exception;
    for (int depth = 0; current != null && depth < MAX_CHAIN; depth++) {
      if (current instanceof SQLRecoverableException || current instanceof SQLNonTransientConnectionException) {
        return true;
      }
      if (current instanceof SQLException sql) {
        if (isBrokenState(sql.getSQLState())) {
          return true;
        }
        SQLException next = sql.getNextException();
        if (next != null && next != sql && next.getCause() != sql && isBrokenState(next.getSQLState())) {
          return true;
        }
      }
      Throwable cause = current.getCause();
      current = cause == current ? null : cause;
    }
    return false;
  }

  static boolean isBrokenState(String sqlState) {
    return sqlState != null && (sqlState.startsWith("08") || BROKEN_STATES.contains(sqlState));
  }
}
