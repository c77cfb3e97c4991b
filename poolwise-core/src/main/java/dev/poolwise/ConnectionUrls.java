package dev.poolwise;

/**
 * Turns a JDBC URL or a {@code DATABASE_URL} into builder settings. See {@code docs/configuration.md}.
 */
final class ConnectionUrls {

  private ConnectionUrls() {}

  /** Applies {@code url} to {@code builder}: sets {@code jdbcUrl}, URL credentials, pool and driver parameters. */
  static void apply(String url, PoolwiseDataSource.Builder builder) {
    // TODO(helper): full parser. Minimal pass-through so the skeleton compiles and JDBC URLs work.
    if (!url.startsWith("jdbc:")) {
      throw new IllegalArgumentException("not yet supported: " + Redaction.redactUrl(url));
    }
    builder.jdbcUrl = url;
  }
}
