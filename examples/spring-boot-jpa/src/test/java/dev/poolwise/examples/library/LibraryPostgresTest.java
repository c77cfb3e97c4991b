package dev.poolwise.examples.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolwiseDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The {@code postgres} profile against a real (embedded) PostgreSQL: Flyway, JPA and HTTP through the pool. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("postgres")
class LibraryPostgresTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    EmbeddedPostgres.register(registry);
  }

  @Autowired DataSource dataSource;
  @Autowired JdbcTemplate jdbc;
  @LocalServerPort int port;

  @Test
  void theApplicationRunsOnPostgresThroughPoolwise() throws Exception {
    PoolwiseDataSource pool = dataSource.unwrap(PoolwiseDataSource.class);
    assertThat(pool.snapshot().maxSize()).isEqualTo(10);
    assertThat(jdbc.queryForObject("SELECT version()", String.class)).startsWith("PostgreSQL");
    assertThat(jdbc.queryForObject("SELECT current_setting('application_name')", String.class)).isEqualTo("library");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE success", Integer.class))
        .isEqualTo(2);

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> added = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/books"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"title\":\"Parable of the Sower\",\"author\":\"Octavia E. Butler\",\"publishedYear\":1993}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(added.statusCode()).isEqualTo(201);
    HttpResponse<String> listed = http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/books?author=Octavia%20E.%20Butler")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(listed.body()).contains("Kindred").contains("Parable of the Sower");
  }
}
