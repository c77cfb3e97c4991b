package dev.poolwise;

import dev.poolwise.testkit.StubDatabase;
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

  @AfterEach
  void closePools() {
    pools.forEach(PoolwiseDataSource::close);
    database.forget();
  }
}
