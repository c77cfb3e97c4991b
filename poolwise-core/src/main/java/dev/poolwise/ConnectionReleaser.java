package dev.poolwise;

/**
 * What a connection handle calls when the application closes it. Implemented by {@link ConnectionPool};
 * an interface so the JDBC wrappers can be tested without a pool.
 */
interface ConnectionReleaser {

  /**
   * Take back {@code entry}. Called exactly once per borrow, after the handle has restored the
   * connection's state, or marked the entry for eviction because it could not.
   */
  void release(PoolEntry entry);

  /** Warns about session state set behind PgBouncer in transaction mode, or {@code null} when not behind it. */
  default @Nullable TransactionPoolingGuard transactionPooling() {
    return null;
  }
}
