package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.poolwise.FakeJdbc.RecordingReleaser;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every method of every handle, found by reflection so a method added or mis-generated cannot hide:
 * (1) it reaches the driver's method of the same name and never returns a driver object (a JDBC
 * object coming back must be a handle), and (2) when the driver fails with a broken-connection
 * SQLState, the very same exception reaches the application and the entry is marked for eviction.
 *
 * <p>The few methods with behaviour of their own (close/abort of the connection, getConnection,
 * getStatement, unwrap) are covered in {@link ConnectionHandleTest}.
 */
class HandleDelegationTest {

  /** Methods that by design do not simply delegate; tested in ConnectionHandleTest. */
  private static final Set<String> NOT_PLAIN_DELEGATION =
      Set.of(
          "Connection.close",
          "Connection.abort",
          "Connection.unwrap",
          "Connection.isWrapperFor",
          "Connection.setClientInfo", // declares SQLClientInfoException; the fake cannot throw a plain one
          "Statement.getConnection",
          "PreparedStatement.getConnection",
          "CallableStatement.getConnection",
          "ResultSet.getStatement",
          "DatabaseMetaData.getConnection");

  /** A fresh fake, entry and connection handle, and the handle under test made from them. */
  private record Fixture(FakeJdbc fake, PoolEntry entry, ConnectionHandle connection, Object handle) {}

  private static Fixture fixture(Function<Connection, Object> makeHandle) {
    return fixture(makeHandle, false);
  }

  private static Fixture fixture(Function<Connection, Object> makeHandle, boolean autoCommitOff) {
    FakeJdbc fake = new FakeJdbc();
    PoolEntry entry = new PoolEntry(1, fake.connection, ConnectionHandleTest.DEFAULTS, System.nanoTime(), Long.MAX_VALUE);
    ConnectionHandle connection = new ConnectionHandle(entry, new RecordingReleaser());
    if (autoCommitOff) {
      try {
        connection.setAutoCommit(false);
      } catch (SQLException e) {
        throw new AssertionError(e);
      }
    }
    return new Fixture(fake, entry, connection, makeHandle.apply(connection));
  }

  private interface Make {
    Object from(Connection connection) throws SQLException;
  }

  private static Function<Connection, Object> unchecked(Make make) {
    return connection -> {
      try {
        return make.from(connection);
      } catch (SQLException e) {
        throw new AssertionError(e);
      }
    };
  }

  private record Subject(String label, Class<?> jdbcInterface, Function<Connection, Object> makeHandle) {}

  private static final List<Subject> SUBJECTS =
      List.of(
          new Subject("Connection", Connection.class, connection -> connection),
          new Subject("Statement", Statement.class, unchecked(Connection::createStatement)),
          new Subject("PreparedStatement", PreparedStatement.class, unchecked(c -> c.prepareStatement("select ?"))),
          new Subject("CallableStatement", CallableStatement.class, unchecked(c -> c.prepareCall("call p(?)"))),
          new Subject("ResultSet", ResultSet.class, unchecked(c -> c.createStatement().executeQuery("select 1"))),
          new Subject("DatabaseMetaData", DatabaseMetaData.class, unchecked(Connection::getMetaData)));

