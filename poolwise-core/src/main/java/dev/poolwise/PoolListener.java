package dev.poolwise;

/**
 * Per-event callbacks, for metrics libraries that want to record every borrow rather than read the pool's
 * windowed statistics (see {@link PoolwiseDataSource#addListener}). Every method has an empty default, so an
 * implementation overrides only what it needs.
 *
 * <p>Callbacks run synchronously on the thread where the event happened — a borrowing thread, a returning
 * thread or one of the pool's own threads — and never under the pool's lock. Keep them cheap and
 * non-blocking (recording into a histogram is fine; I/O is not). An exception thrown by a listener is
 * caught and logged at DEBUG; it never reaches the application or disturbs the pool.
 */
public interface PoolListener {

  /** A connection was handed out after {@code waitNanos} inside {@code getConnection()}. */
  default void acquired(long waitNanos) {}

  /** A borrowed connection came back after {@code holdNanos}. */
  default void released(long holdNanos) {}

  /** A borrower gave up after {@code waitNanos} ({@link PoolTimeoutException}). */
  default void timedOut(long waitNanos) {}

  /** A physical connection was opened in {@code connectNanos}. */
  default void created(long connectNanos) {}
}
