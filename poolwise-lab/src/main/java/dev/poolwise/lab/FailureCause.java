package dev.poolwise.lab;

import dev.poolwise.PoolLockedException;
import dev.poolwise.PoolTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/** Why a request failed, as the lab's table reports it. */
enum FailureCause {
  /** No connection came from the pool within its acquire timeout (Poolwise's or HikariCP's). */
  POOL_TIMEOUT,
  /** PostgreSQL refused a new connection: SQLState {@code 53300}, "sorry, too many clients already". */
  TOO_MANY_CLIENTS,
  /**
   * Poolwise's pool-locking guard ({@link PoolLockedException}): every connection was held by a thread that
   * waited for a second one, so the waits were failed at once. A sizing or nesting problem, not a slow pool.
   */
  POOL_LOCKED,
  /** Anything else (a query error, a broken connection, the pool's own guard). */
  OTHER;

  /** PostgreSQL's "too_many_connections" condition. */
  static final String TOO_MANY_CONNECTIONS_SQLSTATE = "53300";

  /**
   * Classifies a failure. {@code 53300} anywhere in the cause chain (or in a {@link SQLException}'s next
   * exceptions) wins over the timeout, because a pool that timed out while the server refused every new
   * connection was short of server slots, not of pool slots. Otherwise Poolwise's {@link PoolTimeoutException}
   * and HikariCP's "Connection is not available, request timed out after …" (a plain
   * {@link SQLTransientConnectionException}) are pool timeouts. Poolwise's pool-locking guard, which fails
   * waiters at once when every holder waits for a second connection, is also a
   * {@code SQLTransientConnectionException} but not a timeout: it counts as {@link #POOL_LOCKED}.
   */
  static FailureCause classify(Throwable failure) {
    if (mentionsSqlState(failure, TOO_MANY_CONNECTIONS_SQLSTATE)) {
      return TOO_MANY_CLIENTS;
    }
    if (failure instanceof PoolLockedException) {
      return POOL_LOCKED;
    }
    if (failure instanceof PoolTimeoutException) {
      return POOL_TIMEOUT;
    }
    if (failure instanceof SQLTransientConnectionException && failure.getMessage() != null
        && failure.getMessage().contains("request timed out")) {
      return POOL_TIMEOUT;
    }
    return OTHER;
  }

  private static boolean mentionsSqlState(Throwable failure, String sqlState) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    return mentionsSqlState(failure, sqlState, seen);
  }

  private static boolean mentionsSqlState(Throwable failure, String sqlState, Set<Throwable> seen) {
    for (Throwable current = failure; current != null && seen.add(current); current = current.getCause()) {
      if (current instanceof SQLException sql) {
        if (sqlState.equals(sql.getSQLState())) {
          return true;
        }
        SQLException next = sql.getNextException();
        if (next != null && mentionsSqlState(next, sqlState, seen)) {
          return true;
        }
      }
      for (Throwable suppressed : current.getSuppressed()) {
        if (mentionsSqlState(suppressed, sqlState, seen)) {
          return true;
        }
      }
    }
    return false;
  }
}
