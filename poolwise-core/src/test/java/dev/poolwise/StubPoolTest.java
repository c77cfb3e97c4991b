package dev.poolwise;

import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** Base for tests on a fresh stub database per test; every pool a test builds is closed after it. */
abstract class StubPoolTest {

  final StubDatabase database = StubDatabase.create();
  private final List<PoolwiseDataSource> pools = new ArrayList<>();

  PoolwiseDataSource pool(PoolwiseDataSource.Builder builder) throws SQLException {
    PoolwiseDataSource pool = builder.build();
    pools.add(pool);
    return pool;
  }

  /**
   * Borrows on a separate thread, so the test thread holds nothing: a test thread that holds every
   * connection and asks for one more has locked the pool, and the pool (rightly) says so at once.
   */
  static Connection borrowElsewhere(PoolwiseDataSource pool) throws Exception {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return pool.getConnection();
      } catch (SQLException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, runnable -> Thread.ofPlatform().start(runnable)).get();
  }

  @AfterEach
  void closePools() {
    pools.forEach(PoolwiseDataSource::close);
    database.forget();
  }
}
