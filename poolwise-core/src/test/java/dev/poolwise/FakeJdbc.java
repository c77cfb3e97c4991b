package dev.poolwise;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * A recording fake driver for the handle tests, until the testkit stub driver exists: every call on any
 * fake JDBC object is recorded as {@code "Label.method(args)"} (labels: Connection, Statement,
 * PreparedStatement, CallableStatement, ResultSet, DatabaseMetaData), and failures can be injected per
 * {@code "Label.method"} or for every call. A {@link Proxy} is fine here: tests, not the hot path.
 *
 * <p>Closed objects behave like a real driver's: calls other than close/isClosed throw SQLState 08003.
 * {@code toString()} answers a URL with a password, so tests can prove the handles never print it.
 */
final class FakeJdbc {

  /** What {@code toString()} of every fake object contains; must never show up in a handle's text. */
  static final String SECRET = "hunter2-SECRET";

  /** A driver extension interface, to test that {@code unwrap} reaches the raw connection. */
  interface DriverConnection extends Connection {
    String driverOnlyFeature();
  }

  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  /** The same calls with the argument objects themselves, so a test can check that each one reached the driver. */
  final List<RecordedCall> recordedCalls = Collections.synchronizedList(new ArrayList<>());
  final Map<String, Exception> failures = new ConcurrentHashMap<>();
  volatile SQLException failEverything;

  private final Set<Object> closed = ConcurrentHashMap.newKeySet();
  final DriverConnection connection;

  FakeJdbc() {
    this.connection = proxy(DriverConnection.class, "Connection", this::connectionCall);
  }

  /** Make {@code "Label.method"} (any overload) throw {@code failure}: an SQLException or an unchecked one. */
  FakeJdbc failOn(String labelDotMethod, Exception failure) {
    failures.put(labelDotMethod, failure);
    return this;
  }

  /** The recorded calls whose text starts with {@code prefix}, e.g. {@code "Connection.set"}. */
  List<String> callsStartingWith(String prefix) {
    synchronized (calls) {
      return calls.stream().filter(c -> c.startsWith(prefix)).collect(Collectors.toList());
    }
  }

  List<String> callsSnapshot() {
    synchronized (calls) {
      return new ArrayList<>(calls);
    }
  }

  boolean isClosed(Object fake) {
    return closed.contains(fake);
  }

  /** One call on a fake JDBC object: {@code label} as in {@link #calls}, the method's name, the arguments as passed. */
  record RecordedCall(String label, String method, List<Object> arguments) {}

  List<RecordedCall> recordedCallsSnapshot() {
    synchronized (recordedCalls) {
      return new ArrayList<>(recordedCalls);
    }
  }

  static SQLException sqlState(String state) {
    return new SQLException("injected failure with SQLState " + state, state);
  }

  /* --- Behaviour per object kind --- */

  private Object connectionCall(Object self, Method method, Object[] args) {
    switch (method.getName()) {
      case "createStatement":
        return statement("Statement");
      case "prepareStatement":
        return statement("PreparedStatement");
      case "prepareCall":
        return statement("CallableStatement");
      case "getMetaData":
        return proxy(DatabaseMetaData.class, "DatabaseMetaData", (m, a) -> metaDataCall(m));
      case "abort":
        closed.add(self);
        return null;
      case "driverOnlyFeature":
        return "driver feature";
      default:
        return null;
    }
  }

  private Object metaDataCall(Method method) {
    if (method.getName().equals("getConnection")) {
      return connection;
    }
    if (method.getReturnType() == ResultSet.class) {
      // Real drivers (PostgreSQL) answer metadata through an internal statement.
      return resultSet(statement("Statement"));
    }
    return null;
  }

