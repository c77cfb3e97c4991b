package dev.poolwise;

import java.sql.Connection;
import java.sql.SQLException;

/** SKELETON — being written on main; helpers code against these signatures only. */
final class ConnectionPool implements ConnectionReleaser {

  private final PoolSettings settings;

  ConnectionPool(PoolSettings settings) throws SQLException {
    this.settings = settings;
  }

  PoolSettings settings() {
    return settings;
  }

  /** Borrow: returns a {@code ConnectionHandle} wrapping an entry. */
  Connection acquire() throws SQLException {
    throw new UnsupportedOperationException("skeleton");
  }

  /**
   * Called exactly once per borrow by {@code ConnectionHandle.close()}, after the handle has reset the
   * connection's state (or marked the entry for eviction because the reset failed).
   */
  @Override
  public void release(PoolEntry entry) {
    throw new UnsupportedOperationException("skeleton");
  }

  PoolSnapshot snapshot() {
    throw new UnsupportedOperationException("skeleton");
  }

  void softEvictAll() {}

  boolean isClosed() {
    return false;
  }

  void close() {}
}
