package dev.poolwise.spring.boot;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * The starter's defaults for Spring Boot's own DataSource support, added below every other property source
 * (so anything the application sets wins):
 * <ul>
 *   <li>{@code spring.datasource.type} = {@link ConfigurablePoolwiseDataSource}: Boot's
 *       {@code DataSourceAutoConfiguration} then builds Poolwise where it would build HikariCP (its
 *       "generic" pool configuration, selected by that property), with all of Boot's conditions;</li>
 *   <li>{@code spring.datasource.url} = {@code DATABASE_URL}, when that environment variable (or property)
 *       is set;</li>
 *   <li>{@code spring.datasource.driver-class-name} = {@code org.postgresql.Driver} when the URL is a
 *       {@code postgresql://} or {@code postgres://} URL: Boot derives the driver from {@code jdbc:} URLs
 *       only, and fails on any other.</li>
 * </ul>
 * None of them with {@code poolwise.enabled=false}. Values are computed at each lookup, not copied when the
 * environment is prepared: properties added later (test properties, {@code @DynamicPropertySource}) count,
 * and a {@code DATABASE_URL} with a password is never copied anywhere.
 */
final class PoolwiseDataSourceDefaults extends PropertySource<Object> {

  static final String NAME = "poolwiseDataSourceDefaults";
  /** Where the database comes from when {@code spring.datasource.url} is not set (environment variable or property). */
  static final String DATABASE_URL = "DATABASE_URL";
  static final String TYPE = "spring.datasource.type";
  static final String URL = "spring.datasource.url";
  static final String DRIVER_CLASS_NAME = "spring.datasource.driver-class-name";

  /**
   * The environment this source answers from. Not the PropertySource's "source": Boot's binder descends into
   * a source that is an environment, and would then meet this property source again, endlessly.
   */
  private final ConfigurableEnvironment environment;

  private PoolwiseDataSourceDefaults(ConfigurableEnvironment environment) {
    super(NAME, new Object());
    this.environment = environment;
  }

  /** Adds the defaults to {@code environment} as its last property source, once. */
  static void addTo(ConfigurableEnvironment environment) {
    if (!environment.getPropertySources().contains(NAME)) {
      environment.getPropertySources().addLast(new PoolwiseDataSourceDefaults(environment));
    }
  }

  @Override
  public Object getProperty(String name) {
    // Each lookup of the environment below reaches this source again only for a different key: no cycle.
    switch (name) {
      case TYPE:
        return enabled() ? ConfigurablePoolwiseDataSource.class.getName() : null;
      case URL:
        return enabled() ? environment.getProperty(DATABASE_URL) : null;
      case DRIVER_CLASS_NAME:
        return enabled() && isPostgresUrl(environment.getProperty(URL)) ? "org.postgresql.Driver" : null;
      default:
        return null;
    }
  }

  private boolean enabled() {
    return environment.getProperty("poolwise.enabled", Boolean.class, true);
  }

  private static boolean isPostgresUrl(String url) {
    return url != null && (url.startsWith("postgresql://") || url.startsWith("postgres://"));
  }
}
