package dev.poolwise.lab;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * What the bench's two minimal reference pools share ({@link NaiveLifoPool}, {@link FairSemaphorePool}): a fixed set
 * of connections opened up front, lent out behind a proxy whose {@code close()} gives the raw connection back once.
 * Measuring instruments, not products: nothing is validated, reset or replaced. Subclasses decide only who gets the
 * next connection ({@link #take()}) and what a return does ({@link #giveBack}).
 *
 * <p>Concurrency: this class keeps no mutable state besides each lent connection's volatile {@code given} flag (set
 * once by its holder's close()); the subclass guards its idle set. Failure modes: close() of the pool closes every
 * raw connection, lent or idle; a client still holding one then fails on its next call. The Connection wrapper is a
 * java.lang.reflect.Proxy: a reflective call per JDBC method, well below a round trip to the server, and the same
 * for both reference pools.
 */
abstract class ReferencePool implements DataSource, AutoCloseable {

  /** Every raw connection, lent or idle. */
  final List<Connection> all;
  private PrintWriter logWriter;
  private int loginTimeoutSeconds;

  ReferencePool(List<Connection> connections) {
    this.all = List.copyOf(connections);
  }

  /** Opens {@code size} connections up front, as the bench opens the limit's dedicated ones. */
  static List<Connection> openConnections(LabDatabase database, int size) throws SQLException {
    List<Connection> connections = new ArrayList<>(size);
    try {
      for (int i = 0; i < size; i++) {
        connections.add(database.openAppConnection(LabDatabase.APPLICATION_NAME));
      }
    } catch (SQLException e) {
      throw closeAll(connections, e);
    }
    return connections;
  }

  /** How messages name this pool ({@code naive LIFO pool}). */
  abstract String description();

  /** Waits for an idle raw connection and takes it. */
  abstract Connection take() throws SQLException;

  /** Makes a raw connection idle again (called once per lent connection). */
  abstract void giveBack(Connection raw);

  @Override
  public final Connection getConnection() throws SQLException {
    Connection raw = take();
    return (Connection) Proxy.newProxyInstance(ReferencePool.class.getClassLoader(),
        new Class<?>[] {Connection.class}, new LentConnection(raw));
  }

  /** Closes every raw connection, lent or idle. */
  @Override
  public void close() throws SQLException {
    SQLException first = closeAll(all, null);
    if (first != null) {
      throw first;
    }
  }

  /** Closes each connection; returns {@code failure} (or the first close failure) with later ones suppressed. */
  private static SQLException closeAll(List<Connection> connections, SQLException failure) {
    for (Connection connection : connections) {
      try {
        connection.close();
      } catch (SQLException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }

  /**
   * A lent connection: {@code close()} gives the raw connection back once (later calls do nothing), after which
   * every other call fails; everything else goes to the raw connection.
   */
  private final class LentConnection implements InvocationHandler {

    private final Connection raw;
    /** Set once, by the holder's close(); read by the holder's other calls. */
    private volatile boolean given;

    LentConnection(Connection raw) {
      this.raw = raw;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "close" -> {
          if (!given) {
            given = true;
            giveBack(raw);
          }
          return null;
        }
        case "isClosed" -> {
          return given || raw.isClosed();
        }
        case "unwrap" -> {
          Class<?> type = (Class<?>) args[0];
          return type.isInstance(proxy) ? proxy : raw.unwrap(type);
        }
        case "isWrapperFor" -> {
          Class<?> type = (Class<?>) args[0];
          return type.isInstance(proxy) || raw.isWrapperFor(type);
        }
        case "equals" -> {
          return proxy == args[0];
        }
        case "hashCode" -> {
          return System.identityHashCode(proxy);
        }
        case "toString" -> {
          return description() + " connection " + (given ? "(returned)" : "over " + raw);
        }
        default -> {
          if (given) {
            throw new SQLException(description() + ": " + method.getName() + "() on a connection already closed"
                + " (given back to the pool); borrow a new one with getConnection()", "08003");
          }
          try {
            return method.invoke(raw, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        }
      }
    }
  }

  /* --- The rest of DataSource: minimal --- */

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException(description() + ": connections are opened up front as the bench's"
        + " application user; getConnection(user, password) is not supported");
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    logWriter = out;
  }

  @Override
  public void setLoginTimeout(int seconds) {
    loginTimeoutSeconds = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException(description() + ": no java.util.logging logger");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException(description() + ": not a wrapper for " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }
}
