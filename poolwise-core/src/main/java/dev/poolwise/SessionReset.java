package dev.poolwise;

/**
 * When the pool resets a PostgreSQL session on return, beyond the JDBC-level reset every connection gets
 * (rollback of an open transaction, autoCommit, isolation, read-only, catalog, schema, network timeout,
 * holdability, type map and client info restored when they were changed).
 *
 * <p>The session reset runs {@code DISCARD ALL} (temporary tables, {@code SET} variables, {@code LISTEN}
 * registrations, advisory locks, prepared statements and cursors of the session all go) and then applies the
 * pool's own session configuration again ({@code schema}, {@code transactionIsolation}, {@code readOnly},
 * {@code connectionInitSql}), so the next borrower gets a session as a new connection would have it. It
 * costs one round trip plus re-preparing the driver's server-side prepared statements on their next use;
 * see docs/configuration.md for the measured cost. Drivers for other databases keep the JDBC-level reset
 * whatever this says.
 */
public enum SessionReset {
  /**
   * Reset the session only when this borrow may have changed it (the default): a statement whose SQL
   * changes session state ({@code SET}, {@code RESET}, {@code set_config}, {@code BEGIN}, {@code LISTEN},
   * {@code CREATE TEMP …}, {@code PREPARE}, {@code DECLARE}, advisory locks, …) went through the pool's
   * handles, or the application unwrapped a driver object, whose use the pool cannot see. A borrow that only
   * ran ordinary queries pays nothing.
   */
  AUTO,
  /** Reset the session on every return: for code that changes session state in ways the pool cannot see. */
  ALWAYS,
  /**
   * Never reset the session; only the JDBC-level reset runs. Transactions are still rolled back on return:
   * that is not session state but the previous borrower's uncommitted work.
   */
  OFF
}
