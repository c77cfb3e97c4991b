package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.embedded.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Poolwise behind a real PgBouncer (Debian's 1.18, transaction mode, which has no {@code max_prepared_statements})
 * on an embedded PostgreSQL with {@code max_connections = 30}. With {@code POOLWISE_REQUIRE_TEST_PREREQUISITES=true}
 * (set by .ci/run) a missing pgbouncer fails these tests instead of skipping them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PoolBehindPgBouncerTest {

  private static final int SERVER_POOL = 3;
  private static PostgresServer server;
  private static PgBouncerProcess bouncer;
  private static PostgresServer.AppUser app;

  @BeforeAll
  static void start() throws Exception {
    Path binary = PgBouncerTests.binaryOrSkip();
    server = PostgresServer.start(30);
    app = server.createAppUser("bounced_app", "B0unc3d:Secret/1");
    DatabaseTarget target = new DatabaseTarget("127.0.0.1", server.port(), app.database(), app.username(),
        app.password(), Map.of());
    bouncer = PgBouncerProcess.start(binary, target, 60, SERVER_POOL);
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

  private static PoolwiseDataSource pool(String parameters, int maxSize) throws SQLException {
    return PoolwiseDataSource.builder().url("jdbc:postgresql://127.0.0.1:" + bouncer.port() + "/" + app.database()
        + parameters).username(app.username()).password(app.password()).maxSize(maxSize)
        .acquireTimeout(Duration.ofSeconds(20)).build();
  }

  /** Threads that each run the same prepared statements {@code rounds} times; returns failures, keeps the first. */
  private static int hammer(PoolwiseDataSource pool, int threads, int rounds, AtomicReference<Throwable> first)
      throws InterruptedException {
    AtomicInteger failures = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread.ofPlatform().daemon().start(() -> {
        try {
          for (int round = 0; round < rounds; round++) {
            try (Connection connection = pool.getConnection();
                 PreparedStatement statement = connection.prepareStatement("select ?::int + 1, pg_backend_pid()")) {
              // Repeated executions on one statement: pgjdbc switches to a named server-side statement after
              // prepareThreshold (5) uses, unless pgbouncer=true set it to 0.
              for (int i = 0; i < 6; i++) {
                statement.setInt(1, thread * 1000 + round);
                try (ResultSet row = statement.executeQuery()) {
                  row.next();
                  assertThat(row.getInt(1)).isEqualTo(thread * 1000 + round + 1);
                }
              }
            } catch (SQLException | AssertionError e) {
              failures.incrementAndGet();
              first.compareAndSet(null, e);
            }
          }
        } finally {
          done.countDown();
        }
      });
    }
    assertThat(done.await(120, TimeUnit.SECONDS)).isTrue();
    return failures.get();
  }

  @Test
  void preparedStatementsWorkUnderConcurrentLoadWithPgbouncerTrue() throws Exception {
    try (PoolwiseDataSource pool = pool("?pgbouncer=true", 12)) {
      AtomicReference<Throwable> first = new AtomicReference<>();
      int failures = hammer(pool, 12, 40, first);
      assertThat(failures).as("failures, first: %s", first.get()).isZero();
      assertThat(server.countConnections()).as("server connections behind PgBouncer").isLessThanOrEqualTo(SERVER_POOL);
    }
  }

  @Test
  void withoutPgbouncerTrueNamedServerStatementsBreakUnderTransactionPooling() throws Exception {
    // The control: what pgbouncer=true (prepareThreshold=0) prevents on PgBouncer 1.18.
    try (PoolwiseDataSource pool = pool("", 12)) {
      AtomicReference<Throwable> first = new AtomicReference<>();
      int failures = hammer(pool, 12, 40, first);
      assertThat(failures).isPositive();
      assertThat(first.get()).hasMessageContaining("prepared statement");
    }
  }

  @Test
  void doctorGroupsFleetMembersByTheirApplicationNames() {
    String fleets = DoctorFleets.fleets(java.util.Arrays.asList("pwf:orders:aaaa0001", "pwf:orders:aaaa0001",
        "pwf:orders:aaaa0001:7", "pwf:orders:bbbb0002 orders-api", "psql", null));
    assertThat(fleets).contains("orders: 2 members, 3 pooled connections + 1 beacons",
        "member aaaa0001: 2 connections, demand 7", "member bbbb0002: 1 connections, demand unknown (no beacon)");
    assertThat(DoctorFleets.fleets(List.of("psql"))).isEmpty();
  }

  @Test
  void theServerBudgetIsPgBouncersNotThePools() throws Exception {
    // 40 client connections held at once on a server that allows 27 for ordinary roles: PgBouncer multiplexes
    // them over its server pool of 3, so nothing is refused and the pool neither warns nor caps itself (its fleet
    // setting is ignored: PgBouncer owns the server budget).
    try (PoolwiseDataSource pool = pool("?pgbouncer=true&fleet=web", 40)) {
      List<Connection> held = new ArrayList<>();
      try {
        for (int i = 0; i < 40; i++) {
          held.add(pool.getConnection());
        }
        assertThat(pool.snapshot().total()).isEqualTo(40);
        assertThat(pool.snapshot().creationFailures()).isZero();
        assertThat(pool.snapshot().fleet()).isNull();
        assertThat(server.countConnections()).isLessThanOrEqualTo(SERVER_POOL);
      } finally {
        for (Connection connection : held) {
          connection.close();
        }
      }
    }
  }
}
