package dev.poolwise.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.poolwise.Diagnosis;
import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.spring.boot.OrdersApplication.OrderService;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A real Spring Boot application (web, actuator, JDBC, transactions) on the embedded PostgreSQL, with
 * only {@code spring.datasource.*} and {@code poolwise.*} properties: the DataSource must be Poolwise,
 * configured from them, and everything Boot builds on a DataSource must work on it.
 */
@SpringBootTest(classes = OrdersApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "poolwise.pool-name=orders-app",
        "poolwise.max-size=7",
        "poolwise.min-idle=1",
        "poolwise.acquire-timeout=2s",
        "poolwise.leak-threshold=30s",
        "poolwise.session-reset=always",
        "poolwise.transaction-isolation=read committed",
        "poolwise.driver.[ApplicationName]=orders-boot-test",
        "management.endpoints.web.exposure.include=health,metrics",
        "management.endpoint.health.show-details=always"})
class PoolwiseSpringBootApplicationTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", TestDatabase.APP::jdbcUrl);
    registry.add("spring.datasource.username", TestDatabase.APP::username);
    registry.add("spring.datasource.password", TestDatabase.APP::password);
  }

  @Autowired DataSource dataSource;
  @Autowired JdbcTemplate jdbc;
  @Autowired OrderService orders;
  @Autowired PoolwiseHealthIndicator health;
  @Autowired MeterRegistry meters;
  @LocalServerPort int port;

  @BeforeEach
  void schema() {
    jdbc.execute("CREATE TABLE IF NOT EXISTS orders (id bigserial PRIMARY KEY, sku text NOT NULL UNIQUE)");
  }

  /** The running pool behind Boot's DataSource bean. */
  private PoolwiseDataSource pool() throws SQLException {
    return dataSource.unwrap(PoolwiseDataSource.class);
  }

  @Test
  void theDataSourceIsPoolwiseConfiguredFromTheProperties() throws SQLException {
    // Built by Boot's own DataSourceAutoConfiguration, as it would build HikariCP.
    assertThat(dataSource).isInstanceOf(ConfigurablePoolwiseDataSource.class);
    PoolwiseDataSource pool = pool();
    assertThat(pool.poolName()).isEqualTo("orders-app");
    assertThat(pool.snapshot().maxSize()).isEqualTo(7);
    assertThat(pool.snapshot().minIdle()).isEqualTo(1);
    // Driver properties and session settings reached the server.
    assertThat(jdbc.queryForObject("SELECT current_setting('application_name')", String.class))
        .isEqualTo("orders-boot-test");
    assertThat(jdbc.queryForObject("SELECT current_user", String.class)).isEqualTo(TestDatabase.APP.username());
    try (Connection connection = dataSource.getConnection()) {
      assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
    }
  }

  @Test
  void jdbcTemplateQueriesRunThroughThePool() throws SQLException {
    long before = pool().snapshot().acquisitions();
    jdbc.update("INSERT INTO orders (sku) VALUES (?)", "plain-1");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM orders WHERE sku = ?", Long.class, "plain-1")).isEqualTo(1);
    assertThat(jdbc.queryForObject("SELECT 6 * 7", Integer.class)).isEqualTo(42);
    assertThat(pool().snapshot().acquisitions()).isGreaterThanOrEqualTo(before + 3);
  }

  @Test
  void sessionStateSetThroughJdbcTemplateDoesNotReachTheNextBorrower() {
    String serverDefault = jdbc.queryForObject("select current_setting('work_mem')", String.class);
    jdbc.execute("set work_mem = '3MB'");
    // Each JdbcTemplate call borrows and returns a connection; a thread's next borrow gets the connection it
    // returned last when that one is idle, so the SET's connection answers here (asked a few times in case a
    // concurrent borrower took it).
    for (int i = 0; i < 7; i++) {
      assertThat(jdbc.queryForObject("select current_setting('work_mem')", String.class)).isEqualTo(serverDefault);
    }
  }

  @Test
  void aTransactionalMethodThatThrowsIsRolledBackOnTheServer() throws SQLException {
    orders.place("committed-1");
    assertThatThrownBy(() -> orders.placeThenFail("rolled-back-1"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("payment declined");

    // Asked over a connection of its own, outside the pool: the server has the first row, not the second.
    assertThat(serverHasOrder("committed-1")).isTrue();
    assertThat(serverHasOrder("rolled-back-1")).isFalse();
    // And the connection went back to the pool clean: nothing is held, nothing left open.
    await().atMost(Duration.ofSeconds(10)).until(() -> pool().snapshot().active() == 0);
  }

  @Test
  void healthIsUpWithThePoolStateOverHttp() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/poolwise")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("\"status\":\"UP\"")
        .contains("\"pool\":\"orders-app\"")
        .contains("\"cause\":\"HEALTHY\"")
        .contains("\"maxSize\":7")
        .doesNotContain("verdict")
        .doesNotContain("boot-secret");
    System.out.println("GET /actuator/health/poolwise -> " + response.body());
  }

  @Test
  void healthCarriesTheVerdictWhenThePoolIsDegraded() throws Exception {
    // Every connection held inside an open transaction while no SQL runs, and a request waiting behind them.
    CountDownLatch release = new CountDownLatch(1);
    List<Thread> holders = new ArrayList<>();
    CountDownLatch borrowed = new CountDownLatch(7);
    try {
      for (int i = 0; i < 7; i++) {
        holders.add(startThread("checkout-" + i, () -> {
          try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
              statement.execute("SELECT count(*) FROM orders");
            }
            borrowed.countDown();
            release.await();
            connection.rollback();
          } catch (SQLException | InterruptedException e) {
            borrowed.countDown();
          }
        }));
      }
      borrowed.await();
      holders.add(startThread("waiter", () -> {
        try (Connection connection = dataSource.getConnection()) {
          // got one after the holders let go
        } catch (SQLException expectedTimeout) {
          // the pool timed out the waiter: also fine for this test
        }
      }));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(BootSupport.statusCode(health)).isEqualTo("UP");
        Map<String, Object> degraded = BootSupport.details(health);
        assertThat(degraded.get("cause")).isNotEqualTo(Diagnosis.Cause.HEALTHY.name());
        assertThat((String) degraded.get("verdict")).isNotBlank();
        assertThat(degraded).containsEntry("active", 7);
      });
      Map<String, Object> details = BootSupport.details(health);
      System.out.println("degraded poolwise health details -> " + details);
      // Which verdict depends on how long they have been held (briefly: "demand above capacity"; longer:
      // "idle in transaction"); the holder table says what they are doing either way. Rows are grouped by
      // borrowing site, and sampled stack capture may have recorded the site of only some borrows, so the
      // seven can be split over rows: count them all.
      java.util.regex.Matcher idleInTx = java.util.regex.Pattern.compile("(\\d+) idle in tx")
          .matcher(String.valueOf(details.get("holders")));
      int idleInTransaction = 0;
      while (idleInTx.find()) {
        idleInTransaction += Integer.parseInt(idleInTx.group(1));
      }
      assertThat(idleInTransaction).as("holders idle in a transaction, in %s", details.get("holders")).isEqualTo(7);
    } finally {
      release.countDown();
      for (Thread holder : holders) {
        holder.join(10_000);
      }
    }
  }

  @Test
  void poolwiseMetersAndBootsJdbcConnectionMetricsAreRegistered() {
    jdbc.queryForObject("SELECT 1", Integer.class);
    assertThat(meters.get("poolwise.connections.max").tag("pool", "orders-app").gauge().value()).isEqualTo(7);
    assertThat(meters.get("poolwise.connections.acquisitions").tag("pool", "orders-app").functionCounter().count())
        .isPositive();
    // Boot's own jdbc.connections.* (DataSourcePoolMetrics), fed by our DataSourcePoolMetadataProvider.
    assertThat(meters.get("jdbc.connections.max").tag("name", "dataSource").gauge().value()).isEqualTo(7);
    assertThat(meters.get("jdbc.connections.min").tag("name", "dataSource").gauge().value()).isEqualTo(1);
    assertThat(meters.find("jdbc.connections.active").gauges()).isNotEmpty();
  }

  /** A started platform thread (the tests run on Java 17 too: no Thread.ofPlatform()). */
  private static Thread startThread(String name, Runnable work) {
    Thread thread = new Thread(work, name);
    thread.start();
    return thread;
  }

  private static boolean serverHasOrder(String sku) throws SQLException {
    try (Connection separate = DriverManager.getConnection(TestDatabase.APP.jdbcUrl(),
        TestDatabase.APP.connectionProperties());
        PreparedStatement query = separate.prepareStatement("SELECT count(*) FROM orders WHERE sku = ?")) {
      query.setString(1, sku);
      try (ResultSet result = query.executeQuery()) {
        result.next();
        return result.getLong(1) == 1;
      }
    }
  }
}
