package dev.poolwise.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.testkit.StubDatabase;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Whole Spring Boot applications (SpringApplication, so the starter's environment post-processor from
 * spring.factories runs, and exclusions are applied by Boot's import selector), for the parts of Boot's
 * DataSource contract a user notices: the embedded database pooled, spring.sql.init, exclusion of
 * DataSourceAutoConfiguration and an application's own DataSource bean.
 */
class PoolwiseBootContractTest {

  /** No component scan: only auto-configuration and what a test adds. (Nested in a test class, so OrdersApplication's scan skips it.) */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class PlainApplication {}

  /** An application that defines its own DataSource. */
  @Configuration(proxyBeanMethods = false)
  static class OwnDataSource {
    static final StubDatabase STUB = StubDatabase.named("own-data-source");

    @Bean
    DataSource dataSource() {
      return STUB.dataSource();
    }
  }

  private static ConfigurableApplicationContext run(Class<?>[] sources, String... properties) {
    return new SpringApplicationBuilder(sources).web(WebApplicationType.NONE).properties(properties).run();
  }

  @Test
  void withoutUrlTheEmbeddedDatabaseIsPooledAndSpringSqlInitRunsThroughThePool() throws Exception {
    try (ConfigurableApplicationContext context = run(new Class<?>[] {PlainApplication.class},
        "spring.sql.init.schema-locations=classpath:poolwise-contract-schema.sql",
        "spring.sql.init.data-locations=classpath:poolwise-contract-data.sql")) {
      DataSource dataSource = context.getBean(DataSource.class);
      assertThat(dataSource).isInstanceOf(ConfigurablePoolwiseDataSource.class);
      PoolwiseDataSource pool = dataSource.unwrap(PoolwiseDataSource.class);
      long initialised = pool.snapshot().acquisitions();
      assertThat(initialised).as("spring.sql.init borrowed from the pool").isPositive();
      assertThat(context.getBean(JdbcTemplate.class).queryForObject("SELECT text FROM greeting WHERE id = 1", String.class))
          .isEqualTo("hello from spring.sql.init");
      assertThat(pool.snapshot().acquisitions()).isGreaterThan(initialised);
      assertThat(context.getBean(PoolwiseHealthIndicator.class)).isNotNull();
    }
  }

  @Test
  void excludingDataSourceAutoConfigurationMeansNoDataSource() {
    StubDatabase stub = StubDatabase.create();
    try (ConfigurableApplicationContext context = run(new Class<?>[] {PlainApplication.class},
        "spring.autoconfigure.exclude=" + BootSupport.DATA_SOURCE_AUTO_CONFIGURATION.getName(),
        "spring.datasource.url=" + stub.url(), "spring.datasource.driver-class-name=dev.poolwise.testkit.StubDriver")) {
      assertThat(context.getBeansOfType(DataSource.class)).isEmpty();
      assertThat(context.getBeansOfType(PoolwiseHealthIndicator.class)).isEmpty();
      assertThat(stub.connectsSucceeded()).isZero();
    } finally {
      stub.forget();
    }
  }

  @Test
  void anApplicationsOwnDataSourceBeanWinsAndGetsNoPoolwiseHealth() {
    try (ConfigurableApplicationContext context = run(new Class<?>[] {PlainApplication.class, OwnDataSource.class},
        "spring.datasource.url=jdbc:stub:elsewhere")) {
      assertThat(context.getBeansOfType(DataSource.class)).hasSize(1);
      assertThat(context.getBean(DataSource.class)).isNotInstanceOf(ConfigurablePoolwiseDataSource.class);
      assertThat(context.getBeansOfType(PoolwiseHealthIndicator.class)).isEmpty();
    }
  }
}
