package dev.poolwise.spring.boot;

import dev.poolwise.PoolSnapshot;
import dev.poolwise.PoolwiseDataSource;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.boot.jdbc.metadata.AbstractDataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;

/**
 * A Poolwise pool as Boot sees pools, for {@code jdbc.connections.active/idle/max/min/usage}. Each call
 * takes a snapshot: Boot reads these a few at a time per scrape, and a snapshot is cheap.
 */
final class PoolwiseDataSourcePoolMetadata extends AbstractDataSourcePoolMetadata<PoolwiseDataSource> {

  private PoolwiseDataSourcePoolMetadata(PoolwiseDataSource pool) {
    super(pool);
  }

  /** Metadata for {@code dataSource} if it is (or wraps) a Poolwise pool; {@code null} otherwise, as Boot expects. */
  static DataSourcePoolMetadata of(DataSource dataSource) {
    PoolwiseDataSource pool = unwrap(dataSource);
    return pool == null ? null : new PoolwiseDataSourcePoolMetadata(pool);
  }

  /** The Poolwise pool behind {@code dataSource} (itself, or through {@code unwrap}), or {@code null}. */
  static PoolwiseDataSource unwrap(DataSource dataSource) {
    if (dataSource instanceof PoolwiseDataSource pool) {
      return pool;
    }
    try {
      return dataSource != null && dataSource.isWrapperFor(PoolwiseDataSource.class)
          ? dataSource.unwrap(PoolwiseDataSource.class) : null;
    } catch (SQLException e) {
      return null; // not a wrapper of ours after all
    }
  }

  private PoolSnapshot snapshot() {
    return getDataSource().snapshot();
  }

  @Override
  public Integer getActive() {
    return snapshot().active();
  }

  @Override
  public Integer getIdle() {
    return snapshot().idle();
  }

  @Override
  public Integer getMax() {
    return snapshot().maxSize();
  }

  @Override
  public Integer getMin() {
    return snapshot().minIdle();
  }

  /** None: Poolwise validates with {@code Connection.isValid}. */
  @Override
  public String getValidationQuery() {
    return null;
  }

  /** Unknown unless configured: by default the pool leaves auto-commit to the driver. */
  @Override
  public Boolean getDefaultAutoCommit() {
    return null;
  }
}
