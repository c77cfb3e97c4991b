package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.embedded.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code advise --url}: observing a live workload whose offered load is known by construction. */
class AdviseObserveTest {

  private static final String PASSWORD = "Observe-pw-7781";
  private static PostgresServer server;
  private static PostgresServer.AppUser appUser;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
    appUser = server.createAppUser("observe_app", PASSWORD);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /**
   * Three connections that each run pg_sleep(0.02) back to back are busy nearly all the time, and two more
   * sit idle: the offered load is just under 3, and idle connections must not count.
   */
  @Test
  void measuresTheBusyConnectionsAsTheOfferedLoad() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> workers = new ArrayList<>();
    List<Connection> connections = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        Properties properties = appUser.connectionProperties();
        properties.setProperty("ApplicationName", "busy-app");
        connections.add(DriverManager.getConnection(appUser.jdbcUrl(), properties));
      }
      for (int i = 0; i < 3; i++) {
        Connection connection = connections.get(i);
        Thread worker = Thread.ofPlatform().name("busy-" + i).start(() -> {
          try (Statement statement = connection.createStatement()) {
            while (running.get()) {
              statement.execute("select pg_sleep(0.02)");
            }
          } catch (SQLException e) {
            if (running.get()) {
              throw new IllegalStateException(e);
            }
          }
        });
        workers.add(worker);
      }

      PrintStream originalOut = System.out;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exitCode;
      try {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        exitCode = PoolwiseLab.execute("advise", "--url", appUser.databaseUrl(), "--observe-seconds", "3",
            "--sample-ms", "20", "--application-name", "busy-app");
      } finally {
        System.setOut(originalOut);
      }
      String text = out.toString(StandardCharsets.UTF_8);

      assertThat(exitCode).as(text).isZero();
      assertThat(text).doesNotContain(PASSWORD);
      assertThat(text).contains("connections with application_name 'busy-app' to localhost:" + server.port()
          + "/observe_app", "of 5.0 connected on average", "max_connections 100");
      java.util.regex.Matcher busy = java.util.regex.Pattern.compile("Busy \\(active or idle in transaction\\):"
          + " mean (\\d+\\.\\d+), peak (\\d+)").matcher(text);
      assertThat(busy.find()).as(text).isTrue();
      assertThat(Double.parseDouble(busy.group(1))).isBetween(2.0, 3.0);
      assertThat(Integer.parseInt(busy.group(2))).isEqualTo(3);
      // Rate from the database's transaction counter: about 3 / 20 ms = 150/s on an idle machine, less when
      // the machine is loaded; the hold derived from it is at least the 20 ms sleep.
      java.util.regex.Matcher hold = java.util.regex.Pattern.compile("mean hold = load ÷ rate = (\\d+\\.\\d+) ms")
          .matcher(text);
      assertThat(hold.find()).as(text).isTrue();
      assertThat(Double.parseDouble(hold.group(1))).isBetween(15.0, 200.0);
      assertThat(text).contains("Recommended pool size: ");
    } finally {
      running.set(false);
      for (Thread worker : workers) {
        worker.join(5_000);
      }
      for (Connection connection : connections) {
        connection.close();
      }
    }
  }
}
