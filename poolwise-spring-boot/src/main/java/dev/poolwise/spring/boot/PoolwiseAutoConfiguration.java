package dev.poolwise.spring.boot;

import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.micrometer.PoolwiseMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Makes a {@link PoolwiseDataSource} the application's {@link DataSource} when it defines none, from
 * {@code spring.datasource.url/username/password} (or {@code DATABASE_URL} when there is no
 * {@code spring.datasource.url}) plus the {@code poolwise.*} properties ({@link PoolwiseProperties}).
 * Also: {@code jdbc.connections.*} pool metadata for Boot's own DataSource metrics, and the
 * {@code poolwise.*} Micrometer meters when {@code poolwise-micrometer} is on the classpath. The health
 * indicator is in {@link PoolwiseHealthAutoConfiguration}. See {@code docs/spring-boot.md}.
 *
 * <p>Ordered before Boot's {@code DataSourceAutoConfiguration} (named by string: it lives in
 * {@code org.springframework.boot.jdbc.autoconfigure} since Boot 4, in
 * {@code org.springframework.boot.autoconfigure.jdbc} before), so that Boot's pooled-DataSource
 * configuration, {@code JdbcTemplate} and the transaction manager all see this pool.
 */
@AutoConfiguration(beforeName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@ConditionalOnClass({DataSource.class, PoolwiseDataSource.class})
@ConditionalOnProperty(prefix = "poolwise", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(PoolwiseProperties.class)
public class PoolwiseAutoConfiguration {

  /** Where the database comes from when {@code spring.datasource.url} is not set (env var or property). */
  static final String DATABASE_URL = "DATABASE_URL";

  @Bean
  @ConditionalOnMissingBean(DataSource.class)
  PoolwiseDataSource dataSource(Environment environment, PoolwiseProperties properties,
      ObjectProvider<PoolwiseBuilderCustomizer> customizers) throws SQLException {
    PoolwiseDataSource.Builder builder = builder(environment, properties);
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  /** Boot's {@code jdbc.connections.active/idle/max/min/usage} for a Poolwise pool. */
  @Bean
  DataSourcePoolMetadataProvider poolwisePoolMetadataProvider() {
    return PoolwiseDataSourcePoolMetadata::of;
  }

  /** The builder with the database and every {@code poolwise.*} setting applied; unset settings keep their defaults. */
  static PoolwiseDataSource.Builder builder(Environment environment, PoolwiseProperties properties) {
    String url = environment.getProperty("spring.datasource.url");
    String source = "spring.datasource.url";
    if (url == null || url.isBlank()) {
      url = environment.getProperty(DATABASE_URL);
      source = DATABASE_URL;
    }
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("Poolwise needs a database: set spring.datasource.url (a JDBC URL or a "
          + "postgresql:// URL) or the DATABASE_URL environment variable; or set poolwise.enabled=false to "
          + "configure the DataSource yourself");
    }
    PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder();
    try {
      builder.url(url);
    } catch (IllegalArgumentException e) {
      // The core's message names the bad part and never the password; add which property it came from.
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    set(environment.getProperty("spring.datasource.username"), builder::username);
    set(environment.getProperty("spring.datasource.password"), builder::password);
    set(environment.getProperty("spring.datasource.driver-class-name"), builder::driverClassName);

    set(properties.getPoolName(), builder::poolName);
    set(properties.getMaxSize(), builder::maxSize);
    set(properties.getMinIdle(), builder::minIdle);
    set(properties.getAcquireTimeout(), builder::acquireTimeout);
    set(properties.getConnectTimeout(), builder::connectTimeout);
    set(properties.getIdleTimeout(), builder::idleTimeout);
    set(properties.getMaxLifetime(), builder::maxLifetime);
    set(properties.getKeepaliveInterval(), builder::keepaliveInterval);
    set(properties.getValidationTimeout(), builder::validationTimeout);
    set(properties.getValidateAfterIdle(), builder::validateAfterIdle);
    set(properties.getShutdownTimeout(), builder::shutdownTimeout);
    set(properties.getHousekeepingInterval(), builder::housekeepingInterval);
    set(properties.getCreationBackoffInitial(), builder::creationBackoffInitial);
    set(properties.getCreationBackoffMax(), builder::creationBackoffMax);
    set(properties.getMaxConcurrentCreations(), builder::maxConcurrentCreations);
    set(properties.getStartMode(), builder::startMode);
    set(properties.getAutoCommit(), builder::autoCommit);
    set(properties.getReadOnly(), builder::readOnly);
    set(properties.getCatalog(), builder::catalog);
    set(properties.getSchema(), builder::schema);
    set(properties.getConnectionInitSql(), builder::connectionInitSql);
    set(properties.getDiagnostics(), builder::diagnostics);
    set(properties.getAcquisitionStacks(), builder::acquisitionStacks);
    set(properties.getLeakThreshold(), builder::leakThreshold);
    set(properties.getLeakReclaimThreshold(), builder::leakReclaimThreshold);
    set(properties.getMultipleAcquisition(), builder::multipleAcquisition);
    set(properties.getExpectedInstances(), builder::expectedInstances);
    set(properties.getRegisterMBean(), builder::registerMBean);
    set(properties.getSqlLogging(), builder::sqlLogging);
    set(properties.getSlowSqlThreshold(), builder::slowSqlThreshold);
    properties.getDriver().forEach(builder::driverProperty);
    properties.getLane().forEach(builder::lane);
    if (properties.getTransactionIsolation() != null) {
      // The core parses the level names ("read committed", "SERIALIZABLE", "TRANSACTION_…", "2") and
      // reports a bad one naming the key: one parser, not a second copy here.
      Properties isolation = new Properties();
      isolation.setProperty("poolwise.transactionIsolation", properties.getTransactionIsolation());
      builder.properties(isolation);
    }
    return builder;
  }

  /** Applies {@code value} unless it is unset. (Not Boot's PropertyMapper: its null handling differs between Boot 3 and 4.) */
  private static <T> void set(T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
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
