package dev.poolwise.examples.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolwiseDataSource;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code @DataJpaTest} with the {@code postgres} profile and a real URL: the slice is pooled on PostgreSQL. */
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@ActiveProfiles("postgres")
class BookPostgresSliceTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    EmbeddedPostgres.register(registry);
  }

  @Autowired BookRepository books;
  @Autowired DataSource dataSource;
  @Autowired JdbcTemplate jdbc;

  @Test
  void theSliceRunsOnPostgresThroughThePool() throws Exception {
    assertThat(jdbc.queryForObject("SELECT version()", String.class)).startsWith("PostgreSQL");
    assertThat(books.findByAuthorOrderByPublishedYear("Ursula K. Le Guin")).hasSize(3);
    PoolwiseDataSource pool = dataSource.unwrap(PoolwiseDataSource.class);
    assertThat(pool.snapshot().maxSize()).isEqualTo(10);
    // The slice's test transaction holds one connection.
    assertThat(pool.snapshot().active()).isEqualTo(1);
  }
}