  private CallableStatement statement(String label) {
    CallableStatement[] self = new CallableStatement[1];
    ResultSet[] current = new ResultSet[1];
    self[0] =
        proxy(
            CallableStatement.class,
            label,
            (method, args) -> {
              switch (method.getName()) {
                case "getConnection":
                  return connection;
                case "executeQuery":
                case "execute":
                  current[0] = resultSet(self[0]);
                  return method.getReturnType() == ResultSet.class ? current[0] : null;
                case "getResultSet":
                  return current[0]; // the same object until the next execute, like a real driver
                case "getGeneratedKeys":
                  return resultSet(self[0]);
                case "getObject":
                  // A cursor out parameter, unless the caller asked for some other type.
                  boolean askedForOtherType = args.length == 2 && args[1] instanceof Class<?> type && !type.isAssignableFrom(ResultSet.class);
                  return askedForOtherType ? null : resultSet(self[0]);
                default:
                  return null;
              }
            });
    return self[0];
  }

  private ResultSet resultSet(Statement owner) {
    return proxy(ResultSet.class, "ResultSet", (method, args) -> method.getName().equals("getStatement") ? owner : null);
  }

  /* --- Proxy plumbing --- */

  private interface Behaviour {
    Object answer(Method method, Object[] args) throws SQLException;
  }

  private interface SelfBehaviour {
    Object answer(Object self, Method method, Object[] args) throws SQLException;
  }

  private <T> T proxy(Class<T> type, String label, Behaviour behaviour) {
    return proxy(type, label, (self, m, a) -> behaviour.answer(m, a));
  }

  private <T> T proxy(Class<T> type, String label, SelfBehaviour behaviour) {
    InvocationHandler handler =
        (self, method, args) -> {
          String name = method.getName();
          if (method.getDeclaringClass() == Object.class) {
            switch (name) {
              case "toString":
                return "Fake" + label + "[url=jdbc:fake://app:" + SECRET + "@db]";
              case "hashCode":
                return System.identityHashCode(self);
              default:
                return self == args[0];
            }
          }
          calls.add(label + "." + name + "(" + describe(args) + ")");
          recordedCalls.add(new RecordedCall(label, name, args == null ? List.of() : Arrays.asList(args.clone())));
          Exception injected = failures.get(label + "." + name);
          if (injected == null) {
            injected = failEverything;
          }
          if (injected != null) {
            throw injected;
          }
          switch (name) {
            case "close":
              closed.add(self);
              return null;
            case "isClosed":
              return closed.contains(self);
            case "unwrap":
              if (((Class<?>) args[0]).isInstance(self)) {
                return self;
              }
              throw new SQLException("Fake" + label + " does not wrap " + args[0], "HY000");
            case "isWrapperFor":
              return ((Class<?>) args[0]).isInstance(self);
            case "isValid":
              return !closed.contains(self);
            default:
              break;
          }
          if (closed.contains(self)) {
            throw new SQLException("Fake" + label + " is closed", "08003");
          }
          Object answer = behaviour.answer(self, method, args);
          return answer != null ? answer : defaultValue(method.getReturnType());
        };
    return type.cast(Proxy.newProxyInstance(FakeJdbc.class.getClassLoader(), new Class<?>[] {type}, handler));
  }

  private static String describe(Object[] args) {
    if (args == null) {
      return "";
    }
    return Arrays.stream(args)
        .map(a -> a instanceof Executor ? "executor" : a instanceof Object[] arr ? Arrays.toString(arr) : String.valueOf(a))
        .collect(Collectors.joining(", "));
  }

  private static Object defaultValue(Class<?> type) {
    if (type == boolean.class) {
      return false;
    }
    if (type == int.class) {
      return 0;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == short.class) {
      return (short) 0;
    }
    if (type == byte.class) {
      return (byte) 0;
    }
    if (type == float.class) {
      return 0f;
    }
    if (type == double.class) {
      return 0d;
    }
    return null;
  }

  /* --- Pool side --- */

  /** A releaser that counts, so tests can assert "exactly once". */
  static final class RecordingReleaser implements ConnectionReleaser {
    final List<PoolEntry> released = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void release(PoolEntry entry) {
      released.add(entry);
    }

    int count() {
      return released.size();
    }
  }
}
