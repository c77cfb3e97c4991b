package dev.poolwise;

import java.util.Properties;

/** Applies {@code poolwise.*} keys from a {@link Properties} to a builder. */
final class PropertiesConfiguration {

  private PropertiesConfiguration() {}

  static void apply(Properties properties, PoolwiseDataSource.Builder builder) {
    // TODO(helper): full implementation.
    String url = properties.getProperty("poolwise.url");
    if (url != null) {
      builder.url(url);
    }
  }
}
