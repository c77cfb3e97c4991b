package dev.poolwise;

/**
 * What the pool does when a thread that already holds one of its connections asks for another.
 * Holding one connection while waiting for a second is how a pool deadlocks itself: with N threads
 * doing it on a pool of N, every thread waits for a connection that only another waiting thread could
 * return. Whatever this setting says, a pool that is exhausted with every holder waiting for a second
 * connection fails those waiters at once with an explanation instead of letting them time out.
 */
public enum MultipleAcquisition {
  /** Allow it silently (code that knowingly uses two connections, with a pool sized for it). */
  ALLOW,
  /**
   * Allow it, and warn once per call site (with the site and its stack) when the nested borrow was a risk:
   * it left at most one connection free or still to be opened, which includes having to wait for it on a
   * saturated pool. A second connection taken from a pool with room to spare (Flyway's {@code migrate()})
   * is logged at DEBUG only. The default.
   */
  WARN,
  /** Refuse it with an {@code SQLException} explaining the risk; the first connection is unaffected. */
  FAIL
}
