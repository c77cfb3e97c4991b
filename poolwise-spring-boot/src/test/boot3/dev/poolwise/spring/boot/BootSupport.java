package dev.poolwise.spring.boot;

import java.util.Map;

/** What the tests need that moved between Spring Boot 3 and 4 (this is the Boot 3 side). */
final class BootSupport {

  /** Boot's own DataSource auto-configuration, which Poolwise's must run before. */
  static final Class<?> DATA_SOURCE_AUTO_CONFIGURATION =
      org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration.class;

  private BootSupport() {}

  static String statusCode(PoolwiseHealthIndicator indicator) {
    return indicator.health().getStatus().getCode();
  }

  static Map<String, Object> details(PoolwiseHealthIndicator indicator) {
    return indicator.health().getDetails();
  }
}
