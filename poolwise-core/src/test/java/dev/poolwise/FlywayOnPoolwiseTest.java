package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwise.embedded.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Flyway on a fresh pool, as an application runs it at every start: {@code migrate()} and {@code clean()}
 * deliberately borrow a second connection while holding the first. On a pool with room to spare that is
 * no risk, so the default {@link MultipleAcquisition#WARN} logs nothing; that Flyway really does borrow
 * twice is shown by {@link MultipleAcquisition#FAIL}, which refuses it.
 */
@Isolated("captures System.err")
class FlywayOnPoolwiseTest {

  private static PostgresServer server;
  private static PostgresServer.AppUser app;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
    app = server.createAppUser("flyway_app", "Flyw@y:Secret/13");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static PoolwiseDataSource.Builder pool(String name) {
    return PoolwiseDataSource.builder().poolName(name).url(app.jdbcUrl()).username(app.username())
        .password(app.password()).acquireTimeout(Duration.ofSeconds(10));
  }

  private static Flyway flyway(PoolwiseDataSource pool) {
    return Flyway.configure().dataSource(pool).locations("classpath:dev/poolwise/flyway").cleanDisabled(false).load();
  }

  @Test
  void migrateAndCleanOnAFreshPoolLogNoWarning() throws Exception {
    String log;
    try (CapturedStderr logged = new CapturedStderr()) {
      try (PoolwiseDataSource pool = pool("flyway-fresh").build()) {
        assertThat(flyway(pool).migrate().migrationsExecuted).isEqualTo(2);
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select count(*) from orders")) {
          rows.next();
          assertThat(rows.getInt(1)).isEqualTo(1);
        }
        flyway(pool).clean();
        assertThat(flyway(pool).migrate().migrationsExecuted).isEqualTo(2);
        assertThat(pool.snapshot().timeouts()).isZero();
      }
      log = logged.text();
    }
    assertThat(log).as("the pool's log during migrate and clean").contains("Pool 'flyway-fresh' started")
        .doesNotContain(" WARN dev.poolwise").doesNotContain("asked for another connection");
  }

  @Test
  void flywayReallyBorrowsASecondConnectionWhileHoldingTheFirst() throws Exception {
    try (PoolwiseDataSource pool = pool("flyway-refused").multipleAcquisition(MultipleAcquisition.FAIL).build()) {
      assertThatThrownBy(() -> flyway(pool).migrate()).hasStackTraceContaining("multipleAcquisition is FAIL");
    }
  }
}
