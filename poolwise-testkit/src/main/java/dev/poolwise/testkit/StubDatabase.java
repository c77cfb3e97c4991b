package dev.poolwise.testkit;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLNonTransientException;
import java.sql.SQLRecoverableException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * An in-memory "database server" for the stub JDBC driver: a name, a set of knobs that inject
 * latency and failures, and counters that tell a test what the code under test did to it.
 *
 * <p>Reach it through {@code jdbc:stub:<name>} URLs (see {@link StubDriver}), through
 * {@link #connect(String, String)}, or through {@link #dataSource()}. Databases live in a
 * JVM-wide registry keyed by name; {@link #create()} makes one with a fresh unique name, which is
 * what a test normally wants, so that tests running in the same JVM never share knobs or counters.
 *
 * <pre>{@code
 * StubDatabase db = StubDatabase.create();
 * db.maxConnections(2);
 * try (Connection c = DriverManager.getConnection(db.url())) { ... }
 * assertThat(db.connectsSucceeded()).isEqualTo(1);
 * }</pre>
 */
public final class StubDatabase {

  /*
   * Concurrency: every knob is a volatile field (or an atomic for the one knob that counts down),
   * so a test thread may flip any knob at any time while other threads connect and execute; the
   * change is seen by the next operation that starts after it. The connect and execute paths only
   * read knobs, and when no knob is set they do a handful of volatile reads and atomic increments:
   * no locks, no allocation beyond the connection itself, no I/O. That keeps the stub cheap enough
   * for JMH benchmarks of the pool's fast path.
   *
   * Blocking knobs (hangConnects, validationHangs) are "gates": a CountDownLatch published through
   * a volatile field. Switching the knob on installs a fresh latch; switching it off swaps the
   * field to null and opens the old latch, which releases every thread parked on it. A thread that
   * read the field just before the swap still holds the old latch, which is already open, so no
   * waiter can be stranded.
   *
   * Counters are LongAdders (many writers, rare readers). openConnections is an AtomicInteger
   * because the maxConnections check must reserve a slot atomically: a compare-and-set loop that
   * only ever moves the count from below the limit, so it never reads above it. Live connections sit in a ConcurrentSkipListMap
   * keyed by connection id, which is lock-free and yields creation order for liveConnections().
   *
   * Failure modes: counters read while connects are in flight may be mutually inconsistent for a
   * moment (a connection can be in openConnections but not yet in liveConnections); once the
   * system is quiet, connectsSucceeded == openConnections + connectionsClosed + connectionsAborted.
   */

  /** A test's hook into every statement execution: block on a latch, count, or throw. */
  @FunctionalInterface
  public interface ExecuteHook {
    /**
     * Called on the executing thread before the stub "runs" {@code sql}, after the execute delay.
     * Throwing fails the execute with that exception.
     */
    void beforeExecute(StubConnection connection, String sql) throws SQLException;
  }

  private static final ConcurrentMap<String, StubDatabase> DATABASES_BY_NAME = new ConcurrentHashMap<>();
  private static final AtomicLong UNIQUE_NAME_SEQUENCE = new AtomicLong();
  /** Global, so a connection id identifies a connection across databases in log output. */
  private static final AtomicLong CONNECTION_ID_SEQUENCE = new AtomicLong();

  static {
    // So that DriverManager.getConnection(db.url()) works even if nothing mentioned StubDriver yet.
    StubDriver.ensureRegistered();
  }

  private final String name;

  /* --- Knobs --- */

  private volatile Duration connectDelay = Duration.ZERO;
  /** Non-null while hangConnects is on; opened (and cleared) when it is switched off. */
  private volatile CountDownLatch connectGate;
  private volatile Supplier<? extends SQLException> connectFailure;
  private final AtomicInteger remainingInjectedConnectFailures = new AtomicInteger();
  private volatile String injectedConnectFailureSqlState;
  private volatile String injectedConnectFailureMessage;
  private volatile String requiredPassword;
  private volatile int maxConnections = Integer.MAX_VALUE;
  private volatile Duration executeDelay = Duration.ZERO;
  private volatile ExecuteHook executeHook;
  private volatile String productName = "Stub";
  private volatile String executeFailureSqlState;
  private volatile String executeFailureMessage;
  private volatile boolean validationFails;
  /** Non-null while validationHangs is on; opened (and cleared) when it is switched off. */
  private volatile CountDownLatch validationGate;

  /* --- Counters --- */

  private final AtomicInteger openConnections = new AtomicInteger();
  private final LongAdder connectAttempts = new LongAdder();
  private final LongAdder connectsSucceeded = new LongAdder();
  private final LongAdder connectionsClosed = new LongAdder();
  private final LongAdder connectionsAborted = new LongAdder();
  private final AtomicInteger threadsInHangingConnect = new AtomicInteger();
  private final AtomicInteger threadsInHangingValidation = new AtomicInteger();
  private final ConcurrentSkipListMap<Long, StubConnection> liveConnectionsById = new ConcurrentSkipListMap<>();

  private StubDatabase(String name) {
    this.name = name;
  }

  /** A new database with a unique generated name and no knobs set. */
  public static StubDatabase create() {
    String uniqueName = "stub-" + UNIQUE_NAME_SEQUENCE.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    return named(uniqueName);
  }

  /** The database with this name, created (with no knobs set) if it does not exist yet. */
  public static StubDatabase named(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.indexOf('?') >= 0) {
      throw new IllegalArgumentException("a stub database name must be non-blank and must not contain '?', got '" + name + "'");
    }
    return DATABASES_BY_NAME.computeIfAbsent(name, StubDatabase::new);
  }

  /**
   * Removes this database from the JVM-wide registry so its memory can be reclaimed; a later
   * {@code named(name())} or URL connect makes a fresh one. Live connections keep working.
   */
  public void forget() {
    DATABASES_BY_NAME.remove(name, this);
  }

  public String name() {
    return name;
  }

  /** {@code jdbc:stub:<name>}. */
  public String url() {
    return StubDriver.URL_PREFIX + name;
  }

  /** A DataSource whose {@code getConnection()} connects without user or password. */
  public StubDataSource dataSource() {
    return new StubDataSource(this, null, null);
  }

  /** A DataSource whose {@code getConnection()} connects as {@code user} with {@code password}. */
  public StubDataSource dataSource(String user, String password) {
    return new StubDataSource(this, user, password);
  }

  /** Connects directly, bypassing DriverManager; applies every connect knob. */
  public StubConnection connect(String user, String password) throws SQLException {
    Properties info = new Properties();
    if (user != null) {
      info.setProperty("user", user);
    }
    if (password != null) {
      info.setProperty("password", password);
    }
    return connect(info);
  }

  @Override
  public String toString() {
    return "StubDatabase[" + name + ", open=" + openConnections.get() + "]";
  }

  /* --- Connect knobs --- */

  /** Every connect sleeps this long first (interruptibly). {@code Duration.ZERO} switches it off. */
  public StubDatabase connectDelay(Duration delay) {
    this.connectDelay = requireNonNegative(delay, "connectDelay");
    return this;
  }

  /**
   * While on, every connect blocks until the knob is switched off (then proceeds normally) or the
   * connecting thread is interrupted (then fails with SQLState {@code 08001}).
   */
  public StubDatabase hangConnects(boolean hang) {
    connectGate = swapGate(connectGate, hang);
    return this;
  }

  /** Every connect fails with a fresh copy of {@code failure} (same class, message, SQLState, code). */
  public StubDatabase failConnectsWith(SQLException failure) {
    Objects.requireNonNull(failure, "failure");
    this.connectFailure = () -> copyOf(failure);
    return this;
  }

  /** Every connect fails with the exception the supplier returns; for full control over its type. */
  public StubDatabase failConnectsWith(Supplier<? extends SQLException> failureFactory) {
    this.connectFailure = Objects.requireNonNull(failureFactory, "failureFactory");
    return this;
  }

  public StubDatabase clearConnectFailure() {
    this.connectFailure = null;
    return this;
  }

  /** The next {@code count} connects fail with {@code new SQLException(message, sqlState)}; later ones succeed. */
  public StubDatabase failNextConnects(int count, String sqlState, String message) {
    if (count < 0) {
      throw new IllegalArgumentException("failNextConnects count must be >= 0, got " + count);
    }
    this.injectedConnectFailureSqlState = sqlState;
    this.injectedConnectFailureMessage = message;
    remainingInjectedConnectFailures.set(count);
    return this;
  }

  /**
   * Connects whose {@code password} property differs fail with SQLState {@code 28P01}, as
   * PostgreSQL does. {@code null} switches the check off. The password never appears in a message.
   */
  public StubDatabase requirePassword(String password) {
    this.requiredPassword = password;
    return this;
  }

  /**
   * Connects that would make more than {@code max} connections open fail with SQLState
   * {@code 53300}, as PostgreSQL does. Killed connections count until closed. Lowering the limit
   * does not close anything. {@code 0} refuses every connect.
   */
  public StubDatabase maxConnections(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("maxConnections must be >= 0, got " + max);
    }
    this.maxConnections = max;
    return this;
  }

  public StubDatabase clearMaxConnections() {
    this.maxConnections = Integer.MAX_VALUE;
    return this;
  }

  /* --- Execute and validation knobs --- */

  /**
   * What {@code DatabaseMetaData.getDatabaseProductName()} answers ({@code "Stub"} by default): {@code
   * "PostgreSQL"} makes a pool treat the stub's connections as PostgreSQL sessions (session reset on return),
   * whose SQL the execute hook then sees.
   */
  public StubDatabase productName(String name) {
    this.productName = Objects.requireNonNull(name, "productName");
    return this;
  }

  public String productName() {
    return productName;
  }

  /** Every execute sleeps this long (interruptibly) before it runs. {@code Duration.ZERO} switches it off. */
  public StubDatabase executeDelay(Duration delay) {
    this.executeDelay = requireNonNegative(delay, "executeDelay");
    return this;
  }

  /** Installs a hook run before every execute; {@code null} removes it. */
  public StubDatabase executeHook(ExecuteHook hook) {
    this.executeHook = hook;
    return this;
  }

  /** Every execute fails with {@code new SQLException(<generic message>, sqlState)}. */
  public StubDatabase failExecutesWith(String sqlState) {
    return failExecutesWith(sqlState, "stub execute failure injected by failExecutesWith (SQLState " + sqlState + ")");
  }

  /** Every execute fails with {@code new SQLException(message, sqlState)}. */
  public StubDatabase failExecutesWith(String sqlState, String message) {
    Objects.requireNonNull(sqlState, "sqlState");
    // Message first: the execute path reads the state, and a reader that sees the new state must see its message.
    this.executeFailureMessage = Objects.requireNonNull(message, "message");
    this.executeFailureSqlState = sqlState;
    return this;
  }

  public StubDatabase clearExecuteFailure() {
    this.executeFailureSqlState = null;
    return this;
  }

  /** While on, {@link StubConnection#isValid(int)} returns false. */
  public StubDatabase validationFails(boolean fails) {
    this.validationFails = fails;
    return this;
  }

  /**
   * While on, {@link StubConnection#isValid(int)} blocks until its timeout and then returns false
   * (timeout 0: until the knob is switched off). Switching it off releases blocked callers, which
   * then answer as if the knob had never been on.
   */
  public StubDatabase validationHangs(boolean hangs) {
    validationGate = swapGate(validationGate, hangs);
    return this;
  }

  /**
   * Switches every knob off and releases every thread blocked by one. Counters are kept. The gates open
   * last, so a released thread never sees a knob that is about to be switched off.
   */
  public StubDatabase reset() {
    connectDelay(Duration.ZERO);
    clearConnectFailure();
    remainingInjectedConnectFailures.set(0);
    requirePassword(null);
    clearMaxConnections();
    executeDelay(Duration.ZERO);
    executeHook(null);
    productName("Stub");
    clearExecuteFailure();
    validationFails(false);
    hangConnects(false);
    validationHangs(false);
    return this;
  }

  /* --- Counters and inspection --- */

  /** Connections opened and not yet closed or aborted, killed ones included. */
  public int openConnections() {
    return openConnections.get();
  }

  /** Every call to connect, whatever its outcome. */
  public long connectAttempts() {
    return connectAttempts.sum();
  }

  public long connectsSucceeded() {
    return connectsSucceeded.sum();
  }

  /** Connections ended by {@code close()} (not counting aborts). */
  public long connectionsClosed() {
    return connectionsClosed.sum();
  }

  /** Connections ended by {@code abort(Executor)}. */
  public long connectionsAborted() {
    return connectionsAborted.sum();
  }

  /** How many threads are blocked in connect right now because hangConnects is on. */
  public int threadsInHangingConnect() {
    return threadsInHangingConnect.get();
  }

  /** How many threads are blocked in isValid right now because validationHangs is on. */
  public int threadsInHangingValidation() {
    return threadsInHangingValidation.get();
  }

  /** Open connections (killed ones included), oldest first; a snapshot. */
  public List<StubConnection> liveConnections() {
    return new ArrayList<>(liveConnectionsById.values());
  }

  /** Kills every open connection, as if the server terminated all backends; they stay open until closed. */
  public void killAll() {
    for (StubConnection connection : liveConnectionsById.values()) {
      connection.kill();
    }
  }

  /* --- The connect path --- */

  StubConnection connect(Properties info) throws SQLException {
    connectAttempts.increment();

    Duration delay = connectDelay;
    if (!delay.isZero()) {
      sleepForConnect(delay);
    }
    CountDownLatch gate = connectGate;
    if (gate != null) {
      awaitConnectGate(gate);
    }
    Supplier<? extends SQLException> failure = connectFailure;
    if (failure != null) {
      throw failure.get();
    }
    if (remainingInjectedConnectFailures.get() > 0
        && remainingInjectedConnectFailures.getAndUpdate(remaining -> Math.max(0, remaining - 1)) > 0) {
      throw new SQLException(injectedConnectFailureMessage, injectedConnectFailureSqlState);
    }

    String user = info.getProperty("user");
    if (user == null || user.isEmpty()) {
      user = StubConnection.DEFAULT_USER;
    }
    String required = requiredPassword;
    if (required != null && !required.equals(info.getProperty("password"))) {
      throw new SQLException("password authentication failed for user \"" + user + "\"", "28P01");
    }

    reserveConnectionSlot();
    StubConnection connection = new StubConnection(this, CONNECTION_ID_SEQUENCE.incrementAndGet(), user, info);
    liveConnectionsById.put(connection.id(), connection);
    connectsSucceeded.increment();
    return connection;
  }

  /**
   * Counts the new connection as open, unless that would exceed maxConnections. A compare-and-set
   * loop rather than increment-then-undo, so that openConnections() never reads above the limit,
   * not even for a moment: tests assert "open <= max" while other threads connect.
   */
  private void reserveConnectionSlot() throws SQLException {
    int open;
    do {
      open = openConnections.get();
      if (open >= maxConnections) {
        throw new SQLException("sorry, too many clients already", "53300");
      }
    } while (!openConnections.compareAndSet(open, open + 1));
  }

  /** Called exactly once per connection, by whichever of close() and abort() won. */
  void connectionEnded(StubConnection connection, boolean aborted) {
    liveConnectionsById.remove(connection.id());
    openConnections.decrementAndGet();
    if (aborted) {
      connectionsAborted.increment();
    } else {
      connectionsClosed.increment();
    }
  }

  private void sleepForConnect(Duration delay) throws SQLException {
    try {
      TimeUnit.NANOSECONDS.sleep(delay.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("connect to stub database '" + name + "' was interrupted during its connectDelay of "
          + delay + "; the thread's interrupt flag is set again", "08001", e);
    }
  }

  private void awaitConnectGate(CountDownLatch gate) throws SQLException {
    threadsInHangingConnect.incrementAndGet();
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("connect to stub database '" + name + "' was interrupted while hangConnects was on;"
          + " the thread's interrupt flag is set again", "08001", e);
    } finally {
      threadsInHangingConnect.decrementAndGet();
    }
  }

  /* --- Support for StubConnection --- */

  Duration executeDelay() {
    return executeDelay;
  }

  ExecuteHook executeHook() {
    return executeHook;
  }

  /** The failure the executeFailure knob asks for, or null when it is off. */
  SQLException injectedExecuteFailure() {
    String sqlState = executeFailureSqlState;
    return sqlState == null ? null : new SQLException(executeFailureMessage, sqlState);
  }

  boolean validationFails() {
    return validationFails;
  }

  CountDownLatch validationGate() {
    return validationGate;
  }

  AtomicInteger threadsInHangingValidationCounter() {
    return threadsInHangingValidation;
  }

  /* --- Helpers --- */

  private static CountDownLatch swapGate(CountDownLatch current, boolean closeGate) {
    if (closeGate) {
      return current != null ? current : new CountDownLatch(1);
    }
    if (current != null) {
      current.countDown();
    }
    return null;
  }

  private static Duration requireNonNegative(Duration duration, String knob) {
    Objects.requireNonNull(duration, knob);
    if (duration.isNegative()) {
      throw new IllegalArgumentException(knob + " must not be negative, got " + duration);
    }
    return duration;
  }

  /**
   * A fresh exception like {@code template}, so each failed connect has its own stack trace and
   * callers that add suppressed exceptions do not pile them onto one shared instance. The standard
   * java.sql subclasses keep their type; any other class is rethrown as the template itself.
   */
  static SQLException copyOf(SQLException template) {
    String message = template.getMessage();
    String state = template.getSQLState();
    int code = template.getErrorCode();
    Throwable cause = template.getCause();
    Class<?> type = template.getClass();
    SQLException copy;
    if (type == SQLException.class) {
      copy = new SQLException(message, state, code, cause);
    } else if (type == SQLTransientConnectionException.class) {
      copy = new SQLTransientConnectionException(message, state, code, cause);
    } else if (type == SQLNonTransientConnectionException.class) {
      copy = new SQLNonTransientConnectionException(message, state, code, cause);
    } else if (type == SQLRecoverableException.class) {
      copy = new SQLRecoverableException(message, state, code, cause);
    } else if (type == SQLTimeoutException.class) {
      copy = new SQLTimeoutException(message, state, code, cause);
    } else if (type == SQLInvalidAuthorizationSpecException.class) {
      copy = new SQLInvalidAuthorizationSpecException(message, state, code, cause);
    } else if (type == SQLTransientException.class) {
      copy = new SQLTransientException(message, state, code, cause);
    } else if (type == SQLNonTransientException.class) {
      copy = new SQLNonTransientException(message, state, code, cause);
    } else if (type == SQLSyntaxErrorException.class) {
      copy = new SQLSyntaxErrorException(message, state, code, cause);
    } else if (type == SQLFeatureNotSupportedException.class) {
      copy = new SQLFeatureNotSupportedException(message, state, code, cause);
    } else {
      return template;
    }
    return copy;
  }
}
