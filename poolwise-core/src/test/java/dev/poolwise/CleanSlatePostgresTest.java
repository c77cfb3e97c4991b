package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.poolwise.embedded.PostgresServer;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

/**
 * The clean slate (issue 11), against a real PostgreSQL: on a pool of one connection, a borrower changes one
 * piece of state and returns the connection; the next borrower (the same backend, checked by its pid) must see
 * what the first borrower of a brand-new pool sees, and the server must hold nothing of the first borrower's
 * (rows, locks, LISTEN channels, temporary tables, prepared statements). Each test is a regression test: on the
 * code before issue 11, each one failed (uncommitted work committed, search_path rewritten, SET leaked, the next
 * borrower hung on an unfinished COPY …).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CleanSlatePostgresTest {

  private static PostgresServer server;
  private static PostgresServer.AppUser app;
  /** A role that has a schema named after itself, so "$user", public starts with an existing schema. */
  private static PostgresServer.AppUser owner;
  private static final AtomicInteger POOLS = new AtomicInteger();

  private PoolwiseDataSource pool;

  @BeforeAll
  static void startServer() throws SQLException {
    server = PostgresServer.start();
    app = server.createAppUser("clean_app", "Cl3an:Sl@te/1");
    owner = server.createAppUser("clean_owner", "Cl3an:Sl@te/2");
    for (PostgresServer.AppUser user : List.of(app, owner)) {
      try (Connection connection = open(user); Statement statement = connection.createStatement()) {
        statement.execute("create table items (id int primary key, name text not null)");
        statement.execute("insert into items values (1, 'one'), (2, 'two')");
        statement.execute("create schema other");
        statement.execute("create table other.elsewhere (id int)");
      }
    }
    try (Connection connection = open(owner); Statement statement = connection.createStatement()) {
      statement.execute("create schema clean_owner");
    }
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void restoreRows() throws SQLException {
    try (Connection connection = open(app); Statement statement = connection.createStatement()) {
      statement.execute("delete from items");
      statement.execute("insert into items values (1, 'one'), (2, 'two')");
      statement.execute("select lo_unlink(oid) from pg_largeobject_metadata");
    }
  }

  @org.junit.jupiter.api.AfterEach
  void closePool() {
    if (pool != null) {
      pool.close();
    }
  }

  private static Connection open(PostgresServer.AppUser user) throws SQLException {
    return DriverManager.getConnection(user.jdbcUrl(), user.username(), user.password());
  }

  private static PoolwiseDataSource.Builder builder(PostgresServer.AppUser user) {
    return PoolwiseDataSource.builder()
        .url(user.jdbcUrl())
        .username(user.username())
        .password(user.password())
        .driverProperty("ApplicationName", "clean-slate-" + POOLS.incrementAndGet())
        .maxSize(1)
        .validationTimeout(Duration.ofSeconds(2))
        .acquireTimeout(Duration.ofSeconds(30))
        .housekeepingInterval(Duration.ofHours(1))
        .multipleAcquisition(MultipleAcquisition.ALLOW);
  }

  /** Everything a borrower can observe of its session, as the first borrower of a new pool sees it. */
  private static Map<String, Object> observe(Connection connection) throws SQLException {
    Map<String, Object> seen = new LinkedHashMap<>();
    seen.put("autoCommit", connection.getAutoCommit());
    seen.put("isolation", connection.getTransactionIsolation());
    seen.put("readOnly", connection.isReadOnly());
    seen.put("catalog", connection.getCatalog());
    seen.put("schema", connection.getSchema());
    seen.put("networkTimeout", connection.getNetworkTimeout());
    seen.put("holdability", connection.getHoldability());
    seen.put("typeMap", connection.getTypeMap());
    seen.put("ApplicationName", connection.getClientInfo("ApplicationName"));
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select current_setting('search_path'),"
            + " current_setting('statement_timeout'), current_setting('work_mem'),"
            + " (select count(*) from pg_listening_channels()),"
            + " (select count(*) from pg_class where relnamespace = pg_my_temp_schema()),"
            + " (select count(*) from pg_prepared_statements where not from_sql),"
            + " (select count(*) from pg_prepared_statements where from_sql),"
            + " (select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()),"
            + " (select count(*) from pg_cursors),"
            + " now() = statement_timestamp(),"
            + " current_user, (select string_agg(name, ',' order by id) from public.items)")) {
      rows.next();
      seen.put("search_path", rows.getString(1));
      seen.put("statement_timeout", rows.getString(2));
      seen.put("work_mem", rows.getString(3));
      seen.put("listening channels", rows.getInt(4));
      seen.put("temporary relations", rows.getInt(5));
      seen.put("SQL prepared statements", rows.getInt(7));
      seen.put("advisory locks", rows.getInt(8));
      seen.put("cursors", rows.getInt(9));
      seen.put("no transaction open before this query", rows.getBoolean(10));
      seen.put("current_user", rows.getString(11));
      seen.put("items", rows.getString(12));
    }
    seen.put("pending notifications", pendingNotifications(connection));
    return seen;
  }

  private static int pendingNotifications(Connection connection) throws SQLException {
    var notifications = connection.unwrap(PGConnection.class).getNotifications();
    return notifications == null ? 0 : notifications.length;
  }

  private static int backendPid(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("select pg_backend_pid()")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private interface Dirty {
    void apply(Connection connection) throws Exception;
  }

  /**
   * A new pool; the first borrow's observations; a borrow that runs {@code dirty} and closes; the next borrow
   * must observe the same, on the same backend.
   */
  private void assertCleanAfter(PostgresServer.AppUser user, Dirty dirty) throws Exception {
    assertCleanAfter(builder(user), dirty);
  }

  private void assertCleanAfter(PoolwiseDataSource.Builder configured, Dirty dirty) throws Exception {
    pool = configured.build();
    Map<String, Object> fresh;
    int pid;
    try (Connection first = pool.getConnection()) {
      fresh = observe(first);
      pid = backendPid(first);
    }
    try (Connection borrower = pool.getConnection()) {
      assertThat(backendPid(borrower)).isEqualTo(pid);
      dirty.apply(borrower);
    }
    assertThat(serverStateOf(pid)).as("pg_stat_activity of the returned connection's backend").isEqualTo("idle");
    try (Connection next = pool.getConnection()) {
      assertThat(backendPid(next)).as("the same backend is lent again (not evicted)").isEqualTo(pid);
      assertThat(observe(next)).isEqualTo(fresh);
    }
  }

  /** What the server says the backend is doing, seen from outside the pool. */
  private static String serverStateOf(int pid) throws SQLException {
    try (Connection observer = server.openSuperuserConnection();
        PreparedStatement statement = observer.prepareStatement("select state from pg_stat_activity where pid = ?")) {
      statement.setInt(1, pid);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : "gone";
      }
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /* --- Nothing uncommitted is ever committed --- */

  @Test
  void updatableResultSetChangesAreRolledBackNotCommitted() throws Exception {
    assertCleanAfter(app, connection -> {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_UPDATABLE);
          ResultSet rows = statement.executeQuery("select id, name from items where id = 1")) {
        connection.commit(); // the read is done; what follows opens a transaction no execute call announced
        rows.next();
        rows.updateString("name", "changed");
        rows.updateRow();
      }
    });
    assertThat(itemsSeenByTheServer()).isEqualTo("one,two");
  }

  @Test
  void insertAndDeleteThroughAResultSetAreRolledBack() throws Exception {
    assertCleanAfter(app, connection -> {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_UPDATABLE);
          ResultSet rows = statement.executeQuery("select id, name from items order by id")) {
        connection.commit();
        rows.next();
        rows.deleteRow();
        rows.moveToInsertRow();
        rows.updateInt("id", 3);
        rows.updateString("name", "three");
        rows.insertRow();
      }
    });
    assertThat(itemsSeenByTheServer()).isEqualTo("one,two");
  }

  @Test
  void aTransactionOpenedWithSqlBeginIsRolledBack() throws Exception {
    assertCleanAfter(app, connection -> {
      execute(connection, "BEGIN");
      execute(connection, "insert into items values (9, 'nine')");
    });
    assertThat(itemsSeenByTheServer()).isEqualTo("one,two");
  }

  /**
   * The pool asks pgjdbc for the transaction state through a constant handle when pgjdbc comes from the pool's
   * own class loader, and through a handle of the connection's own otherwise: here pgjdbc is loaded a second
   * time, by a loader that cannot see the first one, so only the second path can tell that SQL BEGIN left a
   * transaction open.
   */
  @Test
  void aDriverFromAnotherClassLoaderHasItsTransactionRolledBackToo() throws Exception {
    URL pgjdbcJar = org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader isolated = new URLClassLoader(new URL[] {pgjdbcJar}, ClassLoader.getPlatformClassLoader())) {
      Class<?> dataSourceClass = isolated.loadClass("org.postgresql.ds.PGSimpleDataSource");
      assertThat(dataSourceClass).isNotSameAs(org.postgresql.ds.PGSimpleDataSource.class);
      DataSource driverDataSource = (DataSource) dataSourceClass.getConstructor().newInstance();
      dataSourceClass.getMethod("setURL", String.class).invoke(driverDataSource, app.jdbcUrl());
      dataSourceClass.getMethod("setUser", String.class).invoke(driverDataSource, app.username());
      dataSourceClass.getMethod("setPassword", String.class).invoke(driverDataSource, app.password());
      pool = PoolwiseDataSource.builder()
          .dataSource(driverDataSource)
          .maxSize(1)
          .validationTimeout(Duration.ofSeconds(2))
          .acquireTimeout(Duration.ofSeconds(30))
          .housekeepingInterval(Duration.ofHours(1))
          .build();
      int pid;
      try (Connection borrower = pool.getConnection()) {
        pid = backendPid(borrower);
        execute(borrower, "BEGIN");
        execute(borrower, "insert into items values (9, 'nine')");
      }
      assertThat(serverStateOf(pid)).as("pg_stat_activity of the returned connection's backend").isEqualTo("idle");
      try (Connection next = pool.getConnection();
          Statement statement = next.createStatement();
          ResultSet rows = statement.executeQuery("select pg_backend_pid(), txid_current_if_assigned() is null")) {
        rows.next();
        assertThat(rows.getInt(1)).as("the same backend is lent again (not evicted)").isEqualTo(pid);
        assertThat(rows.getBoolean(2)).as("no transaction holding the insert's id").isTrue();
        // unwrap marks the borrow as having used driver objects (a full reset follows): only after the check
        Class<?> isolatedBaseConnection = isolated.loadClass("org.postgresql.core.BaseConnection");
        assertThat(next.unwrap(isolatedBaseConnection).getClass().getClassLoader()).isSameAs(isolated);
      }
      pool.close();
    }
    assertThat(itemsSeenByTheServer()).isEqualTo("one,two");
  }

  @Test
  void aCopyThroughTheUnwrappedDriverConnectionIsRolledBack() throws Exception {
    assertCleanAfter(app, connection -> {
      connection.setAutoCommit(false);
      CopyManager copy = new CopyManager(connection.unwrap(BaseConnection.class));
      copy.copyIn("COPY items FROM STDIN", new ByteArrayInputStream("7\tseven\n".getBytes(StandardCharsets.UTF_8)));
    });
    assertThat(itemsSeenByTheServer()).isEqualTo("one,two");
  }

  @Test
  void aLargeObjectWrittenThroughTheUnwrappedDriverConnectionIsRolledBack() throws Exception {
    assertCleanAfter(app, connection -> {
      connection.setAutoCommit(false);
      LargeObjectManager objects = connection.unwrap(PGConnection.class).getLargeObjectAPI();
      long oid = objects.createLO();
      try (LargeObject object = objects.open(oid, LargeObjectManager.WRITE)) {
        object.write("secret".getBytes(StandardCharsets.UTF_8));
      }
    });
    try (Connection observer = open(app); Statement statement = observer.createStatement();
        ResultSet rows = statement.executeQuery("select count(*) from pg_largeobject_metadata")) {
      rows.next();
      assertThat(rows.getInt(1)).isZero();
    }
  }

  /* --- Restore exactly what was there: search_path --- */

  @Test
  void setSchemaIsUndoneVerbatimWhenTheRoleHasASchemaOfItsOwn() throws Exception {
    assertCleanAfter(owner, connection -> connection.setSchema("other"));
    // What failed with 42P01 before: the path had become the role's schema alone.
    try (Connection next = pool.getConnection(); Statement statement = next.createStatement()) {
      assertThat(statement.executeQuery("select count(*) from items").next()).isTrue();
    }
  }

  @Test
  void setSchemaToTheDefaultSchemaNameStillRestoresTheWholePath() throws Exception {
    assertCleanAfter(app, connection -> connection.setSchema("public"));
  }

  @Test
  void aSearchPathSetWithSqlIsRestored() throws Exception {
    assertCleanAfter(app, connection -> execute(connection, "set search_path to other"));
  }

  @Test
  void thePoolsOwnSchemaSettingIsKeptThroughAReset() throws Exception {
    assertCleanAfter(builder(app).schema("other"), connection -> {
      execute(connection, "set statement_timeout = 1");
      connection.setSchema("public");
    });
  }

  /* --- Session state set with SQL --- */

  @Test
  void setVariablesAreReset() throws Exception {
    assertCleanAfter(app, connection -> {
      execute(connection, "SET statement_timeout = 1");
      execute(connection, "select set_config('work_mem', '1MB', false)");
    });
  }

  @Test
  void temporaryTablesAreDropped() throws Exception {
    assertCleanAfter(app, connection -> execute(connection, "create temporary table scratch (id int)"));
  }

  @Test
  void listenAndItsPendingNotificationsAreGone() throws Exception {
    assertCleanAfter(app, connection -> {
      execute(connection, "LISTEN orders");
      try (Connection other = open(app)) {
        execute(other, "NOTIFY orders, 'for the first borrower only'");
      }
      execute(connection, "select 1"); // the driver reads the notification into its queue
    });
  }

  @Test
  void advisoryLocksPreparedStatementsAndHoldCursorsAreReleased() throws Exception {
    assertCleanAfter(app, connection -> {
      execute(connection, "select pg_advisory_lock(42)");
      execute(connection, "PREPARE by_id AS select name from items where id = $1");
      execute(connection, "begin; declare held cursor with hold for select * from items; commit");
    });
  }

  @Test
  void roleChangesAreReset() throws Exception {
    try (Connection admin = server.openSuperuserConnection()) {
      execute(admin, "create role clean_reader nologin");
      execute(admin, "grant clean_reader to clean_app");
      execute(admin, "grant usage on schema public to clean_reader");
    }
    assertCleanAfter(app, connection -> execute(connection, "SET ROLE clean_reader"));
  }

  @Test
  void theServerSidePreparedStatementCacheKeepsWorkingAfterADiscard() throws Exception {
    pool = builder(app).build();
    for (int borrow = 0; borrow < 3; borrow++) {
      try (Connection connection = pool.getConnection()) {
        for (int i = 0; i < 8; i++) { // past pgjdbc's prepareThreshold of 5: server-side prepared
          try (PreparedStatement statement = connection.prepareStatement("select name from items where id = ?")) {
            statement.setInt(1, 1);
            try (ResultSet rows = statement.executeQuery()) {
              rows.next();
              assertThat(rows.getString(1)).isEqualTo("one");
            }
          }
        }
        execute(connection, "set work_mem = '2MB'"); // so that every return discards the session
      }
    }
  }

  /* --- JDBC settings without a SQL equivalent --- */

  @Test
  void holdabilityTypeMapAndClientInfoAreRestored() throws Exception {
    assertCleanAfter(app, connection -> {
      connection.setHoldability(ResultSet.CLOSE_CURSORS_AT_COMMIT);
      connection.setTypeMap(Map.of("mytype", String.class));
      connection.setClientInfo("ApplicationName", "borrower's own name");
      connection.setNetworkTimeout(Runnable::run, 12_345);
      connection.setCatalog("postgres"); // pgjdbc ignores it; the next borrower must see the same answer
      connection.setReadOnly(true);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    });
  }

  @Test
  void clientInfoSetAsPropertiesIsRestored() throws Exception {
    assertCleanAfter(app, connection -> {
      Properties info = new Properties();
      info.setProperty("ApplicationName", "from properties");
      connection.setClientInfo(info);
    });
  }

  @Test
  void settingsChangedThroughTheUnwrappedConnectionAreRestored() throws Exception {
    assertCleanAfter(app, connection -> {
      Connection driver = connection.unwrap(BaseConnection.class);
      driver.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      driver.setReadOnly(true);
      driver.setSchema("other");
    });
  }

  /* --- An unfinished COPY never reaches the next borrower --- */

  @Test
  void anUnfinishedCopyIsEvictedAndTheNextBorrowerIsServed() throws Exception {
    pool = builder(app).build();
    int pid;
    try (Connection first = pool.getConnection()) {
      pid = backendPid(first);
    }
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      Connection borrower = pool.getConnection();
      CopyIn copy = new CopyManager(borrower.unwrap(BaseConnection.class)).copyIn("COPY items FROM STDIN");
      byte[] row = "8\teight\n".getBytes(StandardCharsets.UTF_8);
      copy.writeToCopy(row, 0, row.length);
      assertThatCode(borrower::close).doesNotThrowAnyException(); // returns within validationTimeout
      try (Connection next = pool.getConnection(); Statement statement = next.createStatement();
          ResultSet rows = statement.executeQuery("select string_agg(name, ',' order by id) from items")) {
        rows.next();
        assertThat(rows.getString(1)).isEqualTo("one,two");
        assertThat(backendPid(next)).as("the connection with the unfinished COPY was evicted").isNotEqualTo(pid);
      }
    });
    assertThat(pool.snapshot().total()).isEqualTo(1);
  }

  /* --- Identity: what the driver answers --- */

  @Test
  void aMetadataResultSetHasAStatementThatCanBeClosedLikeTheDriversOwn() throws Exception {
    pool = builder(app).build();
    try (Connection raw = open(app); ResultSet driverRows = raw.getMetaData().getTables(null, null, "items", null)) {
      assertThat(driverRows.getStatement()).as("pgjdbc answers a statement").isNotNull();
    }
    try (Connection connection = pool.getConnection()) {
      ResultSet rows = connection.getMetaData().getTables(null, null, "items", null);
      Statement statement = rows.getStatement();
      assertThat(statement).isNotNull();
      assertThat(statement.getConnection()).isSameAs(connection);
      statement.close(); // what failed with a NullPointerException: closing the result set through its statement
      assertThat(rows.isClosed()).isTrue();
    }
  }

  @Test
  void aClosedStatementStillAnswersItsConnectionLikeTheDriver() throws Exception {
    pool = builder(app).build();
    try (Connection raw = open(app)) {
      Statement driverStatement = raw.createStatement();
      driverStatement.close();
      assertThat(driverStatement.getConnection()).isSameAs(raw);
    }
    try (Connection connection = pool.getConnection()) {
      Statement statement = connection.createStatement();
      statement.close();
      assertThat(statement.getConnection()).isSameAs(connection);
    }
  }

  /* --- Modes --- */

  @Test
  void alwaysResetsEvenWhatThePoolCannotSee() throws Exception {
    try (Connection connection = open(app)) {
      execute(connection, "create function sneaky() returns int language sql as"
          + " $$ select length(set_config('work_mem', '3MB', false)) * 0 $$");
    }
    // The function's SET is invisible to the SQL watch: ALWAYS is what covers it.
    assertCleanAfter(builder(app).sessionReset(SessionReset.ALWAYS),
        connection -> execute(connection, "select sneaky()"));
  }

  @Test
  void offLeavesSessionStateButStillRollsBack() throws Exception {
    pool = builder(app).sessionReset(SessionReset.OFF).build();
    try (Connection borrower = pool.getConnection()) {
      execute(borrower, "set work_mem = '3MB'");
      execute(borrower, "BEGIN");
      execute(borrower, "insert into items values (9, 'nine')");
    }
    try (Connection next = pool.getConnection(); Statement statement = next.createStatement();
        ResultSet rows = statement.executeQuery("select current_setting('work_mem')")) {
      rows.next();
      assertThat(rows.getString(1)).isEqualTo("3MB");
    }
    assertThat(itemsSeenByTheServer()).isEqualTo("one,two");
  }

  @Test
  void aPoolWithAutoCommitOffResetsItsSessionsToo() throws Exception {
    assertCleanAfter(builder(app).autoCommit(false), connection -> {
      execute(connection, "set statement_timeout = 5");
      connection.commit();
      execute(connection, "insert into items values (9, 'nine')");
    });
    assertThat(itemsSeenByTheServer()).isEqualTo("one,two");
  }

  private static String itemsSeenByTheServer() throws SQLException {
    try (Connection observer = open(app); Statement statement = observer.createStatement();
        ResultSet rows = statement.executeQuery("select string_agg(name, ',' order by id) from items")) {
      rows.next();
      return rows.getString(1);
    }
  }
}
