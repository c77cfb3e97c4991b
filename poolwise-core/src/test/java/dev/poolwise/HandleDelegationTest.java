package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.poolwise.FakeJdbc.RecordingReleaser;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
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
 * (1) it reaches the driver's method of the same name with the very arguments it was given (each
 * argument a distinct value, so a dropped, swapped or replaced argument fails), and never returns a
 * driver object (a JDBC object coming back must be a handle), and (2) when the driver fails with a broken-connection
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

              Object[] arguments = dummyArguments(method);
              Object result = method.invoke(fixture.handle(), arguments);

              assertThat(fixture.fake().callsSnapshot())
                  .as("driver calls")
                  .anyMatch(call -> call.startsWith(subject.label() + "." + method.getName() + "("));
              assertThat(fixture.fake().recordedCallsSnapshot())
                  .as("driver calls of %s with the arguments %s, the same objects", method.getName(), Arrays.toString(arguments))
                  .anyMatch(call -> call.label().equals(subject.label())
                      && call.method().equals(method.getName())
                      && sameArguments(call.arguments(), arguments));
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

  /** Primitives by value (they are boxed on the way), everything else by identity. */
  private static boolean sameArguments(List<Object> received, Object[] passed) {
    if (received.size() != passed.length) {
      return false;
    }
    for (int i = 0; i < passed.length; i++) {
      boolean same = passed[i] instanceof Number || passed[i] instanceof Boolean
          ? passed[i].equals(received.get(i))
          : passed[i] == received.get(i);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /**
   * One argument a parameter, each distinct from the others of the call (the first int is 1, the second 2,
   * ...; strings likewise), and non-null wherever a value can be made, so the driver-side check can tell them
   * apart. The first of each kind keeps the value the handles were always tested with.
   */
  private static Object[] dummyArguments(Method method) {
    Class<?>[] types = method.getParameterTypes();
    Object[] arguments = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      arguments[i] = dummy(types[i], i);
    }
    return arguments;
  }

  private static Object dummy(Class<?> type, int position) {
    int n = position + 1;
    if (type == int.class) {
      return n;
    }
    if (type == long.class) {
      return (long) n;
    }
    if (type == boolean.class) {
      return position % 2 == 1;
    }
    if (type == short.class) {
      return (short) n;
    }
    if (type == byte.class) {
      return (byte) n;
    }
    if (type == float.class) {
      return (float) n;
    }
    if (type == double.class) {
      return (double) n;
    }
    if (type == String.class || type == Object.class) {
      return position == 0 ? "x" : "x" + n;
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
    if (type == BigDecimal.class) {
      return new BigDecimal(n + ".5");
    }
    if (type == java.sql.Date.class) {
      return new java.sql.Date(n);
    }
    if (type == Time.class) {
      return new Time(n);
    }
    if (type == Timestamp.class) {
      return new Timestamp(n);
    }
    if (type == URL.class) {
      try {
        return URI.create("http://localhost/" + n).toURL();
      } catch (MalformedURLException e) {
        throw new AssertionError(e);
      }
    }
    if (type == InputStream.class) {
      return new ByteArrayInputStream(new byte[n]);
    }
    if (type == Reader.class) {
      return new StringReader("x" + n);
    }
    if (type == SQLType.class) {
      return JDBCType.INTEGER;
    }
    if (type.isInterface()) {
      // Blob, Clob, Savepoint, ShardingKey, ...: an object of the type that does nothing, only to be passed on.
      return Proxy.newProxyInstance(
          HandleDelegationTest.class.getClassLoader(),
          new Class<?>[] {type},
          (proxy, called, args) -> switch (called.getName()) {
            case "toString" -> "dummy " + type.getSimpleName();
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> null;
          });
    }
    throw new AssertionError("No dummy argument for " + type + ": add one, or the delegation of its methods goes unchecked");
  }
}
