package dev.poolwise.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolwiseDataSource;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A {@code @JdbcTest} slice with a real database URL and {@code replace = NONE}: the slice imports only
 * Boot's JDBC auto-configurations, and gets a Poolwise pool from them as it would get HikariCP.
 */
@PoolwiseJdbcSlice
class PoolwiseJdbcSliceTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", TestDatabase.RUNNER::jdbcUrl);
    registry.add("spring.datasource.username", TestDatabase.RUNNER::username);
    registry.add("spring.datasource.password", TestDatabase.RUNNER::password);
    registry.add("poolwise.max-size", () -> "3");
  }

  @Autowired DataSource dataSource;
  @Autowired JdbcTemplate jdbc;

  @Test
  void theSliceIsPooledByPoolwiseOnTheConfiguredDatabase() throws SQLException {
    assertThat(dataSource).isInstanceOf(ConfigurablePoolwiseDataSource.class);
    PoolwiseDataSource pool = dataSource.unwrap(PoolwiseDataSource.class);
    assertThat(pool.snapshot().maxSize()).as("poolwise.* applies in the slice too").isEqualTo(3);
    // @JdbcTest runs each test in a transaction: the query borrowed the transaction's connection.
    assertThat(jdbc.queryForObject("SELECT current_user", String.class)).isEqualTo(TestDatabase.RUNNER.username());
    assertThat(pool.snapshot().active()).isEqualTo(1);
  }
}
