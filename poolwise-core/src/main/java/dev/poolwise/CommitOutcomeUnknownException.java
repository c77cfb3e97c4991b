package dev.poolwise;

import java.sql.SQLException;

/**
 * The connection broke while the commit was in flight: the database may or may not have committed.
 * {@link PoolwiseDataSource#inTransaction} never re-runs the work in this case, because running it again
 * could apply it twice. Check the data (or make the work idempotent, e.g. with a unique request id) before
 * deciding what to do. SQLState {@code 08007} (transaction resolution unknown); the cause is the driver's error.
 */
public final class CommitOutcomeUnknownException extends SQLException {

  private static final long serialVersionUID = 1L;

  CommitOutcomeUnknownException(String message, SQLException cause) {
    super(message, "08007", cause);
  }
}
