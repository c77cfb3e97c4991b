package dev.poolwise;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;

/**
 * No connection could be had within the acquire timeout. The message states the pool, how long the
 * caller waited and the pool's counts at that moment; {@link #getCause()} is the last failure to open a
 * physical connection when there was a recent one (wrong password, {@code 53300 too many clients},
 * host unreachable). The message continues with a one-sentence verdict on the likely cause and a
 * compact table of who holds the connections ({@link #diagnosis()}).
 *
 * <p>Do not retry this exception in a loop: a pool timeout means the pool is saturated, and retrying
 * adds load exactly where there is too much. SQLState {@code 08001}.
 */
public class PoolTimeoutException extends SQLTransientConnectionException {

  private static final long serialVersionUID = 1L;

  private final transient Diagnosis diagnosis;
  private final Duration waited;

  PoolTimeoutException(String message, Diagnosis diagnosis, Duration waited, @Nullable Throwable creationFailure) {
    super(message, "08001", creationFailure);
    this.diagnosis = diagnosis;
    this.waited = waited;
  }

  /**
   * The pool as it was when the wait ended, with its holders. Timeouts less than a tenth of a second apart share
   * one snapshot (and one {@link #diagnosis()}): under a storm of timeouts each would otherwise be built under the
   * pool's lock; the waited time in the message is always this caller's own.
   */
  public PoolSnapshot snapshot() {
    return diagnosis.snapshot();
  }

  /** The verdict on why no connection was available, with the holder table. */
  public Diagnosis diagnosis() {
    return diagnosis;
  }

  /** How long the caller waited. */
  public Duration waited() {
    return waited;
  }
}
