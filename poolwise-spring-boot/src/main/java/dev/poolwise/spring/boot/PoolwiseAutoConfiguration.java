package dev.poolwise.spring.boot;

import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.micrometer.PoolwiseMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What Spring Boot needs besides the DataSource itself, which Boot's own {@code DataSourceAutoConfiguration}
 * creates as a {@link ConfigurablePoolwiseDataSource} (the starter makes that the default
 * {@code spring.datasource.type}, see {@link PoolwiseDataSourceDefaults}): the pool metadata behind Boot's
 * {@code jdbc.connections.active/idle/max/min} meters, and the {@code poolwise.*} Micrometer meters when
 * {@code poolwise-micrometer} is on the classpath. The health indicator is in
 * {@link PoolwiseHealthAutoConfiguration}. See {@code docs/spring-boot.md}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass({DataSource.class, PoolwiseDataSource.class})
@ConditionalOnProperty(prefix = "poolwise", name = "enabled", havingValue = "true", matchIfMissing = true)
public class PoolwiseAutoConfiguration {

  /** Boot's {@code jdbc.connections.active/idle/max/min} for every Poolwise pool (or DataSource wrapping one). */
  @Bean
  DataSourcePoolMetadataProvider poolwisePoolMetadataProvider() {
    return PoolwiseDataSourcePoolMetadata::of;
  }

  /** The {@code poolwise.*} meters of every Poolwise pool in the context, when Micrometer and poolwise-micrometer are present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterBinder.class, PoolwiseMetrics.class})
  static class PoolwiseMetricsConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "poolwiseMeterBinder")
    MeterBinder poolwiseMeterBinder(ObjectProvider<DataSource> dataSources) {
      return registry -> dataSources.orderedStream()
          .map(PoolwiseDataSourcePoolMetadata::unwrap)
          .filter(pool -> pool != null)
          .forEach(pool -> new PoolwiseMetrics(pool).bindTo(registry));
    }
  }
}
