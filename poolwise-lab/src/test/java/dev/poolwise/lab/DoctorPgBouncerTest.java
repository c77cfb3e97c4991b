package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import dev.poolwise.embedded.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code doctor --pgbouncer}: PgBouncer's own view read from a real PgBouncer's admin console (Debian's 1.18,
 * SCRAM-SHA-256 login) in front of an embedded PostgreSQL, with clients this test makes wait; plus the verdict
 * from constructed console rows. With {@code POOLWISE_REQUIRE_TEST_PREREQUISITES=true} (set by .ci/run) a
 * missing pgbouncer fails the integration test instead of skipping it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DoctorPgBouncerTest {

  /** Characters a DATABASE_URL must percent-encode, so the scrubbing of both spellings is exercised. */
  private static final String PASSWORD = "B0unc3r/Admin@pw";
  private static final int SERVER_POOL = 2;

  private static PostgresServer server;
  private static PostgresServer.AppUser app;
  private static PgBouncerProcess bouncer;

  @BeforeAll
  static void start() throws Exception {
    Path binary = PgBouncerTests.binaryOrSkip();
    server = PostgresServer.start(30);
    app = server.createAppUser("doctor_bounced", PASSWORD);
    DatabaseTarget target = new DatabaseTarget("127.0.0.1", server.port(), app.database(), app.username(),
        app.password(), Map.of());
    bouncer = PgBouncerProcess.start(binary, target, 40, SERVER_POOL); // the app role is one of its admin_users
  }

  @AfterAll
  static void stop() {
    if (bouncer != null) {
      bouncer.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static String adminUrl() {
    return "postgresql://" + app.username() + ":" + DoctorCommandTest.PostgresServerUrls.encoded(PASSWORD)
        + "@127.0.0.1:" + bouncer.port() + "/pgbouncer";
  }

  private static Connection throughBouncer(String applicationName) throws SQLException {
    Properties properties = app.connectionProperties();
    properties.setProperty("ApplicationName", applicationName);
    // In the startup packet, so that PgBouncer knows the name of a client still waiting for its first server
    // connection (below 9.0 pgjdbc sends SET application_name as a query, which waits with the client).
    properties.setProperty("assumeMinServerVersion", "12");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + bouncer.port() + "/" + app.database(),
        properties);
  }

  private static int waitingClients() throws SQLException {
    try (PgBouncerConsole console = PgBouncerConsole.connect("127.0.0.1", bouncer.port(), app.username(), PASSWORD,
        Duration.ofSeconds(10))) {
      return console.show("SHOW POOLS").stream().filter(row -> app.database().equals(row.get("database")))
          .mapToInt(row -> Integer.parseInt(row.get("cl_waiting"))).sum();
    }
  }

  @Test
  void showsWaitingClientsAndBlamesTheFullServerPool() throws Exception {
    List<Connection> holders = new ArrayList<>();
    List<Thread> waiters = new ArrayList<>();
    try {
      for (int i = 0; i < SERVER_POOL; i++) { // open transactions: each keeps one server connection (transaction mode)
        Connection holder = throughBouncer("report-exporter");
        holder.setAutoCommit(false);
        try (Statement statement = holder.createStatement()) {
          statement.execute("select 1");
        }
        holders.add(holder);
      }
      for (int i = 0; i < 3; i++) { // these queue in PgBouncer until a holder's transaction ends
        waiters.add(Thread.ofPlatform().daemon().start(() -> {
          try (Connection waiter = throughBouncer("page-api"); Statement statement = waiter.createStatement()) {
            statement.execute("select 1");
          } catch (SQLException e) {
            throw new AssertionError(e);
          }
        }));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> waitingClients() == 3);

      DoctorCommandTest.Run run = DoctorCommandTest.doctor("--url", server.superuserJdbcUrl(), "--pgbouncer",
          adminUrl());

      assertThat(run.err()).isEmpty();
      String out = run.out();
      String section = out.substring(out.indexOf("PgBouncer 127.0.0.1:" + bouncer.port()));
      assertThat(section).contains("PgBouncer 1.", "PgBouncer pools (SHOW POOLS)",
          app.database() + "/" + app.username(), "transaction");
      assertThat(section).containsPattern("3\\s+" + app.database() + "\\s+" + app.username() + "\\s+page-api\\s+waiting");
      assertThat(section).containsPattern(SERVER_POOL + "\\s+" + app.database() + "\\s+" + app.username()
          + "\\s+report-exporter\\s+active");
      assertThat(section.substring(section.indexOf("Verdict (PgBouncer):")))
          .contains("3 clients wait for a server connection in PgBouncer pool " + app.database() + "/" + app.username(),
              "its server pool is full (2 of 2 server connections in transactions)");
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.all()).doesNotContain(PASSWORD).doesNotContain(DoctorCommandTest.PostgresServerUrls.encoded(PASSWORD));
    } finally {
      for (Connection holder : holders) {
        holder.rollback();
        holder.close();
      }
      for (Thread waiter : waiters) {
        waiter.join(TimeUnit.SECONDS.toMillis(30));
      }
    }

    DoctorCommandTest.Run calm = DoctorCommandTest.doctor("--url", server.superuserJdbcUrl(), "--pgbouncer", adminUrl());
    assertThat(calm.out()).contains("Verdict (PgBouncer): no client waits for a server connection.");
    assertThat(calm.exitCode()).isZero();
  }

  @Test
  void aWrongPasswordAndAWrongDatabaseFailClearlyWithoutEchoingThePassword() {
    DoctorCommandTest.Run wrong = DoctorCommandTest.doctor("--url", server.superuserJdbcUrl(), "--pgbouncer",
        "postgresql://" + app.username() + ":Wr0ngSecret!@127.0.0.1:" + bouncer.port() + "/pgbouncer");
    assertThat(wrong.exitCode()).isEqualTo(2);
    assertThat(wrong.err()).contains("reading PgBouncer's admin console at 127.0.0.1:" + bouncer.port() + " failed")
        .doesNotContain("Wr0ngSecret!");

    DoctorCommandTest.Run notTheConsole = DoctorCommandTest.doctor("--url", server.superuserJdbcUrl(), "--pgbouncer",
        "postgresql://admin@127.0.0.1:" + bouncer.port() + "/" + app.database());
    assertThat(notTheConsole.exitCode()).isEqualTo(2);
    assertThat(notTheConsole.err()).contains("admin console database \"pgbouncer\"");

    DoctorCommandTest.Run remote = DoctorCommandTest.doctor("--url", server.superuserJdbcUrl(), "--pgbouncer",
        "postgresql://admin@203.0.113.9:6432/pgbouncer");
    assertThat(remote.exitCode()).isEqualTo(2);
    assertThat(remote.err()).contains("not a loopback address");
  }

  @Test
  void theConsoleAnswersShowCommandsAndRefusesOthersWithItsOwnMessage() throws SQLException {
    try (PgBouncerConsole console = PgBouncerConsole.connect("127.0.0.1", bouncer.port(), app.username(), PASSWORD,
        Duration.ofSeconds(10))) {
      assertThat(console.parameters()).containsKey("server_version");
      assertThat(console.show("SHOW DATABASES")).anySatisfy(row ->
          assertThat(row).containsEntry("name", app.database()).containsEntry("pool_size", "2"));
      assertThatThrownBy(() -> console.show("SHOW NOTHING_SUCH")).isInstanceOf(SQLException.class)
          .hasMessageContaining("PgBouncer's admin console refused SHOW NOTHING_SUCH");
      assertThat(console.show("SHOW VERSION")).hasSize(1); // the session survives a refused command
    }
  }

  /* --- The verdict from constructed rows --- */

  private static Map<String, String> poolRow(String database, int active, int waiting, int serversActive,
      int serversIdle, int maxWaitSeconds) {
    return Map.ofEntries(Map.entry("database", database), Map.entry("user", "app"),
        Map.entry("pool_mode", "transaction"), Map.entry("cl_active", "" + active),
        Map.entry("cl_waiting", "" + waiting), Map.entry("sv_active", "" + serversActive),
        Map.entry("sv_idle", "" + serversIdle), Map.entry("sv_used", "0"), Map.entry("sv_login", "0"),
        Map.entry("maxwait", "" + maxWaitSeconds), Map.entry("maxwait_us", "500000"));
  }

  @Test
  void waitingBehindAPoolWithRoomBlamesWhatKeepsPgBouncerFromConnecting() {
    List<DoctorPgBouncer.Pool> pools = DoctorPgBouncer.pools(List.of(poolRow("shop", 20, 7, 5, 0, 2),
        poolRow("pgbouncer", 1, 0, 0, 0, 0)), Map.of("shop", 20));
    assertThat(pools).hasSize(1); // the console's own pseudo-database is left out
    DoctorPgBouncer.View view = new DoctorPgBouncer.View("PgBouncer 1.18.0", pools, List.of());
    assertThat(view.problems()).singleElement().asString()
        .contains("7 clients wait for a server connection in PgBouncer pool shop/app (the longest for 2.5 s)",
            "although only 5 of 20 server connections are in use", "max_db_connections");
  }

  @Test
  void noWaitingClientsIsNoProblem() {
    DoctorPgBouncer.View view = new DoctorPgBouncer.View("PgBouncer 1.18.0",
        DoctorPgBouncer.pools(List.of(poolRow("shop", 4, 0, 2, 3, 0)), Map.of("shop", 5)),
        DoctorPgBouncer.clients(List.of(Map.of("database", "shop", "user", "app", "application_name", "api",
            "state", "active", "wait", "0", "wait_us", "0"))));
    assertThat(view.problems()).isEmpty();
    assertThat(view.render("127.0.0.1:6432", 10)).contains("shop/app", "Verdict (PgBouncer): no client waits");
  }

  @Test
  void md5AnswerIsPostgresqlsDoubleHash() {
    // md5(md5(password + user) as hex + salt) as hex, "md5"-prefixed; the value computed independently (Python).
    assertThat(PgBouncerConsole.md5Password("admin", "s3cret", HexFormat.of().parseHex("01020304")))
        .isEqualTo("md50c72a2e14b392e10b824184507f46a33");
  }
}
