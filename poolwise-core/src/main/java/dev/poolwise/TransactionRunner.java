package dev.poolwise;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The loop behind {@link PoolwiseDataSource#inTransaction}: borrow, run the work with autocommit off,
 * commit, and on a failure decide whether running the whole transaction again is safe.
 *
 * <p>The decision, for a failure during the work or while setting up: serialization failure
 * ({@code 40001}) and deadlock ({@code 40P01}) are retried (the server rolled the transaction back and
 * asks for exactly this); a broken connection is retried (nothing was committed: the commit was never
 * sent); anything else is thrown at once. For a failure of the commit itself: {@code 40001}/{@code 40P01}
 * are retried (PostgreSQL reports serialization failures of SERIALIZABLE transactions at commit, having
 * rolled back); a broken connection becomes {@link CommitOutcomeUnknownException} and is never retried;
 * anything else (e.g. a deferred constraint) is thrown. Earlier attempts' failures are attached to the
 * thrown one as suppressed exceptions.
 *
 * <p>Concurrency: runs entirely on the calling thread; backoff sleeps are interruptible and end the loop
 * with an {@code SQLException} that keeps the interrupt flag.
 */
final class TransactionRunner {

  private TransactionRunner() {}

  static <T> T run(PoolwiseDataSource pool, TransactionWork<T> work, RetryPolicy policy) throws SQLException {
    long start = System.nanoTime();
    long deadline = start + policy.deadline().toNanos();
    List<SQLException> earlier = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      SQLException failure;
      boolean commitSent = false;
      Connection connection;
      try {
        connection = pool.getConnection();
      } catch (PoolTimeoutException timeout) {
        if (!policy.retriesPoolTimeouts() || !mayTryAgain(policy, attempt, deadline)) {
          throw withEarlier(timeout, earlier);
        }
        earlier.add(timeout);
        backOff(policy, attempt);
        continue;
      }
      try {
        connection.setAutoCommit(false);
        if (policy.isolation() != null) {
          connection.setTransactionIsolation(policy.isolation());
        }
        T result = work.execute(connection);
        commitSent = true;
        connection.commit();
        return result;
      } catch (SQLException e) {
        failure = e;
        rollbackQuietly(connection, e);
      } catch (RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        throw e;
      } finally {
        connection.close();
      }
      if (commitSent && BrokenConnections.isBroken(failure) && !isRetryableByServer(failure)) {
        throw withEarlier(new CommitOutcomeUnknownException("The connection broke while committing (attempt "
            + attempt + " of inTransaction in pool '" + pool.poolName() + "'): the database may or may not have"
            + " committed, so the work is not run again. Check the data before retrying by hand.", failure), earlier);
      }
      boolean retryable = isRetryableByServer(failure) || (!commitSent && BrokenConnections.isBroken(failure));
      if (!retryable || !mayTryAgain(policy, attempt, deadline)) {
        throw withEarlier(failure, earlier);
      }
      earlier.add(failure);
      backOff(policy, attempt);
    }
  }

  /** Serialization failure or deadlock: the server rolled back and says "try again". */
  static boolean isRetryableByServer(SQLException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof SQLException sql) {
        String state = sql.getSQLState();
        if ("40001".equals(state) || "40P01".equals(state)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean mayTryAgain(RetryPolicy policy, int attempt, long deadline) {
    return attempt < policy.maxAttempts() && System.nanoTime() - deadline < 0;
  }

  private static void backOff(RetryPolicy policy, int attempt) throws SQLException {
    long jittered = Backoff.nanos(policy.initialBackoff(), policy.maxBackoff(), attempt, 0.5);
    try {
      TimeUnit.NANOSECONDS.sleep(jittered);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("Interrupted while waiting to retry a transaction; the interrupt flag is still set",
          "57014", e);
    }
  }

  private static void rollbackQuietly(Connection connection, Throwable failure) {
    try {
      connection.rollback();
    } catch (SQLException | RuntimeException rollbackFailure) {
      failure.addSuppressed(rollbackFailure);
    }
  }

  private static SQLException withEarlier(SQLException failure, List<SQLException> earlier) {
    for (SQLException previous : earlier) {
      if (previous != failure) {
        failure.addSuppressed(previous);
      }
    }
    return failure;
  }
}
