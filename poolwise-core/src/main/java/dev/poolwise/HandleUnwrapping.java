package dev.poolwise;

import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * The one rule for {@link Wrapper#unwrap} and {@link Wrapper#isWrapperFor} on every handle: the handle
 * itself when it is an instance of the requested interface (so {@code unwrap(Connection.class)} keeps the
 * application on the pool's handle), else the driver's object when it is one, else whatever the driver's
 * own {@code unwrap} finds (drivers' extension interfaces such as {@code org.postgresql.PGConnection}).
 *
 * <p>Handing out a driver object tells the connection handle ({@link ConnectionHandle#driverObjectHandedOut()}):
 * what the application does through it (SQL, COPY, large objects, session settings) bypasses the pool's
 * handles, so the return path treats the session as changed and bounds its reset in time.
 *
 * <p>Failure modes: what the driver object returns is outside the pool's control; closing an unwrapped
 * raw connection makes the pool evict it on the next failure or validation. That is the JDBC contract of
 * unwrap, and the reason the pool never hands out the raw object any other way.
 */
final class HandleUnwrapping {

  private HandleUnwrapping() {}

  static <T> T unwrap(Wrapper handle, Wrapper raw, Class<T> iface, ConnectionHandle connection) throws SQLException {
    if (iface.isInstance(handle)) {
      return iface.cast(handle);
    }
    connection.driverObjectHandedOut();
    if (iface.isInstance(raw)) {
      return iface.cast(raw);
    }
    return raw.unwrap(iface);
  }

  static boolean isWrapperFor(Wrapper handle, Wrapper raw, Class<?> iface) throws SQLException {
    return iface.isInstance(handle) || iface.isInstance(raw) || raw.isWrapperFor(iface);
  }
}
