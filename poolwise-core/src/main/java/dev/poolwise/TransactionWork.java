package dev.poolwise;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A unit of work for {@link PoolwiseDataSource#inTransaction}: everything it does on {@code connection}
 * commits together or not at all. It may run more than once when the transaction is retried, so it must
 * not have side effects outside the database (send the e-mail after {@code inTransaction} returns).
 *
 * @param <T> what the work returns
 */
@FunctionalInterface
public interface TransactionWork<T> {

  /** Does the work on a connection with autocommit off; do not commit, roll back or close it. */
  T execute(Connection connection) throws SQLException;
}
