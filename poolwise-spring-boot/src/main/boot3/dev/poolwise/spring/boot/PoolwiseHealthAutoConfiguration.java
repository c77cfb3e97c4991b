package dev.poolwise.spring.boot;

import dev.poolwise.PoolwiseDataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Registers {@link PoolwiseHealthIndicator} as the {@code poolwise} health contributor when the
 * application has exactly one Poolwise pool (auto-configured or its own) and Boot's health support is
 * present. Switch it off with {@code management.health.poolwise.enabled=false}.
 */
@AutoConfiguration(after = PoolwiseAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnEnabledHealthIndicator("poolwise")
@ConditionalOnSingleCandidate(PoolwiseDataSource.class)
public class PoolwiseHealthAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "poolwiseHealthIndicator")
  PoolwiseHealthIndicator poolwiseHealthIndicator(PoolwiseDataSource pool) {
    return new PoolwiseHealthIndicator(pool);
  }
}
