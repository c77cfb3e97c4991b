package dev.poolwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.CallableStatement;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StubStatementTest {

  private final StubDatabase database = StubDatabase.create();
  private final StubConnection connection;

  StubStatementTest() throws SQLException {
    connection = database.connect("u", null);
  }

  @AfterEach
  void closeConnection() {
    connection.close();
  }

  @Test
  void executeQueryReturnsOneRowWithTheValueOne() throws SQLException {
    Statement statement = connection.createStatement();
    ResultSet resultSet = statement.executeQuery("SELECT 1");

    assertThat(resultSet.getStatement()).isSameAs(statement);
    assertThat(resultSet.getMetaData().getColumnCount()).isEqualTo(1);
    assertThat(resultSet.getMetaData().getColumnLabel(1)).isEqualTo("?column?");
    assertThatThrownBy(() -> resultSet.getInt(1)).as("before next()").isInstanceOf(SQLException.class);
    assertThat(resultSet.next()).isTrue();
    assertThat(resultSet.getInt(1)).isEqualTo(1);
    assertThat(resultSet.getLong("?column?")).isEqualTo(1L);
    assertThat(resultSet.getString(1)).isEqualTo("1");
    assertThat(resultSet.getObject(1)).isEqualTo(1);
    assertThat(resultSet.getObject(1, Long.class)).isEqualTo(1L);
    assertThat(resultSet.wasNull()).isFalse();
    assertThatThrownBy(() -> resultSet.getInt(2)).isInstanceOf(SQLException.class).hasMessageContaining("out of range");
    assertThatThrownBy(() -> resultSet.getInt("id")).isInstanceOf(SQLException.class).hasMessageContaining("no column \"id\"");
    assertThatThrownBy(() -> resultSet.getDate(1)).isInstanceOf(SQLFeatureNotSupportedException.class);
    assertThat(resultSet.next()).isFalse();
    assertThat(resultSet.isAfterLast()).isTrue();
  }

  @Test
  void executeReportsQueriesBySqlPrefixAndUpdatesCountOneRow() throws SQLException {
    Statement statement = connection.createStatement();
    assertThat(statement.execute("  select now()")).isTrue();
    assertThat(statement.getResultSet()).isNotNull();
    assertThat(statement.getUpdateCount()).isEqualTo(-1);

    ResultSet previous = statement.getResultSet();
    assertThat(statement.execute("UPDATE t SET x = 1")).isFalse();
    assertThat(previous.isClosed()).as("a new execute closes the previous result set").isTrue();
    assertThat(statement.getResultSet()).isNull();
    assertThat(statement.getUpdateCount()).isEqualTo(1);
    assertThat(statement.executeUpdate("DELETE FROM t")).isEqualTo(1);
    assertThat(statement.executeLargeUpdate("DELETE FROM t")).isEqualTo(1L);
    assertThat(connection.executedSql()).containsExactly("  select now()", "UPDATE t SET x = 1", "DELETE FROM t", "DELETE FROM t");
  }

  @Test
  void closingAStatementClosesItsResultSet() throws SQLException {
    Statement statement = connection.createStatement();
    ResultSet resultSet = statement.executeQuery("SELECT 1");
    statement.close();
    assertThat(resultSet.isClosed()).isTrue();
    assertThatThrownBy(resultSet::next).isInstanceOf(SQLException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> statement.execute("SELECT 1")).isInstanceOf(SQLException.class).hasMessage("statement is closed");
  }

  @Test
  void closeOnCompletionClosesTheStatementWithItsResultSet() throws SQLException {
    Statement statement = connection.createStatement();
    statement.closeOnCompletion();
    statement.executeQuery("SELECT 1").close();
    assertThat(statement.isClosed()).isTrue();
    assertThat(connection.openStatementCount()).isZero();
  }

  @Test
  void preparedStatementRunsItsOwnSqlAndRefusesOthers() throws SQLException {
    PreparedStatement prepared = connection.prepareStatement("SELECT * FROM t WHERE id = ?");
    prepared.setInt(1, 42);
    prepared.setString(1, "x");
    ResultSet resultSet = prepared.executeQuery();
    assertThat(resultSet.getStatement()).isSameAs(prepared);
    assertThat(resultSet.next()).isTrue();
    assertThat(prepared.execute()).isTrue();
    assertThat(prepared.unwrap(StubPreparedStatement.class).sql()).isEqualTo("SELECT * FROM t WHERE id = ?");
    assertThatThrownBy(() -> prepared.executeQuery("SELECT 2")).isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42809"));

    PreparedStatement insert = connection.prepareStatement("INSERT INTO t VALUES (?)");
    insert.setInt(1, 1);
    insert.addBatch();
    insert.addBatch();
    assertThat(insert.executeBatch()).containsExactly(1, 1);
    assertThat(insert.executeUpdate()).isEqualTo(1);
    assertThat(connection.executedSql()).containsExactly("SELECT * FROM t WHERE id = ?", "SELECT * FROM t WHERE id = ?",
        "INSERT INTO t VALUES (?)", "INSERT INTO t VALUES (?)", "INSERT INTO t VALUES (?)");
  }

  @Test
  void statementBatchRunsEachSqlThroughTheExecutePath() throws SQLException {
    Statement statement = connection.createStatement();
    statement.addBatch("INSERT INTO t VALUES (1)");
    statement.addBatch("INSERT INTO t VALUES (2)");
    assertThat(statement.executeBatch()).containsExactly(1, 1);
    assertThat(connection.executedSql()).containsExactly("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)");
  }

  @Test
  void callableStatementExecutesAndReturnsNeutralOutParameters() throws SQLException {
    CallableStatement call = connection.prepareCall("{call audit(?)}");
    call.registerOutParameter(1, Types.INTEGER);
    call.setString("name", "x");
    assertThat(call.execute()).isFalse();
    assertThat(call.getInt(1)).isZero();
    assertThat(call.getString(1)).isNull();
    assertThat(connection.executedSql()).containsExactly("{call audit(?)}");
    assertThat(call.getConnection()).isSameAs(connection);
  }

  @Test
  void executesGoThroughTheKnobsForEveryStatementKind() throws SQLException {
    database.failExecutesWith("XX000");
    Statement statement = connection.createStatement();
    PreparedStatement prepared = connection.prepareStatement("SELECT 1");
    CallableStatement call = connection.prepareCall("{call p()}");
    assertThatThrownBy(() -> statement.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
    assertThatThrownBy(prepared::executeQuery).isInstanceOf(SQLException.class);
    assertThatThrownBy(call::execute).isInstanceOf(SQLException.class);
    assertThat(connection.executeCount()).isEqualTo(3);
  }

  @Test
  void statementsUnwrapToTheirStubClass() throws SQLException {
    Statement statement = connection.createStatement();
    assertThat(statement.unwrap(StubStatement.class)).isSameAs(statement);
    assertThat(statement.isWrapperFor(StubPreparedStatement.class)).isFalse();
    assertThat(statement.getConnection()).isSameAs(connection);
  }
}
