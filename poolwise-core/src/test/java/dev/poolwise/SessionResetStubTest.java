package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the pool resets a PostgreSQL session on return ({@link SessionReset}), on the stub driver answering as
 * PostgreSQL: the execute hook sees the {@code DISCARD ALL} the reset sends. The server-side effects are
 * tested against a real PostgreSQL in {@link CleanSlatePostgresTest}.
 */
class SessionResetStubTest {

  private final StubDatabase database = StubDatabase.create().productName("PostgreSQL");
  private final List<String> executed = new CopyOnWriteArrayList<>();
  private PoolwiseDataSource pool;

  @BeforeEach
  void recordSql() {
    database.executeHook((connection, sql) -> executed.add(sql));
  }

  @AfterEach
  void close() {
    if (pool != null) {
      pool.close();
    }
    database.forget();
  }

  private PoolwiseDataSource pool(SessionReset mode) throws SQLException {
    pool = StubPools.builder(database).maxSize(1).sessionReset(mode).connectionInitSql("select 'init'").build();
    return pool;
  }

  private void borrowAndRun(String sql) throws SQLException {
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private long discards() {
    return executed.stream().filter("DISCARD ALL"::equals).count();
  }

  @Test
  void autoLeavesAnOrdinaryBorrowAlone() throws SQLException {
    pool(SessionReset.AUTO);
    for (int i = 0; i < 3; i++) {
      try (Connection connection = pool.getConnection();
          PreparedStatement statement = connection.prepareStatement("select * from items where id = ?")) {
        statement.setInt(1, i);
        statement.execute();
      }
      borrowAndRun("update items set name = 'x' where id = 1");
    }
    assertThat(discards()).isZero();
  }

  @Test
  void autoResetsAfterSqlThatChangesTheSessionAndAppliesThePoolsSettingsAgain() throws SQLException {
    pool(SessionReset.AUTO);
    borrowAndRun("select 1");
    executed.clear();
    borrowAndRun("SET statement_timeout = 1");
    assertThat(executed).containsSubsequence("SET statement_timeout = 1", "DISCARD ALL", "select 'init'");
    executed.clear();
    borrowAndRun("select 1");
    assertThat(discards()).as("the mark is per borrow").isZero();
  }

  @Test
  void autoResetsAfterABatchThatChangesTheSession() throws SQLException {
    pool(SessionReset.AUTO);
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.addBatch("insert into items values (1)");
      statement.addBatch("set work_mem = '1MB'");
      statement.executeBatch();
    }
    assertThat(discards()).isEqualTo(1);
  }

  @Test
  void autoResetsAfterADriverObjectWasUnwrapped() throws SQLException {
    pool(SessionReset.AUTO);
    try (Connection connection = pool.getConnection()) {
      StubPools.raw(connection);
    }
    assertThat(discards()).isEqualTo(1);
  }

  @Test
  void alwaysResetsEveryReturn() throws SQLException {
    pool(SessionReset.ALWAYS);
    borrowAndRun("select 1");
    borrowAndRun("select 2");
    assertThat(discards()).isEqualTo(2);
  }

  @Test
  void offNeverResets() throws SQLException {
    pool(SessionReset.OFF);
    borrowAndRun("set work_mem = '1MB'");
    assertThat(discards()).isZero();
  }

  @Test
  void otherDatabasesGetNoSessionReset() throws SQLException {
    database.productName("Stub");
    pool(SessionReset.ALWAYS);
    borrowAndRun("set work_mem = '1MB'");
    assertThat(discards()).isZero();
  }

  @Test
  void behindPgBouncerThePoolLeavesTheSessionToPgBouncer() throws SQLException {
    pool = StubPools.builder(database).maxSize(1).driverProperty("prepareThreshold", "0").build();
    borrowAndRun("set work_mem = '1MB'");
    assertThat(discards()).isZero();
  }

  @Test
  void aFailingResetEvictsTheConnectionAndCloseDoesNotThrow() throws SQLException {
    pool(SessionReset.AUTO);
    long firstId;
    try (Connection connection = pool.getConnection()) {
      firstId = StubPools.raw(connection).id();
    }
    database.executeHook((connection, sql) -> {
      if (sql.equals("DISCARD ALL")) {
        throw new SQLException("injected reset failure", "XX000");
      }
    });
    assertThatCode(() -> borrowAndRun("set work_mem = '1MB'")).doesNotThrowAnyException();
    database.executeHook(null);
    try (Connection connection = pool.getConnection()) {
      assertThat(StubPools.raw(connection).id()).as("a new connection").isNotEqualTo(firstId);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(pool.snapshot().evictions().get(PoolSnapshot.EvictionCause.RESET_FAILED)).isEqualTo(1));
  }
}
