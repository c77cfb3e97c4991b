package dev.poolwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StubConnectionTest {

  private final StubDatabase database = StubDatabase.create();
  private final StubConnection connection = connect();

  @AfterEach
  void closeConnection() {
    connection.close();
  }

  private StubConnection connect() {
    try {
      return database.connect("app", null);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  /* --- Session state --- */

  @Test
  void startsWithPostgresLikeDefaults() throws SQLException {
    assertThat(connection.getAutoCommit()).isTrue();
    assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
    assertThat(connection.isReadOnly()).isFalse();
    assertThat(connection.getCatalog()).isEqualTo("stub");
    assertThat(connection.getSchema()).isEqualTo("public");
    assertThat(connection.getNetworkTimeout()).isZero();
    assertThat(connection.getClientInfo()).isEmpty();
    assertThat(connection.inTransaction()).isFalse();
    assertThat(connection.user()).isEqualTo("app");
  }

  @Test
  void remembersSessionSettings() throws SQLException {
    connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
    connection.setReadOnly(true);
    connection.setCatalog("other");
    connection.setSchema("reporting");
    connection.setNetworkTimeout(Runnable::run, 5_000);
    connection.setClientInfo("ApplicationName", "orders");

    assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
    assertThat(connection.isReadOnly()).isTrue();
    assertThat(connection.getCatalog()).isEqualTo("other");
    assertThat(connection.getSchema()).isEqualTo("reporting");
    assertThat(connection.getNetworkTimeout()).isEqualTo(5_000);
    assertThat(connection.getClientInfo("ApplicationName")).isEqualTo("orders");
    connection.setClientInfo("ApplicationName", null);
    assertThat(connection.getClientInfo("ApplicationName")).isNull();

    assertThatThrownBy(() -> connection.setTransactionIsolation(Connection.TRANSACTION_NONE)).isInstanceOf(SQLException.class);
    assertThatThrownBy(() -> connection.setNetworkTimeout(Runnable::run, -1)).isInstanceOf(SQLException.class);
  }

  @Test
  void applicationNameFromConnectPropertiesBecomesClientInfo() throws SQLException {
    try (StubConnection named = new StubDriver().connect(database.url() + "?ApplicationName=billing", null)) {
      assertThat(named.getClientInfo("ApplicationName")).isEqualTo("billing");
    }
  }

  /* --- Transactions --- */

  @Test
  void executeWithAutoCommitOffOpensATransactionThatCommitOrRollbackEnds() throws SQLException {
    Statement statement = connection.createStatement();
    statement.execute("UPDATE t SET x = 1");
    assertThat(connection.inTransaction()).as("auto-commit on: no transaction stays open").isFalse();

    connection.setAutoCommit(false);
    assertThat(connection.inTransaction()).isFalse();
    statement.execute("UPDATE t SET x = 2");
    assertThat(connection.inTransaction()).isTrue();
    connection.commit();
    assertThat(connection.inTransaction()).isFalse();

    statement.execute("UPDATE t SET x = 3");
    connection.rollback();
    assertThat(connection.inTransaction()).isFalse();
    connection.rollback(); // nothing open: still counted, as the driver still sent it

    assertThat(connection.commitCount()).isEqualTo(1);
    assertThat(connection.rollbackCount()).isEqualTo(2);
  }

  @Test
  void setAutoCommitTrueCommitsAnOpenTransaction() throws SQLException {
    connection.setAutoCommit(false);
    connection.setAutoCommit(true); // no transaction open: nothing to commit
    assertThat(connection.commitCount()).isZero();

    connection.setAutoCommit(false);
    connection.createStatement().executeUpdate("INSERT INTO t VALUES (1)");
    connection.setAutoCommit(true);
    assertThat(connection.inTransaction()).isFalse();
    assertThat(connection.commitCount()).isEqualTo(1);
    assertThat(connection.getAutoCommit()).isTrue();
  }

  @Test
  void commitAndRollbackAreRefusedInAutoCommitMode() {
    assertThatThrownBy(connection::commit).isInstanceOf(SQLException.class).hasMessageContaining("autoCommit");
    assertThatThrownBy(connection::rollback).isInstanceOf(SQLException.class).hasMessageContaining("autoCommit");
    assertThat(connection.commitCount()).isZero();
    assertThat(connection.rollbackCount()).isZero();
  }

  /* --- Statement tracking --- */

  @Test
  void everyStatementKindCountsAsOpenUntilClosed() throws SQLException {
    List<Statement> statements = new ArrayList<>();
    statements.add(connection.createStatement());
    statements.add(connection.createStatement(1003, 1007));
    statements.add(connection.createStatement(1003, 1007, 2));
    statements.add(connection.prepareStatement("SELECT 1"));
    statements.add(connection.prepareStatement("SELECT 1", Statement.RETURN_GENERATED_KEYS));
    statements.add(connection.prepareStatement("SELECT 1", new int[] {1}));
    statements.add(connection.prepareStatement("SELECT 1", new String[] {"id"}));
    statements.add(connection.prepareStatement("SELECT 1", 1003, 1007));
    statements.add(connection.prepareStatement("SELECT 1", 1003, 1007, 2));
    statements.add(connection.prepareCall("{call p()}"));
    statements.add(connection.prepareCall("{call p()}", 1003, 1007));
    statements.add(connection.prepareCall("{call p()}", 1003, 1007, 2));
    assertThat(connection.openStatementCount()).isEqualTo(12);

    statements.get(0).close();
    statements.get(0).close(); // idempotent
    assertThat(connection.openStatementCount()).isEqualTo(11);
    for (Statement statement : statements) {
      statement.close();
    }
    assertThat(connection.openStatementCount()).isZero();
  }

  @Test
  void executedSqlKeepsTheLastThousandInOrder() throws SQLException {
    Statement statement = connection.createStatement();
    for (int i = 0; i < StubConnection.EXECUTED_SQL_CAPACITY + 5; i++) {
      statement.execute("SELECT " + i);
    }
    List<String> executed = connection.executedSql();
    assertThat(executed).hasSize(StubConnection.EXECUTED_SQL_CAPACITY);
    assertThat(executed.get(0)).isEqualTo("SELECT 5");
    assertThat(executed.get(executed.size() - 1)).isEqualTo("SELECT " + (StubConnection.EXECUTED_SQL_CAPACITY + 4));
    assertThat(connection.executeCount()).isEqualTo(StubConnection.EXECUTED_SQL_CAPACITY + 5);
  }

  /* --- Close --- */

  @Test
  void closeClosesStatementsAndMakesEveryOperationFailWith08003() throws SQLException {
    Statement statement = connection.createStatement();
    var resultSet = statement.executeQuery("SELECT 1");
    connection.close();

    assertThat(connection.isClosed()).isTrue();
    assertThat(connection.wasAborted()).isFalse();
    assertThat(statement.isClosed()).isTrue();
    assertThat(resultSet.isClosed()).isTrue();
    assertThat(connection.openStatementCount()).isZero();
    assertThat(connection.isValid(1)).isFalse();
    assertThat(database.connectionsClosed()).isEqualTo(1);
    assertThat(database.openConnections()).isZero();

    for (ThrowingAction action : operationsOnConnection(connection)) {
      assertThatThrownBy(action::run).isInstanceOf(SQLException.class)
          .hasMessage("connection is closed")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
    }
    assertThatThrownBy(() -> statement.execute("SELECT 1")).satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
    assertThatThrownBy(() -> connection.setClientInfo("a", "b")).isInstanceOf(SQLClientInfoException.class);
  }

  /* --- Kill --- */

  @Test
  void killedConnectionFailsEveryOperationWith08006ButStaysOpenUntilClosed() throws SQLException {
    Statement statement = connection.createStatement();
    connection.kill();

    assertThat(connection.isValid(1)).isFalse();
    assertThat(connection.isClosed()).isFalse();
    assertThat(connection.isKilled()).isTrue();
    assertThat(database.openConnections()).isEqualTo(1);
    for (ThrowingAction action : operationsOnConnection(connection)) {
      assertThatThrownBy(action::run).isInstanceOf(SQLException.class)
          .hasMessage("connection terminated (stub kill)")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
    }
    assertThatThrownBy(() -> statement.executeQuery("SELECT 1"))
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));

    connection.close();
    assertThat(database.openConnections()).isZero();
    assertThat(database.connectionsClosed()).isEqualTo(1);
  }

  @Test
  void killDuringARunningQueryFailsThatQuery() throws SQLException {
    database.executeHook((running, sql) -> running.kill());
    assertThatThrownBy(() -> connection.createStatement().execute("SELECT pg_sleep(10)"))
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08006"));
  }

  /* --- Abort --- */

  @Test
  void abortEndsTheConnectionAtOnceAndReleasesStatementsOnTheExecutor() throws SQLException {
    Statement statement = connection.createStatement();
    List<Runnable> scheduled = new ArrayList<>();
    Executor deferred = scheduled::add;

    connection.abort(deferred);
    assertThat(connection.isClosed()).isTrue();
    assertThat(connection.wasAborted()).isTrue();
    assertThat(database.connectionsAborted()).isEqualTo(1);
    assertThat(database.openConnections()).isZero();
    assertThat(statement.isClosed()).as("released on the executor, not yet run").isFalse();

    scheduled.forEach(Runnable::run);
    assertThat(statement.isClosed()).isTrue();
    assertThat(connection.openStatementCount()).isZero();

    connection.abort(deferred); // already ended: no-op
    connection.close();
    assertThat(database.connectionsAborted()).isEqualTo(1);
    assertThat(database.connectionsClosed()).isZero();
    assertThatThrownBy(() -> connection.abort(null)).isInstanceOf(SQLException.class);
  }

  /* --- Metadata and wrapping --- */

  @Test
  void metaDataPointsBackToThisConnection() throws SQLException {
    StubDatabaseMetaData metaData = connection.getMetaData();
    assertThat(metaData.getConnection()).isSameAs(connection);
    assertThat(metaData.getURL()).isEqualTo(database.url());
    assertThat(metaData.getUserName()).isEqualTo("app");
    assertThat(metaData.getDatabaseProductName()).isEqualTo("Stub");
    assertThat(metaData.getTables(null, null, "%", null).next()).isFalse();
    assertThat(metaData.supportsTransactionIsolationLevel(Connection.TRANSACTION_SERIALIZABLE)).isTrue();
  }

  @Test
  void unwrapsToItsOwnClassOnly() throws SQLException {
    assertThat(connection.isWrapperFor(StubConnection.class)).isTrue();
    assertThat(connection.unwrap(StubConnection.class)).isSameAs(connection);
    assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
    assertThat(connection.isWrapperFor(String.class)).isFalse();
    assertThatThrownBy(() -> connection.unwrap(String.class)).isInstanceOf(SQLException.class);
  }

  @Test
  void unsupportedFeaturesSaySo() {
    assertThatThrownBy(connection::setSavepoint).isInstanceOf(java.sql.SQLFeatureNotSupportedException.class)
        .hasMessageContaining("savepoints");
    assertThatThrownBy(connection::createBlob).isInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
  }

  @FunctionalInterface
  interface ThrowingAction {
    void run() throws Exception;
  }

  private static List<ThrowingAction> operationsOnConnection(StubConnection connection) {
    return List.of(
        connection::createStatement,
        () -> connection.prepareStatement("SELECT 1"),
        () -> connection.prepareCall("{call p()}"),
        () -> connection.setAutoCommit(false),
        connection::getAutoCommit,
        connection::commit,
        connection::rollback,
        () -> connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE),
        connection::getTransactionIsolation,
        () -> connection.setReadOnly(true),
        connection::isReadOnly,
        () -> connection.setCatalog("c"),
        connection::getCatalog,
        () -> connection.setSchema("s"),
        connection::getSchema,
        () -> connection.setNetworkTimeout(Runnable::run, 1),
        connection::getNetworkTimeout,
        connection::getClientInfo,
        connection::getMetaData,
        connection::getWarnings);
  }
}
