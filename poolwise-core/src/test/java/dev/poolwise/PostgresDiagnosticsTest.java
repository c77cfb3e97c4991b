package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.poolwise.PoolSnapshot.HolderState;
import dev.poolwise.embedded.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The verdicts against a real PostgreSQL: {@code pg_sleep} for slow SQL, a transaction left open, a
 * connection held across a sleep, a leak, and a server whose {@code max_connections} is too small. The
 * server runs with {@code max_connections = 10} (7 for ordinary roles) so that 53300 is easy to reach.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresDiagnosticsTest {

  private static PostgresServer server;
  private static PostgresServer.AppUser app;

  private final HeldConnections held = new HeldConnections();
  private final List<PoolwiseDataSource> pools = new ArrayList<>();

  @BeforeAll
  static void startServer() throws SQLException {
    server = PostgresServer.start(10);
    app = server.createAppUser("diag_app", "D1agnose!");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void releaseHoldersAndClosePools() throws InterruptedException {
    held.close();
    pools.forEach(PoolwiseDataSource::close);
  }

  /**
   * A pool whose first {@code warm} connections are open before the test starts: the holders a test starts
   * then borrow at once, so their own borrow cannot time out however slowly a busy machine connects (the
   * premise every test here builds on; {@link HeldConnections#hold} fails the test if it does not hold).
   */
  private PoolwiseDataSource pool(int maxSize, Duration acquireTimeout, int warm) throws SQLException {
    PoolwiseDataSource pool = PoolwiseDataSource.builder()
        .url(app.jdbcUrl()).username(app.username()).password(app.password())
        .maxSize(maxSize).minIdle(warm).acquireTimeout(acquireTimeout).acquisitionStacks(StackCapture.ALWAYS)
        .creationBackoffInitial(Duration.ofMillis(20)).creationBackoffMax(Duration.ofMillis(200))
        .build();
    pools.add(pool);
    await().atMost(Duration.ofSeconds(60)).until(() -> pool.snapshot().idle() >= warm);
    return pool;
  }

  private void hold(PoolwiseDataSource pool, String tag, HeldConnections.Work work) throws InterruptedException {
    held.hold(pool, tag, work);
  }

  private static PoolTimeoutException timeoutOf(PoolwiseDataSource pool) {
    AtomicReference<PoolTimeoutException> caught = new AtomicReference<>();
    assertThatThrownBy(pool::getConnection).isInstanceOfSatisfying(PoolTimeoutException.class, caught::set);
    return caught.get();
  }

  @Test
  void pgSleepOnEveryConnectionBlamesTheDatabase() throws Exception {
    PoolwiseDataSource pool = pool(2, Duration.ofSeconds(1), 2);
    for (int i = 0; i < 2; i++) {
      hold(pool, "GET /report", connection -> {
        try (Statement statement = connection.createStatement()) {
          statement.execute("select pg_sleep(3)");
        }
      });
    }
    await().until(() -> pool.snapshot().holders().size() == 2
        && pool.snapshot().holders().stream().allMatch(h -> h.state() == HolderState.EXECUTING));
    PoolTimeoutException timeout = timeoutOf(pool);
    assertThat(timeout.diagnosis().cause()).isEqualTo(Diagnosis.Cause.SLOW_SQL);
    assertThat(timeout.getMessage()).contains("select pg_sleep(3)").contains("a bigger pool will not help")
        .contains("GET /report");
  }

  @Test
  void transactionLeftOpenIsIdleInTransactionOnTheServerToo() throws Exception {
    PoolwiseDataSource pool = pool(2, Duration.ofMillis(600), 2);
    for (int i = 0; i < 2; i++) {
      hold(pool, "POST /checkout", connection -> {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
          statement.execute("select txid_current()");
        }
      });
    }
    PoolTimeoutException timeout = timeoutOf(pool);
    assertThat(timeout.diagnosis().cause()).isEqualTo(Diagnosis.Cause.IDLE_IN_TRANSACTION);
    assertThat(timeout.getMessage()).contains("idle inside an open transaction").contains("POST /checkout");
    try (Connection admin = server.openSuperuserConnection(); Statement statement = admin.createStatement();
         var rows = statement.executeQuery("select count(*) from pg_stat_activity"
             + " where usename = 'diag_app' and state = 'idle in transaction'")) {
      rows.next();
      assertThat(rows.getInt(1)).as("the server agrees: idle in transaction").isEqualTo(2);
    }
  }

  @Test
  void connectionHeldAcrossASleepIsHeldIdle() throws Exception {
    PoolwiseDataSource pool = pool(2, Duration.ofMillis(600), 2);
    for (int i = 0; i < 2; i++) {
      hold(pool, "GET /dashboard", connection -> {
        try (Statement statement = connection.createStatement()) {
          statement.execute("select 1");
        }
        // ...and then the request calls a slow remote service while keeping the connection.
      });
    }
    PoolTimeoutException timeout = timeoutOf(pool);
    assertThat(timeout.diagnosis().cause()).isEqualTo(Diagnosis.Cause.HELD_IDLE);
    assertThat(timeout.getMessage()).contains("held without running SQL").contains("GET /dashboard")
        .contains("HeldConnections.lambda$hold");
  }

  @Test
  void leakIsNamedAgainstARealServer() throws Exception {
    // On the test clock: the holder's own borrow cannot time out while the first connect is slow on a busy
    // machine (which once made this test's premise fail), and "held past the leak threshold" is a clock move.
    ManualClock clock = new ManualClock();
    Duration acquireTimeout = Duration.ofMillis(500);
    PoolwiseDataSource pool = PoolwiseDataSource.builder()
        .url(app.jdbcUrl()).username(app.username()).password(app.password())
        .maxSize(1).acquireTimeout(acquireTimeout).leakThreshold(Duration.ofMillis(200))
        .acquisitionStacks(StackCapture.ALWAYS).clock(clock).build();
    pools.add(pool);
    hold(pool, "nightly-export", connection -> { });
    clock.advance(Duration.ofMillis(300));
    SQLException failure = clock.borrowUntilItTimesOut(pool, acquireTimeout);
    assertThat((Throwable) failure).isInstanceOf(PoolTimeoutException.class);
    PoolTimeoutException timeout = (PoolTimeoutException) failure;
    assertThat(timeout.diagnosis().cause()).isEqualTo(Diagnosis.Cause.LEAK);
    assertThat(timeout.getMessage()).contains("never closed").contains("nightly-export");
  }

  @Test
  void overBudgetPoolIsWarnedAboutAtStart() throws Exception {
    String log;
    try (CapturedStderr stderr = new CapturedStderr()) {
      PoolwiseDataSource pool = PoolwiseDataSource.builder()
          .url(app.jdbcUrl()).username(app.username()).password(app.password())
          .poolName("budget-check").maxSize(5).expectedInstances(3).build();
      pools.add(pool);
      try (Connection connection = pool.getConnection()) {
        assertThat(connection.isValid(1)).isTrue();
      }
      log = stderr.text();
    }
    assertThat(log)
        .contains("Pool 'budget-check': maxSize 5 × expectedInstances 3 = 15 connections, but the server allows 7")
        .contains("53300 too many clients");
  }

  @Test
  void serverOutOfSlotsIsCreationFailingWith53300() throws Exception {
    // max_connections 10, 3 reserved for superusers: the application role gets 7 at most.
    PoolwiseDataSource pool = pool(10, Duration.ofSeconds(2), 7);
    for (int i = 0; i < 7; i++) {
      hold(pool, "GET /page", connection -> { });
    }
    PoolTimeoutException timeout = timeoutOf(pool);
    assertThat(timeout.diagnosis().cause()).isEqualTo(Diagnosis.Cause.CREATION_FAILING);
    assertThat(timeout.getMessage()).contains("too many clients already (53300)")
        .contains("PostgreSQL has no connection slot left for this role")
        .contains("max_connections 10")
        .contains("the pool holds 7 now");
    assertThat(timeout.getCause()).isInstanceOf(SQLException.class);
    assertThat(((SQLException) timeout.getCause()).getSQLState()).isEqualTo("53300");
  }
}
