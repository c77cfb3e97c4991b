package dev.poolwise.examples.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolwiseDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The whole application with no database configured: Boot's embedded H2, pooled by Poolwise, migrated by
 * Flyway through the pool, served over HTTP, with the pool in Actuator's health and metrics.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LibraryApplicationTest {

  @Autowired DataSource dataSource;
  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theEmbeddedDatabaseIsPooledByPoolwise() throws Exception {
    PoolwiseDataSource pool = dataSource.unwrap(PoolwiseDataSource.class);
    assertThat(pool.poolName()).isEqualTo("library");
    assertThat(pool.snapshot().maxSize()).isEqualTo(8);
    try (Connection connection = dataSource.getConnection()) {
      assertThat(connection.getMetaData().getURL()).startsWith("jdbc:h2:mem:");
    }
    assertThat(pool.snapshot().acquisitions()).as("Flyway and Hibernate borrowed from the pool").isGreaterThan(1);
  }

  @Test
  void theMigratedBooksAreServed() throws Exception {
    HttpResponse<String> response = get("/books?author=Octavia%20E.%20Butler");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"title\":\"Kindred\"");
  }

  @Test
  void healthShowsThePool() throws Exception {
    HttpResponse<String> response = get("/actuator/health");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"poolwise\":{").contains("\"pool\":\"library\"").contains("\"db\":{");
  }

  @Test
  void bootsJdbcMetricsAndThePoolwiseMetersAreThere() throws Exception {
    HttpResponse<String> max = get("/actuator/metrics/jdbc.connections.max");
    assertThat(max.statusCode()).isEqualTo(200);
    assertThat(max.body()).contains("\"value\":8.0");
    assertThat(get("/actuator/metrics/poolwise.connections.max").body()).contains("\"value\":8.0");
    assertThat(get("/actuator/metrics").body())
        .contains("jdbc.connections.active", "jdbc.connections.idle", "jdbc.connections.min")
        .doesNotContain("jdbc.connections.usage");
  }
}
