package dev.poolwise;

import java.sql.SQLTransientConnectionException;

/**
 * The pool locked itself (pool-locking deadlock): every borrowed connection is held by a thread that is
 * waiting for another connection from the same pool, and the pool is at {@code maxSize}, so none will
 * ever be returned. The pool fails those waits at once instead of letting them sit out
 * {@code acquireTimeout}; the message names the threads involved, the connections each wanted and the
 * smallest pool this workload cannot lock ({@link #lockingFloor()}).
 *
 * <p>How it relates to {@link PoolTimeoutException}: both are {@link SQLTransientConnectionException}s
 * with SQLState {@code 08001} and both mean "no connection for you", but they are siblings, not one a
 * kind of the other. A timeout says the pool was busy for the whole wait (too small, or holders too
 * slow); this says the wait could never end, whatever the timeout, because the waiters are the holders.
 * Catch {@code SQLTransientConnectionException} to handle both alike. Retrying this one as it is cannot
 * help: the same nesting locks the pool again. Fix the code so that it does not hold a connection while it
 * asks for a second one, or size the pool at or above {@link #lockingFloor()}.
 */
public class PoolLockedException extends SQLTransientConnectionException {

  private static final long serialVersionUID = 1L;

  private final int lockingFloor;

  PoolLockedException(String message, int lockingFloor) {
    super(message, "08001");
    this.lockingFloor = lockingFloor;
  }

  /** A waiting thread's own copy of a shared failure: same message and floor, the thread's stack, the original as cause. */
  PoolLockedException(PoolLockedException shared) {
    super(shared.getMessage(), shared.getSQLState(), shared.getErrorCode(), shared);
    this.lockingFloor = shared.lockingFloor;
  }

  /**
   * The smallest pool the observed workload cannot lock: threads × (connections per thread − 1) + 1, with
   * the threads and the most connections one of them wanted as seen when the lock was detected.
   */
  public int lockingFloor() {
    return lockingFloor;
  }
}
