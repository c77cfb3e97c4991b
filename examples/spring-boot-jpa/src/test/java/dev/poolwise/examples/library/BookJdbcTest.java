package dev.poolwise.examples.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolwiseDataSource;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** A {@code @JdbcTest} slice on the application's (embedded, pooled) database, migrated by Flyway. */
@JdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
class BookJdbcTest {

  @Autowired JdbcTemplate jdbc;
  @Autowired DataSource dataSource;

  @Test
  void countsTheMigratedBooks() throws Exception {
    assertThat(jdbc.queryForObject("SELECT count(*) FROM books", Integer.class)).isEqualTo(4);
    assertThat(dataSource.unwrap(PoolwiseDataSource.class).poolName()).isEqualTo("library");
  }
}
