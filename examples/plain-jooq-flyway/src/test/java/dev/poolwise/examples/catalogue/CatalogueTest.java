package dev.poolwise.examples.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolSnapshot;
import dev.poolwise.PoolwiseDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catalogue on a real (embedded) PostgreSQL, with a pool of 4 shared by 8 threads. */
class CatalogueTest {

  private static EmbeddedPostgres server;
  private static Catalogue catalogue;

  @BeforeAll
  static void start() throws Exception {
    server = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "localhost").start();
    catalogue = new Catalogue(PoolwiseDataSource.builder()
        .url(server.getJdbcUrl("postgres", "postgres"))
        .poolName("catalogue").maxSize(4)
        .driverProperty("ApplicationName", "catalogue-test")
        .build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (catalogue != null) {
      catalogue.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void flywayMigratedThroughThePoolAndJooqReadsTheSeed() {
    assertThat(catalogue.titlesBy("Octavia E. Butler")).startsWith("Kindred");
    assertThat(catalogue.pool().snapshot().acquisitions()).isPositive();
  }

  @Test
  void eightThreadsShareFourConnections() throws Exception {
    int before = catalogue.count();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<Long>> added = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        added.add(threads.submit(() -> catalogue.add("Book " + n, "Author " + (n % 10), 1900 + n)));
      }
      for (Future<Long> id : added) {
        assertThat(id.get(60, TimeUnit.SECONDS)).isNotNull();
      }
    } finally {
      threads.shutdown();
      assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(catalogue.count()).isEqualTo(before + 200);
    assertThat(catalogue.titlesBy("Author 3")).hasSize(20);

    PoolSnapshot snapshot = catalogue.pool().snapshot();
    assertThat(snapshot.active()).as("every borrow came back").isZero();
    assertThat(snapshot.total()).isLessThanOrEqualTo(4);
    assertThat(snapshot.timeouts()).isZero();
    // The server sees no more connections from the pool than the pool says it holds.
    try (Connection separate = server.getPostgresDatabase().getConnection();
        ResultSet result = separate.createStatement().executeQuery(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'catalogue-test'")) {
      result.next();
      assertThat(result.getInt(1)).isEqualTo(catalogue.pool().snapshot().total());
    }
  }
}
