package dev.poolwise.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.poolwise.PoolwiseDataSource;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The two pools every benchmark here compares, configured alike (DESIGN.md §7): the same maximum size, every
 * connection opened up front (HikariCP's {@code minimumIdle} = max), the same acquire timeout. One place, so that
 * no benchmark configures one pool more kindly than the other.
 */
final class BenchPools {

  private BenchPools() {}

  /** A pool over {@code url}; {@code pool} is {@code poolwise} or {@code hikari}. Close it through {@link AutoCloseable}. */
  static DataSource open(String pool, String url, int size, Duration acquireTimeout) throws SQLException {
    return switch (pool) {
      case "poolwise" -> PoolwiseDataSource.builder()
          .url(url)
          .poolName("bench-poolwise")
          .maxSize(size)
          .minIdle(size)
          .acquireTimeout(acquireTimeout)
          .build();
      case "hikari" -> {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setPoolName("bench-hikari");
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(acquireTimeout.toMillis());
        yield new HikariDataSource(config);
      }
      default -> throw new IllegalArgumentException("unknown pool '" + pool + "': use poolwise or hikari");
    };
  }

  static void close(DataSource dataSource) throws Exception {
    if (dataSource instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }
}
