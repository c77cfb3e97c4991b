package dev.poolwise;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.util.Set;
import java.util.function.Predicate;

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
 *
 * <p>A subset says more than "this connection is dead": {@link #serverWideState} picks the states after
 * which the pool distrusts the dead connection's siblings too ({@link SiblingSuspicion}).
 */
final class BrokenConnections {

  private static final Set<String> BROKEN_STATES = Set.of("57P01", "57P02", "57P03", "57P05", "01002", "JZ0C0", "JZ0C1");
  /** Broken states (besides class 08) that usually mean every connection to that server is gone. */
  private static final Set<String> SERVER_WIDE_STATES = Set.of("57P01", "57P02", "57P03");

  /** Deep enough for real driver chains; bounded so a cyclic chain cannot loop forever. */
  private static final int MAX_CHAIN = 16;

  private BrokenConnections() {}

  static boolean isBroken(SQLException exception) {
    return brokenState(exception) != null;
  }

  /**
   * What says the connection is dead: the first broken-connection SQLState in the chain, or the
   * exception type's simple name when only the type says so; {@code null} when the connection may live.
   */
  static @Nullable String brokenState(SQLException exception) {
    return find(exception, true, BrokenConnections::isBrokenState);
  }

  /**
   * The SQLState that says the server dropped this connection in a way that usually drops its siblings
   * too, or {@code null}: {@code 57P01} (admin shutdown: a restart, or {@code pg_terminate_backend}),
   * {@code 57P02} (crash shutdown), {@code 57P03} (cannot connect now), class {@code 08} (connection
   * exception: a failover, a network cut). Per-session causes such as {@code 57P05} (idle session timeout)
   * say nothing about the other connections.
   */
  static @Nullable String serverWideState(SQLException exception) {
    return find(exception, false, BrokenConnections::isServerWideState);
  }

  static boolean isServerWideState(@Nullable String sqlState) {
    return sqlState != null && (sqlState.startsWith("08") || SERVER_WIDE_STATES.contains(sqlState));
  }

  /** Walks the cause and next-exception chain for a matching SQLState (and, if asked, a broken-connection type). */
  private static @Nullable String find(SQLException exception, boolean matchTypes, Predicate<String> matchesState) {
    Throwable current = exception;
    for (int depth = 0; current != null && depth < MAX_CHAIN; depth++) {
      if (matchTypes && (current instanceof SQLRecoverableException || current instanceof SQLNonTransientConnectionException)) {
        return current instanceof SQLException sql && matchesState.test(sql.getSQLState())
            ? sql.getSQLState() : current.getClass().getSimpleName();
      }
      if (current instanceof SQLException sql) {
        if (matchesState.test(sql.getSQLState())) {
          return sql.getSQLState();
        }
        SQLException next = sql.getNextException();
        if (next != null && next != sql && next.getCause() != sql && matchesState.test(next.getSQLState())) {
          return next.getSQLState();
        }
      }
      Throwable cause = current.getCause();
      current = cause == current ? null : cause;
    }
    return null;
  }

  static boolean isBrokenState(@Nullable String sqlState) {
    return sqlState != null && (sqlState.startsWith("08") || BROKEN_STATES.contains(sqlState));
  }
}
