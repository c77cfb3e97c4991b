package dev.poolwise;

import static dev.poolwise.StubPools.assertInvariants;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.poolwise.embedded.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The pool against a real PostgreSQL (embedded, started once for the class). Each test uses its own
 * application_name so that server-side counts only see that test's pool.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresIntegrationTest {

  private static PostgresServer server;
  private static PostgresServer.AppUser app;

  @BeforeAll
  static void startServer() throws SQLException {
    server = PostgresServer.start();
    app = server.createAppUser("poolwise_app", "It3gr@tion:Secret/1");
    try (Connection owner = openAppConnection(); Statement statement = owner.createStatement()) {
      statement.execute("create table if not exists items (id serial primary key, name text not null)");
      statement.execute("create schema if not exists other");
    }
  }

  /** A connection outside any pool, as the application's role, to observe what the server has. */
  private static Connection openAppConnection() throws SQLException {
    return DriverManager.getConnection(app.jdbcUrl(), app.username(), app.password());
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static PoolwiseDataSource.Builder builder(String applicationName) {
    return PoolwiseDataSource.builder()
        .url(app.jdbcUrl())
        .username(app.username())
        .password(app.password())
        .driverProperty("ApplicationName", applicationName)
        .maxSize(4)
        .acquireTimeout(Duration.ofSeconds(10))
        .housekeepingInterval(Duration.ofHours(1))
        .creationBackoffInitial(Duration.ofMillis(20))
        .creationBackoffMax(Duration.ofMillis(500));
  }

  private static String name(TestInfo test) {
    return "pw-" + test.getTestMethod().orElseThrow().getName();
  }

  private static String queryString(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }

  /** The README's quick start, verbatim but for the URL, which points at the embedded server. */
  @Test
  void readmeQuickStartWorks() throws Exception {
    String url = app.databaseUrl() + "?connection_limit=20";
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    java.io.PrintStream originalOut = System.out;
    System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
    try (var pool = PoolwiseDataSource.fromUrl(url);
         var connection = pool.getConnection();
         var rows = connection.createStatement().executeQuery("select version()")) {
      while (rows.next()) System.out.println(rows.getString(1));
      assertThat(pool.snapshot().maxSize()).isEqualTo(20);
      assertThat(pool.toString()).doesNotContain(app.password());
    } finally {
      System.setOut(originalOut);
    }
    String version = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(version).startsWith("PostgreSQL");
  }

  @Test
  void databaseUrlParametersReachTheServer() throws Exception {
    String url = app.databaseUrl() + "?application_name=pw-from-url&schema=other&pgbouncer=true&connect_timeout=3";
    try (var pool = PoolwiseDataSource.fromUrl(url); Connection connection = pool.getConnection()) {
      assertThat(queryString(connection, "show application_name")).isEqualTo("pw-from-url");
      assertThat(queryString(connection, "select current_schema()")).isEqualTo("other");
      assertThat(server.countConnections("pw-from-url")).isEqualTo(1);
    }
  }

  @Test
  void runsRealQueries(TestInfo test) throws Exception {
    try (PoolwiseDataSource pool = builder(name(test)).build()) {
      try (Connection connection = pool.getConnection();
           PreparedStatement insert = connection.prepareStatement("insert into items(name) values (?)")) {
        insert.setString(1, "widget");
        assertThat(insert.executeUpdate()).isEqualTo(1);
      }
      try (Connection connection = pool.getConnection();
           PreparedStatement select = connection.prepareStatement("select count(*) from items where name = ?")) {
        select.setString(1, "widget");
        try (ResultSet rows = select.executeQuery()) {
          assertThat(rows.next()).isTrue();
          assertThat(rows.getInt(1)).isGreaterThanOrEqualTo(1);
          assertThat(rows.getStatement()).isSameAs(select);
          assertThat(rows.getStatement().getConnection()).isSameAs(connection);
        }
        assertThat(connection.getMetaData().getConnection()).isSameAs(connection);
      }
    }
  }

  @Test
  void returnRollsBackAndRestoresSessionStateAsSeenByTheServer(TestInfo test) throws Exception {
    try (PoolwiseDataSource pool = builder(name(test)).maxSize(1).build()) {
      String marker = "uncommitted-" + System.nanoTime();
      try (Connection connection = pool.getConnection()) {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        connection.setReadOnly(false);
        connection.setSchema("other");
        try (PreparedStatement insert = connection.prepareStatement("insert into public.items(name) values (?)")) {
          insert.setString(1, marker);
          insert.executeUpdate();
        }
        connection.setNetworkTimeout(Runnable::run, 12_345);
        // left open on purpose: the return must close it
        connection.createStatement();
      }
      try (Connection observer = openAppConnection();
           PreparedStatement select = observer.prepareStatement("select count(*) from items where name = ?")) {
        select.setString(1, marker);
        try (ResultSet rows = select.executeQuery()) {
          rows.next();
          assertThat(rows.getInt(1)).as("the open transaction was rolled back").isZero();
        }
      }
      try (Connection connection = pool.getConnection()) {
        assertThat(connection.getAutoCommit()).isTrue();
        assertThat(queryString(connection, "show transaction_isolation")).isEqualTo("read committed");
        assertThat(queryString(connection, "select current_schema()")).isEqualTo("public");
        assertThat(queryString(connection, "show transaction_read_only")).isEqualTo("off");
        assertThat(connection.getNetworkTimeout()).isZero();
      }
      try (Connection connection = pool.getConnection()) {
        connection.setReadOnly(true);
      }
      try (Connection connection = pool.getConnection()) {
        assertThat(queryString(connection, "show transaction_read_only")).isEqualTo("off");
      }
      assertThat(pool.snapshot().total()).isEqualTo(1);
    }
  }

  @Test
  void terminatedBackendsAreEvictedAndReplaced(TestInfo test) throws Exception {
    String applicationName = name(test);
    try (PoolwiseDataSource pool = builder(applicationName).minIdle(3).validateAfterIdle(Duration.ZERO).build()) {
      await().until(() -> server.countConnections(applicationName) == 3);
      Connection inFlight = pool.getConnection();

      assertThat(server.terminateBackends(applicationName)).isEqualTo(3);

      // The connection in use at that moment fails its next statement with "terminating connection"...
      assertThatThrownBy(() -> queryString(inFlight, "select 1"))
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isIn("57P01", "08006", "08003"));
      inFlight.close();
      // ...and every later borrow gets a working replacement.
      for (int i = 0; i < 5; i++) {
        try (Connection connection = pool.getConnection()) {
          assertThat(queryString(connection, "select 'alive'")).isEqualTo("alive");
        }
      }
      await().until(() -> server.countConnections(applicationName) == pool.snapshot().total());
      assertInvariants(pool);
    }
    await().until(() -> server.countConnections(applicationName) == 0);
  }

  @Test
  void recoversAfterTheServerRestarts(TestInfo test) throws Exception {
    String applicationName = name(test);
    try (PoolwiseDataSource pool = builder(applicationName).minIdle(2).validateAfterIdle(Duration.ZERO)
        .acquireTimeout(Duration.ofSeconds(2)).build()) {
      await().until(() -> server.countConnections(applicationName) == 2);
      server.stop();
      try {
        assertThatThrownBy(pool::getConnection)
            .isInstanceOfSatisfying(PoolTimeoutException.class, timeout ->
                assertThat(timeout.getMessage()).contains("cannot open more: the database cannot be reached"));
      } finally {
        server.startAgain();
      }
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        try (Connection connection = pool.getConnection()) {
          return "alive".equals(queryString(connection, "select 'alive'"));
        }
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.snapshot().idle() >= 2
          && server.countConnections(applicationName) == pool.snapshot().total());
      assertInvariants(pool);
    }
  }

  @Test
  void hammeringWithBackendKillsKeepsPoolAndServerInAgreement(TestInfo test) throws Exception {
    String applicationName = name(test);
    try (PoolwiseDataSource pool = builder(applicationName).maxSize(6).acquireTimeout(Duration.ofSeconds(30))
        .validateAfterIdle(Duration.ofMillis(50)).build()) {
      ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
      AtomicInteger completed = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      Runnable worker = () -> {
        for (int i = 0; i < 150; i++) {
          try (Connection connection = pool.getConnection();
               PreparedStatement statement = connection.prepareStatement("select pg_backend_pid()")) {
            statement.executeQuery().close();
            completed.incrementAndGet();
          } catch (SQLException e) {
            // Statements in flight when a backend is killed fail; nothing else may.
            if (!BrokenConnections.isBroken(e)) {
              unexpected.add(e.toString());
            }
          }
        }
      };
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        threads.add(Thread.ofPlatform().start(worker));
      }
      for (int i = 0; i < 50; i++) {
        threads.add(Thread.ofVirtual().start(worker));
      }
      Thread killer = Thread.ofPlatform().start(() -> {
        while (running.get()) {
          try {
            server.terminateBackends(applicationName);
            Thread.sleep(100); // pacing of the disturbance, not a wait for a condition
          } catch (Exception e) {
            return;
          }
        }
      });
      for (Thread thread : threads) {
        thread.join();
      }
      running.set(false);
      killer.join();

      assertThat(unexpected).isEmpty();
      assertThat(completed.get()).isGreaterThan(0);
      assertInvariants(pool);
      // Quiet now: validate everything once, then the server must see exactly the pool's connections.
      pool.softEvictAll();
      try (Connection connection = pool.getConnection()) {
        assertThat(queryString(connection, "select 'alive'")).isEqualTo("alive");
      }
      await().until(() -> server.countConnections(applicationName) == pool.snapshot().total());
      assertThat(pool.snapshot().total()).isLessThanOrEqualTo(6);
    }
    await().until(() -> server.countConnections(applicationName) == 0);
  }
}
