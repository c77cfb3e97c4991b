package dev.poolwise;

import java.sql.Connection;
import java.time.Duration;
import java.util.Objects;

/**
 * When {@link PoolwiseDataSource#inTransaction} re-runs a transaction. It retries only what is safe to
 * retry as a whole: a serialization failure ({@code 40001}), a deadlock ({@code 40P01}), and a connection
 * lost <em>before</em> the commit was sent. A connection lost while the commit was in flight leaves the
 * outcome unknown; that is never retried (see {@link CommitOutcomeUnknownException}).
 *
 * <p>A pool timeout ({@link PoolTimeoutException}) is not retried unless {@link #retryingPoolTimeouts} says
 * so, and the default does not: a pool timeout means every connection is busy and others are already
 * queued; retrying adds one more waiter exactly when the queue is the problem, and the load that saturated
 * the pool multiplies (the seed's {@code executeWithRetry} turned 2 s waits into 6 s stalls that way).
 *
 * <p>Immutable; the {@code with…} methods return modified copies.
 */
public final class RetryPolicy {

  private static final RetryPolicy DEFAULTS = new RetryPolicy(5, Duration.ofMillis(20), Duration.ofSeconds(1),
      Duration.ofSeconds(30), null, false);

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration deadline;
  private final @Nullable Integer isolation;
  private final boolean retryPoolTimeouts;

  private RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration deadline,
      @Nullable Integer isolation, boolean retryPoolTimeouts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoff must satisfy 0 <= initial (" + initialBackoff + ") <= max ("
          + maxBackoff + ")");
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, was " + deadline);
    }
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.deadline = deadline;
    this.isolation = isolation;
    this.retryPoolTimeouts = retryPoolTimeouts;
  }

  /** Up to 5 attempts, backoff 20 ms doubling to 1 s with jitter, all within 30 s; the connection's isolation. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** One attempt: the transaction boundaries of {@code inTransaction} without any retry. */
  public static RetryPolicy noRetries() {
    return DEFAULTS.withMaxAttempts(1);
  }

  /** At most this many runs of the work in total. */
  public RetryPolicy withMaxAttempts(int maxAttempts) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, deadline, isolation, retryPoolTimeouts);
  }

  /** Wait {@code initial} before the second attempt, doubling up to {@code max}; each wait is jittered ±50 %. */
  public RetryPolicy withBackoff(Duration initial, Duration max) {
    return new RetryPolicy(maxAttempts, Objects.requireNonNull(initial, "initial"), Objects.requireNonNull(max, "max"),
        deadline, isolation, retryPoolTimeouts);
  }

  /** No attempt starts after this much time has passed since the first one started. */
  public RetryPolicy withDeadline(Duration deadline) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, Objects.requireNonNull(deadline, "deadline"),
        isolation, retryPoolTimeouts);
  }

  /** Run the transaction at this {@code Connection.TRANSACTION_*} level (restored when the connection returns). */
  public RetryPolicy withIsolation(int isolation) {
    if (isolation != Connection.TRANSACTION_READ_UNCOMMITTED && isolation != Connection.TRANSACTION_READ_COMMITTED
        && isolation != Connection.TRANSACTION_REPEATABLE_READ && isolation != Connection.TRANSACTION_SERIALIZABLE) {
      throw new IllegalArgumentException("isolation must be a Connection.TRANSACTION_* level (1, 2, 4 or 8), was "
          + isolation);
    }
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, deadline, isolation, retryPoolTimeouts);
  }

  /**
   * Also retry when no connection could be had in time. Think twice: see the class comment. Only for
   * background work whose pool is not shared with interactive requests.
   */
  public RetryPolicy retryingPoolTimeouts(boolean retry) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, deadline, isolation, retry);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public Duration deadline() {
    return deadline;
  }

  /** The isolation level to use, or {@code null} for the connection's own. */
  public @Nullable Integer isolation() {
    return isolation;
  }

  public boolean retriesPoolTimeouts() {
    return retryPoolTimeouts;
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff
        + ", deadline=" + deadline + (isolation == null ? "" : ", isolation=" + isolation)
        + (retryPoolTimeouts ? ", retrying pool timeouts" : "") + "]";
  }
}
