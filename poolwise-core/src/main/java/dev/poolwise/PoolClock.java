package dev.poolwise;

/**
 * The pool's time source: every deadline, lifetime, idle time, leak age and backoff of one pool is read
 * from its clock, so that tests can move time forward instead of sleeping (a test clock in the test
 * sources). Production uses {@link #SYSTEM}, which is {@link System#nanoTime()}.
 *
 * <p>Concurrency: implementations must be thread-safe; {@link #nanoTime()} is called on the lock-free
 * borrow path, from any thread, and must never block. Only the {@code nanoTime} scale matters (an origin
 * of its own, differences compared with {@code a - b < 0}), as with {@code System.nanoTime}.
 *
 * <p>Cost: an abstract class with one subclass in production, so HotSpot's class hierarchy analysis binds
 * {@code clock.nanoTime()} to {@code System.nanoTime()} and inlines it; what is left is one load of the
 * pool's final {@code clock} field, next to fields the borrow path reads anyway (docs/benchmarks.md,
 * "Injected clock", has the measurement). Where a test loads a second subclass the call site becomes
 * bimorphic, still inlined.
 *
 * <p>Failure modes: none of its own; what the pool schedules on its executors (the housekeeping tick, the
 * wait timer's sweep, a backoff retry) still runs on real time, with delays computed from this clock. A
 * test that moves the clock runs the due work itself (the housekeeping pass through the tests' {@code PoolInternals},
 * {@code ConnectionPool.sweepExpiredWaiters}).
 */
abstract class PoolClock {

  /** {@link System#nanoTime()}. */
  static final PoolClock SYSTEM = new SystemClock();

  /** The current time in nanoseconds, on an arbitrary origin, like {@link System#nanoTime()}. */
  abstract long nanoTime();

  private static final class SystemClock extends PoolClock {
    @Override
    long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public String toString() {
      return "System.nanoTime";
    }
  }
}
