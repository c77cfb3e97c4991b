package dev.poolwise.testkit;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;

/** The stub's stock exceptions, in one place so every class words them the same way. */
final class StubErrors {

  static final String CONNECTION_CLOSED_STATE = "08003";
  static final String CONNECTION_KILLED_STATE = "08006";

  private StubErrors() {}

  static SQLException connectionClosed() {
    return new SQLException("connection is closed", CONNECTION_CLOSED_STATE);
  }

  static SQLException connectionKilled() {
    return new SQLException("connection terminated (stub kill)", CONNECTION_KILLED_STATE);
  }

  static SQLException statementClosed() {
    return new SQLException("statement is closed", "55000");
  }

  static SQLException resultSetClosed() {
    return new SQLException("result set is closed", "55000");
  }

  static SQLFeatureNotSupportedException notSupported(String what) {
    return new SQLFeatureNotSupportedException("the stub JDBC driver does not support " + what
        + "; it models sessions, not data. Use a real database (see PostgresServer) for this.");
  }

  static <T> T unwrap(Object wrapper, Class<T> iface) throws SQLException {
    if (iface != null && iface.isInstance(wrapper)) {
      return iface.cast(wrapper);
    }
    throw new SQLException(wrapper.getClass().getSimpleName() + " does not implement or wrap "
        + (iface == null ? "null" : iface.getName()), "0A000");
  }

  static boolean isWrapperFor(Object wrapper, Class<?> iface) {
    return iface != null && iface.isInstance(wrapper);
  }
}