  private static Stream<Method> methodsOf(Class<?> jdbcInterface) {
    return Arrays.stream(jdbcInterface.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()))
        .sorted(Comparator.comparing(Method::toGenericString));
  }

  @TestFactory
  Stream<DynamicTest> everyMethodReachesTheDriverAndReturnsNoDriverObject() {
    return SUBJECTS.stream()
        .flatMap(subject -> methodsOf(subject.jdbcInterface())
            .filter(m -> !NOT_PLAIN_DELEGATION.contains(subject.label() + "." + m.getName()))
            .filter(m -> !m.getName().equals("isWrapperFor") && !m.getName().equals("unwrap"))
            .map(method -> dynamicTest(subject.label() + "." + signature(method), () -> {
              Fixture fixture = fixture(subject.makeHandle());
              fixture.fake().calls.clear();

              Object result = method.invoke(fixture.handle(), dummyArguments(method));

              assertThat(fixture.fake().callsSnapshot())
                  .as("driver calls")
                  .anyMatch(call -> call.startsWith(subject.label() + "." + method.getName() + "("));
              if (result != null) {
                assertThat(Proxy.isProxyClass(result.getClass()))
                    .as("%s returned the driver's %s", method.getName(), result.getClass())
                    .isFalse();
              }
            })));
  }

  @TestFactory
  Stream<DynamicTest> everyFailureIsCheckedForABrokenConnection() {
    return SUBJECTS.stream()
        .flatMap(subject -> methodsOf(subject.jdbcInterface())
            .filter(m -> Arrays.asList(m.getExceptionTypes()).contains(SQLException.class))
            .filter(m -> !NOT_PLAIN_DELEGATION.contains(subject.label() + "." + m.getName()))
            .map(method -> dynamicTest(subject.label() + "." + signature(method), () -> {
              Fixture fixture = fixture(subject.makeHandle());
              SQLException connectionLost = FakeJdbc.sqlState("08006");
              fixture.fake().failEverything = connectionLost;

              Throwable thrown = catchThrowable(() -> method.invoke(fixture.handle(), dummyArguments(method)));

              assertThat(thrown).isInstanceOf(InvocationTargetException.class);
              assertThat(thrown.getCause()).as("the driver's exception, unchanged").isSameAs(connectionLost);
              assertThat(fixture.entry().evictionReason()).isEqualTo("broken (SQLState 08006)");
            })));
  }

  /**
   * The execute hook is observable today through the transaction tracking: with autoCommit off, a
   * statement that ran must be rolled back on close, and none may run once the handle is closed. So
   * every execute method, and every metadata query, must pass the hook.
   */
  @TestFactory
  Stream<DynamicTest> everyExecutionPassesTheConnectionsExecuteHook() {
    return SUBJECTS.stream()
        .filter(subject -> subject.label().endsWith("Statement") || subject.label().equals("DatabaseMetaData"))
        .flatMap(subject -> methodsOf(subject.jdbcInterface())
            .filter(m -> subject.label().equals("DatabaseMetaData")
                ? m.getReturnType() == ResultSet.class
                : m.getName().startsWith("execute"))
            .flatMap(method -> Stream.of(
                dynamicTest(subject.label() + "." + signature(method) + " opens a transaction", () -> {
                  Fixture fixture = fixture(subject.makeHandle(), true);
                  method.invoke(fixture.handle(), dummyArguments(method));
                  fixture.fake().calls.clear();

                  fixture.connection().close();

                  assertThat(fixture.fake().callsSnapshot()).contains("Connection.rollback()");
                }),
                dynamicTest(subject.label() + "." + signature(method) + " refused after close", () -> {
                  Fixture fixture = fixture(subject.makeHandle());
                  fixture.connection().abort(Runnable::run); // abort leaves the driver's statements open
                  fixture.fake().calls.clear();

                  Throwable thrown = catchThrowable(() -> method.invoke(fixture.handle(), dummyArguments(method)));

                  assertThat(thrown.getCause()).isInstanceOf(SQLException.class).hasMessageContaining("Connection is closed");
                  assertThat(fixture.fake().calls).isEmpty();
                }))));
  }

  private static String signature(Method method) {
    return method.getName()
        + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toList().toString().replace('[', '(').replace(']', ')');
  }

  private static Object[] dummyArguments(Method method) {
    return Arrays.stream(method.getParameterTypes()).map(HandleDelegationTest::dummy).toArray();
  }

  private static Object dummy(Class<?> type) {
    if (type == int.class) {
      return 1;
    }
    if (type == long.class) {
      return 1L;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == short.class) {
      return (short) 1;
    }
    if (type == byte.class) {
      return (byte) 1;
    }
    if (type == float.class) {
      return 1f;
    }
    if (type == double.class) {
      return 1d;
    }
    if (type == String.class || type == Object.class) {
      return "x";
    }
    if (type == Class.class) {
      return String.class;
    }
    if (type.isArray()) {
      return Array.newInstance(type.getComponentType(), 0);
    }
    if (type == Executor.class) {
      return (Executor) Runnable::run;
    }
    if (type == Map.class) {
      return Map.of();
    }
    if (type == Properties.class) {
      return new Properties();
    }
    if (type == Calendar.class) {
      return Calendar.getInstance();
    }
    return null;
  }
}
