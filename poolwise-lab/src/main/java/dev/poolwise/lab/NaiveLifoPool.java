package dev.poolwise.lab;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A measuring reference for {@code ./poolwise bench --barging-reference}, not a product: the naive barging LIFO pool
 * from the performance issue ("a naive LIFO deque of 10 connections held about 61–63k ops/s in the oversubscribed
 * cases, but its longest wait was 1.5–2.3 s"). It shows the other side of the fairness trade-off: the throughput
 * that strict FIFO gives up, and the longest wait that barging costs.
 */
final class NaiveLifoPool implements DataSource, AutoCloseable {

  /*
   * Concurrency: one non-fair ReentrantLock guards the idle stack (an ArrayDeque used LIFO) and one Condition,
   * "returned", signalled once per connection pushed back. getConnection() pops under the lock, awaiting the
   * condition while the stack is empty; close() of a lent connection pushes under the lock and signals one waiter.
   *
   * Barging, on purpose: nothing hands a returned connection to the longest waiter. The signalled waiter must
   * re-take the lock first, and a thread that has just returned a connection and asks again (a bench client looping
   * borrow -> query -> return) usually gets the lock sooner and pops the very connection it pushed; the waiter finds
   * the stack empty and waits again, on what is left of its timeout. That keeps hot threads and hot connections
   * running (high ops/s) and leaves unlucky waiters waiting for seconds: exactly what the bench wants to measure.
   * No signal is lost: every push signals, a woken waiter that finds the stack empty waits again, and one that
   * finds it non-empty pops before re-checking anything else.
   *
   * Failure modes: a caller that waits longer than ACQUIRE_TIMEOUT gets SQLTransientConnectionException with the
   * numbers. Nothing is validated, reset or replaced: a connection the server drops stays broken in the stack (the
   * bench's workloads are read-only autocommit queries, so a returned connection carries no state). close() of the
   * pool closes every raw connection, lent or idle; a client still holding one then fails on its next call.
   * The Connection wrapper is a java.lang.reflect.Proxy: a reflective call per JDBC method, well below a round trip
   * to the server, and the same for every operation the series counts.
   */

  /** How long getConnection() waits for a free connection before it gives up; shorter than the bench's 60 s. */
  static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(30);

  private final List<Connection> all;
  private final ReentrantLock lock = new ReentrantLock(false);
  private final Condition returned = lock.newCondition();
  /** Idle connections, most recently returned first; guarded by {@link #lock}. */
  private final ArrayDeque<Connection> idle;
  private PrintWriter logWriter;
  private int loginTimeoutSeconds;

  private NaiveLifoPool(List<Connection> connections) {
    this.all = List.copyOf(connections);
    this.idle = new ArrayDeque<>(connections);
  }

  /** Opens {@code size} connections up front, as the bench opens the limit's dedicated ones. */
  static NaiveLifoPool open(LabDatabase database, int size) throws SQLException {
    List<Connection> connections = new ArrayList<>(size);
    try {
      for (int i = 0; i < size; i++) {
        connections.add(database.openAppConnection(LabDatabase.APPLICATION_NAME));
      }
    } catch (SQLException e) {
      closeAll(connections, e);
      throw e;
    }
    return new NaiveLifoPool(connections);
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection raw = take();
    return (Connection) Proxy.newProxyInstance(NaiveLifoPool.class.getClassLoader(),
        new Class<?>[] {Connection.class}, new LentConnection(raw));
  }

  /** Pops the most recently returned connection, waiting while none is idle. */
  private Connection take() throws SQLException {
    long remaining = ACQUIRE_TIMEOUT.toNanos();
    lock.lock();
    try {
      while (idle.isEmpty()) {
        if (remaining <= 0) {
          throw new SQLTransientConnectionException(String.format(
              "naive LIFO pool (bench --barging-reference): no connection free after %d s; all %d are lent out."
                  + " This reference pool has no fairness, so a waiter can lose every hand-over to barging threads:"
                  + " run fewer clients or drop --barging-reference.", ACQUIRE_TIMEOUT.toSeconds(), all.size()),
              "08001");
        }
        remaining = returned.awaitNanos(remaining);
      }
      return idle.pop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLTransientConnectionException("naive LIFO pool: interrupted while waiting for a connection", "08001",
          e);
    } finally {
      lock.unlock();
    }
  }

  private void giveBack(Connection raw) {
    lock.lock();
    try {
      idle.push(raw);
      returned.signal();
    } finally {
      lock.unlock();
    }
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
          return "naive LIFO pool connection " + (given ? "(returned)" : "over " + raw);
        }
        default -> {
          if (given) {
            throw new SQLException("naive LIFO pool: " + method.getName() + "() on a connection already closed"
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
    throw new SQLFeatureNotSupportedException("naive LIFO pool: connections are opened up front as the bench's"
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
    throw new SQLFeatureNotSupportedException("naive LIFO pool: no java.util.logging logger");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException("naive LIFO pool: not a wrapper for " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }
}
