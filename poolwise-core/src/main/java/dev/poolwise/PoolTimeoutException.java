package dev.poolwise;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;

/**
 * No connection could be had within the acquire timeout. The message states the pool, how long the
 * caller waited and the pool's counts at that moment; {@link #getCause()} is the last failure to open a
 * physical connection when there was a recent one (wrong password, {@code 53300 too many clients},
 * host unreachable).
 *
 * <p>Do not retry this exception in a loop: a pool timeout means the pool is saturated, and retrying
 * adds load exactly where there is too much. SQLState {@code 08001}.
 */
public class PoolTimeoutException extends SQLTransientConnectionException {

  private static final long serialVersionUID = 1L;

  private final transient PoolSnapshot snapshot;
  private final Duration waited;

  PoolTimeoutException(String message, PoolSnapshot snapshot, Duration waited, Throwable creationFailure) {
    super(message, "08001", creationFailure);
    this.snapshot = snapshot;
    this.waited = waited;
  }

  /** The pool as it was when the wait ended. */
  public PoolSnapshot snapshot() {
    return snapshot;
  }

  /** How long the caller waited. */
  public Duration waited() {
    return waited;
  }
}
