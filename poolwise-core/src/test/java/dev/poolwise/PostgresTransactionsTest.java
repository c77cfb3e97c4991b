package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwise.embedded.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** inTransaction against a real PostgreSQL: real serialization failures, a real deadlock, a real lost commit. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresTransactionsTest {

  private static PostgresServer server;
  private static PostgresServer.AppUser app;
  private static PoolwiseDataSource pool;

  @BeforeAll
  static void start() throws SQLException {
    server = PostgresServer.start();
    app = server.createAppUser("tx_app", "Tr4nsact!");
    pool = PoolwiseDataSource.builder().url(app.jdbcUrl()).username(app.username()).password(app.password())
        .poolName("tx").maxSize(8).driverProperty("ApplicationName", "pw-tx")
        .multipleAcquisition(MultipleAcquisition.ALLOW).build();
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("create table counters (id int primary key, n int not null)");
      statement.execute("create table accounts (id int primary key, balance int not null)");
      statement.execute("create table journal (id serial primary key, note text not null)");
    }
  }

  @AfterAll
  static void stop() {
    if (pool != null) {
      pool.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void resetData() throws SQLException {
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("truncate counters, accounts, journal");
      statement.execute("insert into counters values (1, 0)");
      statement.execute("insert into accounts values (1, 100), (2, 100)");
    }
  }

  private static int queryInt(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getInt(1);
    }
  }

  @Test
  void concurrentSerializableIncrementsAreEachAppliedExactlyOnce() throws Exception {
    int threads = 4;
    int incrementsPerThread = 25;
    AtomicInteger runs = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    RetryPolicy policy = RetryPolicy.defaults().withIsolation(Connection.TRANSACTION_SERIALIZABLE)
        .withMaxAttempts(50).withBackoff(Duration.ofMillis(1), Duration.ofMillis(50));
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < incrementsPerThread; i++) {
          try {
            pool.inTransaction(connection -> {
              runs.incrementAndGet();
              int n = queryInt(connection, "select n from counters where id = 1");
              try (PreparedStatement update = connection.prepareStatement("update counters set n = ? where id = 1")) {
                update.setInt(1, n + 1);
                update.executeUpdate();
              }
              return null;
            }, policy);
          } catch (Throwable e) {
            failures.add(e);
          }
        }
      }));
    }
    for (Thread worker : workers) {
      worker.join();
    }
    assertThat(failures).isEmpty();
    try (Connection connection = pool.getConnection()) {
      assertThat(queryInt(connection, "select n from counters where id = 1"))
          .as("every increment applied exactly once").isEqualTo(threads * incrementsPerThread);
    }
    // Read-then-write under SERIALIZABLE from four threads conflicts; the retries are what made it exact.
    assertThat(runs.get()).as("work runs, including retries after 40001").isGreaterThan(threads * incrementsPerThread);
  }

  @Test
  void aDeliberateDeadlockResolvesByRetryingTheVictim() throws Exception {
    CyclicBarrier bothHoldTheirFirstRow = new CyclicBarrier(2);
    AtomicInteger runs = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    RetryPolicy policy = RetryPolicy.defaults().withBackoff(Duration.ofMillis(10), Duration.ofMillis(100));
    List<Thread> transfers = new ArrayList<>();
    for (int[] order : new int[][] {{1, 2}, {2, 1}}) {
      transfers.add(Thread.ofPlatform().start(() -> {
        AtomicInteger attempt = new AtomicInteger();
        try {
          pool.inTransaction(connection -> {
            runs.incrementAndGet();
            try (Statement statement = connection.createStatement()) {
              statement.executeUpdate("update accounts set balance = balance - 10 where id = " + order[0]);
              if (attempt.incrementAndGet() == 1) {
                bothHoldTheirFirstRow.await(10, TimeUnit.SECONDS); // now each waits for the other's row
              }
              statement.executeUpdate("update accounts set balance = balance + 10 where id = " + order[1]);
            } catch (InterruptedException | java.util.concurrent.BrokenBarrierException
                | java.util.concurrent.TimeoutException e) {
              throw new SQLException("barrier", e);
            }
            return null;
          }, policy);
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
    }
    for (Thread transfer : transfers) {
      transfer.join();
    }
    assertThat(failures).isEmpty();
    assertThat(runs.get()).as("the deadlock victim (40P01) ran again").isEqualTo(3);
    try (Connection connection = pool.getConnection()) {
      assertThat(queryInt(connection, "select sum(balance) from accounts")).isEqualTo(200);
      assertThat(queryInt(connection, "select balance from accounts where id = 1")).isEqualTo(100);
    }
  }

  @Test
  void aCommitLostWithItsConnectionIsReportedNotRepeated() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    assertThatThrownBy(() -> pool.inTransaction(connection -> {
      runs.incrementAndGet();
      try (Statement statement = connection.createStatement()) {
        statement.executeUpdate("insert into journal(note) values ('charge card 42')");
      }
      int pid = queryInt(connection, "select pg_backend_pid()");
      try (Connection admin = server.openSuperuserConnection(); Statement kill = admin.createStatement()) {
        kill.execute("select pg_terminate_backend(" + pid + ")");
      }
      return null; // inTransaction now sends COMMIT on a connection the server has just closed
    })).isInstanceOf(CommitOutcomeUnknownException.class).hasMessageContaining("not run again");
    assertThat(runs.get()).isEqualTo(1);
    try (Connection connection = pool.getConnection()) {
      assertThat(queryInt(connection, "select count(*) from journal"))
          .as("this time the server had rolled back; the client could not have known").isZero();
    }
  }
}
