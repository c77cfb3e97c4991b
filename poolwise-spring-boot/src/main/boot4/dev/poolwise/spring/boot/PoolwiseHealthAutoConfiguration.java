package dev.poolwise.spring.boot;

import dev.poolwise.PoolwiseDataSource;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Registers {@link PoolwiseHealthIndicator} as the {@code poolwise} health contributor when the
 * application has exactly one DataSource, that DataSource is (or wraps) a Poolwise pool — the one Boot
 * built, or the application's own — and Boot's health support is present. Switch it off with
 * {@code management.health.poolwise.enabled=false}.
 */
@AutoConfiguration(after = PoolwiseAutoConfiguration.class, afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnEnabledHealthIndicator("poolwise")
// DataSource, not PoolwiseDataSource: the type of Boot's dataSource bean is known only once it exists.
@ConditionalOnSingleCandidate(DataSource.class)
public class PoolwiseHealthAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "poolwiseHealthIndicator")
  PoolwiseHealthIndicator poolwiseHealthIndicator(DataSource dataSource) {
    PoolwiseDataSource pool = PoolwiseDataSourcePoolMetadata.unwrap(dataSource);
    // No Poolwise pool (another pool the application made itself): no bean, which Spring allows for null.
    return pool == null ? null : new PoolwiseHealthIndicator(pool);
  }
}
