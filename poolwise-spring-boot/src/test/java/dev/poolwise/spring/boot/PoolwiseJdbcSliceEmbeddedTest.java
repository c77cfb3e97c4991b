package dev.poolwise.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolwiseDataSource;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** A {@code @JdbcTest} slice with no URL and {@code replace = NONE}: Boot's embedded H2, pooled by Poolwise. */
@PoolwiseJdbcSlice
class PoolwiseJdbcSliceEmbeddedTest {

  @Autowired DataSource dataSource;
  @Autowired JdbcTemplate jdbc;

  @Test
  void theEmbeddedDatabaseIsPooledInTheSlice() throws SQLException {
    assertThat(dataSource).isInstanceOf(ConfigurablePoolwiseDataSource.class);
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES", Integer.class)).isPositive();
    assertThat(dataSource.unwrap(PoolwiseDataSource.class).snapshot().acquisitions()).isPositive();
  }
}
