package dev.poolwise.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.testkit.StubDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The DataSource Boot's own auto-configuration builds with the starter's defaults, and the property mapping,
 * one small context per case. (The environment post-processor does not run in an ApplicationContextRunner:
 * the initializer adds the same defaults; PoolwiseBootContractTest runs whole applications.)
 */
class PoolwiseAutoConfigurationTest {

  private static final String STUB_DRIVER = "spring.datasource.driver-class-name=dev.poolwise.testkit.StubDriver";

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withInitializer(context -> PoolwiseDataSourceDefaults.addTo(context.getEnvironment()))
      .withConfiguration(AutoConfigurations.of(PoolwiseAutoConfiguration.class, BootSupport.DATA_SOURCE_AUTO_CONFIGURATION));

  /** The running pool behind the context's DataSource. */
  private static PoolwiseDataSource pool(ApplicationContext context) throws SQLException {
    return context.getBean(DataSource.class).unwrap(PoolwiseDataSource.class);
  }

  @Test
  void databaseUrlIsUsedWhenSpringDatasourceUrlIsAbsent() {
    runner.withPropertyValues("DATABASE_URL=" + TestDatabase.RUNNER.databaseUrl() + "?connection_limit=3&pool_timeout=4")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(DataSource.class);
          assertThat(context.getBean(DataSource.class)).isInstanceOf(ConfigurablePoolwiseDataSource.class);
          PoolwiseDataSource pool = pool(context);
          assertThat(pool.snapshot().maxSize()).isEqualTo(3);
          try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
              ResultSet result = statement.executeQuery("SELECT current_user")) {
            result.next();
            assertThat(result.getString(1)).isEqualTo(TestDatabase.RUNNER.username());
          }
        });
  }

  @Test
  void springDatasourceUrlWinsOverDatabaseUrlAndPoolwisePropertiesWinOverUrlParameters() {
    StubDatabase stub = StubDatabase.create();
    runner.withPropertyValues("DATABASE_URL=postgresql://nobody@nowhere.invalid/none",
            "spring.datasource.url=" + stub.url() + "?connection_limit=9", STUB_DRIVER,
            "poolwise.max-size=4", "poolwise.acquire-timeout=1500", "poolwise.start-mode=fail-fast",
            "poolwise.lane.batch=2", "poolwise.idle-timeout=0")
        .run(context -> {
          assertThat(context).hasNotFailed();
          PoolwiseDataSource pool = pool(context);
          assertThat(pool.snapshot().maxSize()).isEqualTo(4);
          assertThat(stub.connectsSucceeded()).as("fail-fast opened a connection at startup").isPositive();
        });
    stub.forget();
  }

  @Test
  void anApplicationsOwnDataSourceWins() {
    StubDatabase stub = StubDatabase.create();
    runner.withPropertyValues("spring.datasource.url=" + stub.url(), STUB_DRIVER)
        .withBean("dataSource", DataSource.class, stub::dataSource)
        .run(context -> assertThat(context).hasSingleBean(DataSource.class)
            .doesNotHaveBean(ConfigurablePoolwiseDataSource.class).doesNotHaveBean(PoolwiseDataSource.class));
    stub.forget();
  }

  @Test
  void poolwiseEnabledFalseBacksOff() {
    StubDatabase stub = StubDatabase.create();
    // Boot then looks for its own pools, as without the starter; none is on this classpath.
    runner.withPropertyValues("spring.datasource.url=" + stub.url(), STUB_DRIVER, "poolwise.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DataSource.class));
    stub.forget();
  }

  @Test
  void theEmbeddedDatabaseIsPooledWhenNoUrlIsSet() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(DataSource.class);
      PoolwiseDataSource pool = pool(context);
      try (Connection connection = context.getBean(DataSource.class).getConnection();
          ResultSet result = connection.createStatement().executeQuery("SELECT H2VERSION()")) {
        assertThat(result.next()).isTrue();
        assertThat(connection.getMetaData().getURL()).startsWith("jdbc:h2:mem:");
      }
      assertThat(pool.snapshot().acquisitions()).isEqualTo(1);
    });
  }

  @Test
  void withoutUrlOrEmbeddedDatabaseStartupFailsAsWithBootsOwnPools() {
    runner.withClassLoader(new FilteredClassLoader("org.h2", "org.hsqldb", "org.apache.derby"))
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("Failed to determine a suitable driver class"));
  }

  @Test
  void anExplicitSpringDatasourceTypeWins() {
    StubDatabase stub = StubDatabase.create();
    runner.withPropertyValues("spring.datasource.url=" + stub.url(), STUB_DRIVER,
            "spring.datasource.type=" + SimpleDriverDataSource.class.getName())
        .run(context -> assertThat(context).hasNotFailed().getBean(DataSource.class)
            .isInstanceOf(SimpleDriverDataSource.class));
    stub.forget();
  }

  @Test
  void aPostgresqlUrlInSpringDatasourceUrlNeedsNoDriverClassName() {
    runner.withPropertyValues("spring.datasource.url=" + TestDatabase.RUNNER.databaseUrl(), "spring.datasource.name=orders")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(pool(context).poolName()).as("spring.datasource.name names the pool").isEqualTo("orders");
          try (Connection connection = context.getBean(DataSource.class).getConnection()) {
            assertThat(connection.isValid(5)).isTrue();
          }
        });
  }

  @Test
  void aBadSettingFailsStartupNamingIt() {
    StubDatabase stub = StubDatabase.create();
    runner.withPropertyValues("spring.datasource.url=" + stub.url(), STUB_DRIVER, "poolwise.max-size=2", "poolwise.min-idle=5")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("minIdle"));
    stub.forget();
  }

  @Test
  void aCustomizerSeesTheBuilderAfterTheProperties() {
    StubDatabase stub = StubDatabase.create();
    runner.withPropertyValues("spring.datasource.url=" + stub.url(), STUB_DRIVER, "poolwise.max-size=3")
        .withBean(PoolwiseBuilderCustomizer.class, () -> builder -> builder.acquireTimeout(Duration.ofSeconds(1)).maxSize(5))
        .run(context -> assertThat(pool(context).snapshot().maxSize()).isEqualTo(5));
    stub.forget();
  }

  @Test
  void configurationMetadataDescribesThePoolwiseProperties() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("spring-configuration-metadata.json generated by the configuration processor").isNotNull();
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(json).contains("\"name\": \"poolwise.max-size\"").contains("\"name\": \"poolwise.acquire-timeout\"")
          .contains("\"name\": \"poolwise.driver\"").contains("The most connections the pool holds");
    }
  }
}
