package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.embedded.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code doctor} against a real PostgreSQL with sessions this test puts into known states. */
class DoctorCommandTest {

  /** Contains characters that must be percent-encoded in a DATABASE_URL, so both spellings are checked. */
  private static final String PASSWORD = "s3cret/Doctor@pw";

  private static PostgresServer server;
  private static PostgresServer.AppUser appUser;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
    appUser = server.createAppUser("doctor_app", PASSWORD);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** Output, error output and exit code of one CLI run. */
  record Run(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static synchronized Run doctor(String... arguments) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      String[] withCommand = new String[arguments.length + 1];
      withCommand[0] = "doctor";
      System.arraycopy(arguments, 0, withCommand, 1, arguments.length);
      int exitCode = dev.poolwise.lab.PoolwiseLab.execute(withCommand);
      return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  private static Connection appConnection(String applicationName) throws SQLException {
    Properties properties = appUser.connectionProperties();
    properties.setProperty("ApplicationName", applicationName);
    return DriverManager.getConnection(appUser.jdbcUrl(), properties);
  }

  /** Opens a transaction, runs a query in it and leaves it open: the session is "idle in transaction". */
  private static int leaveIdleInTransaction(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement();
        ResultSet pid = statement.executeQuery("select pg_backend_pid() /* report export */")) {
      pid.next();
      return pid.getInt(1);
    }
  }

  @Test
  void namesTheSessionIdleInTransactionAndTheVerdictSaysSo() throws SQLException {
    try (Connection idle = appConnection("report-exporter")) {
      int pid = leaveIdleInTransaction(idle);

      Run run = doctor("--url", server.superuserJdbcUrl());

      assertThat(run.err()).isEmpty();
      String out = run.out();
      assertThat(out).contains("PostgreSQL 14", "max_connections 100", "superuser_reserved_connections 3",
          "97 available to ordinary roles", "superuser");
      assertThat(out).contains("Sessions idle in transaction: 1");
      String idleSection = out.substring(out.indexOf("Sessions idle in transaction"), out.indexOf("Longest-running"));
      assertThat(idleSection).contains(String.valueOf(pid), "report-exporter", "doctor_app",
          "select pg_backend_pid() /* report export */");
      // Grouped by application, user and state.
      assertThat(out).containsPattern("1\\s+report-exporter\\s+doctor_app\\s+idle in transaction");
      String verdict = out.substring(out.indexOf("Verdict:"));
      assertThat(verdict).contains("idle in transaction", "pid " + pid, "report-exporter");
      assertThat(run.exitCode()).isZero(); // only just idle: below the 30 s threshold, so mentioned, not a problem

      // With a threshold the session exceeds, it is the problem the verdict leads with.
      Run strict = doctor("--url", server.superuserJdbcUrl(), "--idle-seconds", "0");
      assertThat(strict.exitCode()).isEqualTo(1);
      assertThat(strict.out().substring(strict.out().indexOf("Verdict:")))
          .contains("1 session idle in transaction for over 0.0 s", "pid " + pid + " (report-exporter, doctor_app)",
              "idle_in_transaction_session_timeout");
    }
  }

  @Test
  void showsWhoBlocksASessionWaitingOnALock() throws Exception {
    try (Connection setup = server.openSuperuserConnection(); Statement statement = setup.createStatement()) {
      statement.execute("create table if not exists doctor_accounts (id int primary key, balance int)");
      statement.execute("insert into doctor_accounts values (1, 100) on conflict do nothing");
    }
    try (Connection holder = server.openSuperuserConnection(); Connection waiter = server.openSuperuserConnection()) {
      holder.setAutoCommit(false);
      int holderPid;
      try (Statement statement = holder.createStatement()) {
        statement.execute("update doctor_accounts set balance = balance - 1 where id = 1");
        try (ResultSet pid = statement.executeQuery("select pg_backend_pid()")) {
          pid.next();
          holderPid = pid.getInt(1);
        }
      }
      int waiterPid;
      try (Statement statement = waiter.createStatement(); ResultSet pid = statement.executeQuery("select pg_backend_pid()")) {
        pid.next();
        waiterPid = pid.getInt(1);
      }
      CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
        try (Statement statement = waiter.createStatement()) {
          statement.execute("update doctor_accounts set balance = balance + 1 where id = 1");
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      awaitLockWait(waiterPid);

      Run run = doctor("--url", server.superuserJdbcUrl());

      String locks = run.out().substring(run.out().indexOf("Sessions waiting on locks"), run.out().indexOf("Verdict:"));
      assertThat(locks).contains("Sessions waiting on locks: 1", String.valueOf(waiterPid), String.valueOf(holderPid),
          "transactionid", "update doctor_accounts set balance = balance + 1");
      assertThat(run.out().substring(run.out().indexOf("Verdict:")))
          .contains("1 session is waiting on locks", "pid " + waiterPid, "blocked by pid " + holderPid,
              "idle in transaction)");
      assertThat(run.exitCode()).isEqualTo(1);

      holder.rollback();
      blocked.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void neverPrintsThePasswordAndSaysWhatAnOrdinaryRoleCannotSee() throws SQLException {
    try (Connection other = server.openSuperuserConnection()) {
      Run run = doctor("--url", appUser.databaseUrl());

      assertThat(run.exitCode()).as(run.all()).isIn(0, 1);
      assertThat(run.all()).doesNotContain(PASSWORD).doesNotContain(PostgresServerUrls.encoded(PASSWORD))
          .doesNotContain("s3cret");
      assertThat(run.out()).startsWith("Server localhost:" + server.port() + "/doctor_app\n");
      assertThat(run.out()).contains("connected as doctor_app (ordinary role", "(hidden)");
      assertThat(run.out().substring(run.out().indexOf("Verdict:"))).contains("ordinary role doctor_app",
          "pg_read_all_stats");
    }
  }

  @Test
  void aWrongPasswordFailsWithoutEchoingIt() {
    String wrong = "Wr0ngPassw0rd-xyz";
    Run run = doctor("--url", "postgresql://doctor_app:" + wrong + "@localhost:" + server.port() + "/doctor_app");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Could not connect to localhost:" + server.port() + "/doctor_app");
    assertThat(run.all()).doesNotContain(wrong);
  }

  @Test
  void refusesARemoteHostUnlessAllowed() {
    Run run = doctor("--url", "postgresql://someone:hunter22@192.0.2.10:5432/app");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("192.0.2.10", "not a loopback address", "--allow-remote");
    assertThat(run.all()).doesNotContain("hunter22");
  }

  @Test
  void helpHasExamples() {
    Run run = doctor("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--url", "--allow-remote", "--idle-seconds", "Examples:", "./poolwise doctor");
  }

  /** Percent-encoding as a DATABASE_URL spells it (the testkit's own helper is package-private). */
  static final class PostgresServerUrls {
    static String encoded(String text) {
      return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
  }

  private static void awaitLockWait(int pid) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try (Connection observer = server.openSuperuserConnection();
        java.sql.PreparedStatement query = observer.prepareStatement(
            "select wait_event_type = 'Lock' from pg_stat_activity where pid = ?")) {
      query.setInt(1, pid);
      while (System.nanoTime() < deadline) {
        try (ResultSet result = query.executeQuery()) {
          if (result.next() && result.getBoolean(1)) {
            return;
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("pid " + pid + " never started waiting on the row lock");
  }
}
