package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwise.FakeJdbc.RecordingReleaser;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The connection handle against a recording fake driver ({@link FakeJdbc}): reset, release, exposure, races. */
class ConnectionHandleTest {

  static final ConnectionDefaults DEFAULTS =
      new ConnectionDefaults(true, Connection.TRANSACTION_READ_COMMITTED, false, "db", "public", 0);

  final FakeJdbc fake = new FakeJdbc();
  final PoolEntry entry = new PoolEntry(1, fake.connection, DEFAULTS, System.nanoTime(), Long.MAX_VALUE);
  final RecordingReleaser releaser = new RecordingReleaser();
  final ConnectionHandle handle = new ConnectionHandle(entry, releaser);

  /** Closes the handle and answers the driver calls the close made. */
  List<String> closeAndRecordReset() throws SQLException {
    fake.calls.clear();
    handle.close();
    return fake.callsSnapshot();
  }

  /* --- Reset on close --- */

  @Nested
  class Reset {

    @Test
    void untouchedConnectionOnlyClearsWarnings() throws SQLException {
      try (Statement statement = handle.createStatement()) {
        statement.execute("select 1");
      }

      assertThat(closeAndRecordReset()).containsExactly("Connection.clearWarnings()");
      assertThat(releaser.released).containsExactly(entry);
      assertThat(entry.evictionReason()).isNull();
    }

    static Stream<Arguments> settings() {
      return Stream.of(
          setting("autoCommit", c -> c.setAutoCommit(false), c -> c.setAutoCommit(true), "Connection.setAutoCommit(true)"),
          setting(
              "isolation",
              c -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE),
              c -> c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED),
              "Connection.setTransactionIsolation(2)"),
          setting("readOnly", c -> c.setReadOnly(true), c -> c.setReadOnly(false), "Connection.setReadOnly(false)"),
          setting("catalog", c -> c.setCatalog("other"), c -> c.setCatalog("db"), "Connection.setCatalog(db)"),
          setting("schema", c -> c.setSchema("audit"), c -> c.setSchema("public"), "Connection.setSchema(public)"),
          setting(
              "networkTimeout",
              c -> c.setNetworkTimeout(Runnable::run, 5_000),
              c -> c.setNetworkTimeout(Runnable::run, 0),
              "Connection.setNetworkTimeout(executor, 0)"));
    }

    interface Change {
      void apply(Connection connection) throws SQLException;
    }

    static Arguments setting(String name, Change toOther, Change toDefault, String restoreCall) {
      return Arguments.of(name, toOther, toDefault, restoreCall);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void changedSettingIsRestoredToTheDefault(String name, Change toOther, Change toDefault, String restoreCall)
        throws SQLException {
      toOther.apply(handle);

      // autoCommit turned off: roll back first, so that restoring it cannot commit unseen work.
      List<String> expected = name.equals("autoCommit")
          ? List.of("Connection.rollback()", restoreCall, "Connection.clearWarnings()")
          : List.of(restoreCall, "Connection.clearWarnings()");
      assertThat(closeAndRecordReset()).containsExactlyElementsOf(expected);
      assertThat(entry.evictionReason()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void settingChangedBackByTheApplicationIsNotRestoredAgain(
        String name, Change toOther, Change toDefault, String restoreCall) throws SQLException {
      toOther.apply(handle);
      toDefault.apply(handle);

      assertThat(closeAndRecordReset()).containsExactly("Connection.clearWarnings()");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void settingSetToItsDefaultIsNotRestored(String name, Change toOther, Change toDefault, String restoreCall)
        throws SQLException {
      toDefault.apply(handle);

      assertThat(closeAndRecordReset()).containsExactly("Connection.clearWarnings()");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void settingWhoseSetterFailedIsRestored(String name, Change toOther, Change toDefault, String restoreCall)
        throws SQLException {
      String setter = restoreCall.substring(0, restoreCall.indexOf('('));
      fake.failOn(setter, FakeJdbc.sqlState("42000"));
      assertThatThrownBy(() -> toDefault.apply(handle)).isInstanceOf(SQLException.class);
      fake.failures.clear();

      assertThat(closeAndRecordReset()).contains(restoreCall);
    }

    @Test
    void everyChangedSettingIsRestoredAfterTheRollback() throws SQLException {
      handle.setAutoCommit(false);
      handle.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      handle.setReadOnly(true);
      handle.setCatalog("other");
      handle.setSchema("audit");
      handle.setNetworkTimeout(Runnable::run, 5_000);
      handle.prepareStatement("update t set x = 1").executeUpdate();

      assertThat(closeAndRecordReset())
          .containsExactly(
              "PreparedStatement.close()",
              "Connection.rollback()",
              "Connection.setAutoCommit(true)",
              "Connection.setTransactionIsolation(2)",
              "Connection.setReadOnly(false)",
              "Connection.setCatalog(db)",
              "Connection.setSchema(public)",
              "Connection.setNetworkTimeout(executor, 0)",
              "Connection.clearWarnings()");
    }

    @Test
    void entryAlreadyMarkedForEvictionIsReleasedWithoutReset() throws SQLException {
      handle.setAutoCommit(false);
      handle.createStatement().execute("select 1");
      entry.markForEviction("max lifetime");

      assertThat(closeAndRecordReset()).isEmpty();
      assertThat(releaser.released).containsExactly(entry);
    }
  }

  /* --- Rollback only when a transaction may be open --- */

  @Nested
  class Rollback {

    boolean closeRolledBack() throws SQLException {
      return closeAndRecordReset().contains("Connection.rollback()");
    }

    @Test
    void statementExecutedWithAutoCommitOffIsRolledBack() throws SQLException {
      handle.setAutoCommit(false);
      handle.createStatement().executeUpdate("delete from t");

      assertThat(closeRolledBack()).isTrue();
    }

    @Test
    void failedStatementWithAutoCommitOffIsRolledBack() throws SQLException {
      handle.setAutoCommit(false);
      fake.failOn("Statement.execute", FakeJdbc.sqlState("23505"));
      assertThatThrownBy(() -> handle.createStatement().execute("insert into t values (1)"))
          .isInstanceOf(SQLException.class);
      fake.failures.clear();

      assertThat(closeRolledBack()).isTrue();
    }

    @Test
    void autoCommitTurnedOffIsRolledBackBeforeItIsRestored() throws SQLException {
      // Work the pool cannot see (an updatable result set, a driver object) may have opened a transaction;
      // restoring autoCommit would commit it.
      handle.setAutoCommit(false);

      assertThat(closeAndRecordReset())
          .containsExactly("Connection.rollback()", "Connection.setAutoCommit(true)", "Connection.clearWarnings()");
    }

    @Test
    void autoCommitTurnedOffAndBackOnIsNotRolledBack() throws SQLException {
      handle.setAutoCommit(false);
      handle.prepareStatement("update t set x = 1").executeUpdate();
      handle.commit();
      handle.setAutoCommit(true);

      assertThat(closeRolledBack()).isFalse();
    }

    @Test
    void rowsChangedThroughAResultSetAfterACommitAreRolledBack() throws SQLException {
      var manualCommit = new ConnectionDefaults(false, Connection.TRANSACTION_READ_COMMITTED, false, "db", "public", 0);
      var manualHandle = new ConnectionHandle(
          new PoolEntry(2, fake.connection, manualCommit, System.nanoTime(), Long.MAX_VALUE), releaser);
      var rows = manualHandle.createStatement().executeQuery("select * from t");
      manualHandle.commit();
      rows.updateRow();
      fake.calls.clear();

      manualHandle.close();

      assertThat(fake.callsSnapshot()).contains("Connection.rollback()");
    }

    @Test
    void autoCommitOnIsNeverRolledBack() throws SQLException {
      handle.createStatement().execute("select 1");
      handle.prepareStatement("select ?").executeQuery();

      assertThat(closeRolledBack()).isFalse();
    }

    @Test
    void committedTransactionIsNotRolledBack() throws SQLException {
      handle.setAutoCommit(false);
      handle.prepareStatement("update t set x = 1").executeUpdate();
      handle.commit();
      handle.setAutoCommit(true);

      assertThat(closeRolledBack()).isFalse();
    }

    @Test
    void rolledBackTransactionIsNotRolledBackAgain() throws SQLException {
      handle.setAutoCommit(false);
      handle.prepareStatement("update t set x = 1").executeUpdate();
      handle.rollback();
      handle.setAutoCommit(true);

      assertThat(closeRolledBack()).isFalse();
    }

    @Test
    void failedCommitIsRolledBack() throws SQLException {
      handle.setAutoCommit(false);
      handle.prepareStatement("update t set x = 1").executeUpdate();
      fake.failOn("Connection.commit", FakeJdbc.sqlState("40001"));
      assertThatThrownBy(handle::commit).isInstanceOf(SQLException.class);
      fake.failures.clear();

      assertThat(closeRolledBack()).isTrue();
    }

    @Test
    void switchingAutoCommitOnCommitsSoNothingIsRolledBack() throws SQLException {
      handle.setAutoCommit(false);
      handle.createStatement().execute("update t set x = 1");
      handle.setAutoCommit(true);

      assertThat(closeRolledBack()).isFalse();
    }

    @Test
    void statementWorkAfterCommitIsRolledBack() throws SQLException {
      handle.setAutoCommit(false);
      handle.createStatement().execute("update t set x = 1");
      handle.commit();
      handle.createStatement().execute("update t set x = 2");

      assertThat(closeRolledBack()).isTrue();
    }

    @Test
    void savepointWithAutoCommitOffIsRolledBack() throws SQLException {
      handle.setAutoCommit(false);
      handle.setSavepoint("before");

      assertThat(closeRolledBack()).isTrue();
    }

    @Test
    void metadataQueryWithAutoCommitOffIsRolledBack() throws SQLException {
      handle.setAutoCommit(false);
      handle.getMetaData().getTables(null, "public", "%", null);

      assertThat(closeRolledBack()).isTrue();
    }

    @Test
    void poolDefaultOfAutoCommitOffRollsBackWithoutTouchingAutoCommit() throws SQLException {
      var manualCommit = new ConnectionDefaults(false, Connection.TRANSACTION_READ_COMMITTED, false, "db", "public", 0);
      var manualEntry = new PoolEntry(2, fake.connection, manualCommit, System.nanoTime(), Long.MAX_VALUE);
      var manualHandle = new ConnectionHandle(manualEntry, releaser);
      manualHandle.prepareCall("call do_work()").execute();
      fake.calls.clear();

      manualHandle.close();

      assertThat(fake.callsSnapshot()).containsExactly("CallableStatement.close()", "Connection.rollback()", "Connection.clearWarnings()");
    }
  }

  /* --- Statements left open --- */

  @Test
  void statementsLeftOpenAreClosedOnceAndClosedOnesAreNotClosedAgain() throws SQLException {
    Statement plain = handle.createStatement();
    PreparedStatement prepared = handle.prepareStatement("select ?");
    CallableStatement callable = handle.prepareCall("call p()");
    prepared.close();
    prepared.close(); // idempotent: the driver sees one close
    assertThat(fake.callsStartingWith("PreparedStatement.close")).hasSize(1);

    List<String> reset = closeAndRecordReset();

    assertThat(reset).filteredOn(call -> call.endsWith(".close()")).containsExactlyInAnyOrder("Statement.close()", "CallableStatement.close()");
    assertThat(plain.isClosed()).isTrue();
    assertThat(callable.isClosed()).isTrue();
    assertThat(reset).as("closed by the application, not closed again").doesNotContain("PreparedStatement.close()");
  }

  @Test
  void aSingleStatementLeftOpenIsClosedOnReturn() throws SQLException {
    PreparedStatement only = handle.prepareStatement("select 1");

    List<String> reset = closeAndRecordReset();

    assertThat(reset).filteredOn(call -> call.endsWith(".close()")).containsExactly("PreparedStatement.close()");
    assertThat(only.isClosed()).isTrue();
  }

  @Test
  void statementsOpenOneAtATimeAndThenSeveralAtOnceAreEachClosedOnce() throws SQLException {
    // One at a time (kept without a list), then two at once (both move to the list), one of them closed in
    // creation order, then one more: the two still open are closed on return, newest first.
    PreparedStatement first = handle.prepareStatement("select 1");
    first.close();
    PreparedStatement second = handle.prepareStatement("select 2");
    Statement third = handle.createStatement();
    second.close();
    CallableStatement fourth = handle.prepareCall("call p()");
    assertThat(fake.callsStartingWith("PreparedStatement.close")).as("closed by the application").hasSize(2);

    List<String> reset = closeAndRecordReset();

    assertThat(reset).filteredOn(call -> call.endsWith(".close()"))
        .as("only the two left open, newest first; the prepared ones are not closed again")
        .containsExactly("CallableStatement.close()", "Statement.close()");
    assertThat(third.isClosed()).isTrue();
    assertThat(fourth.isClosed()).isTrue();
  }

  @Test
  void statementCloseFailureOnReturnIsIgnoredButABrokenOneEvicts() throws SQLException {
    handle.createStatement();
    fake.failOn("Statement.close", FakeJdbc.sqlState("08006"));

    assertThatCode(handle::close).doesNotThrowAnyException();

    assertThat(entry.evictionReason()).contains("08006");
    assertThat(releaser.count()).isEqualTo(1);
  }

  @Test
  void statementCloseFailureThatIsNotBrokenStillResetsAndReuses() throws SQLException {
    handle.setAutoCommit(false);
    handle.createStatement().execute("select 1");
    fake.failOn("Statement.close", FakeJdbc.sqlState("HY000"));

    assertThat(closeAndRecordReset()).contains("Connection.rollback()", "Connection.setAutoCommit(true)");
    assertThat(entry.evictionReason()).isNull();
  }

  /* --- Close and abort: idempotent, released exactly once --- */

  @Test
  void closeTwiceReleasesOnceAndResetsOnce() throws SQLException {
    handle.setAutoCommit(false);
    handle.close();
    fake.calls.clear();

    handle.close();

    assertThat(releaser.count()).isEqualTo(1);
    assertThat(fake.calls).isEmpty();
  }

  @Test
  void abortEvictsAbortsAndReleasesOnce() throws SQLException {
    handle.abort(Runnable::run);
    handle.abort(Runnable::run);
    handle.close();

    assertThat(entry.evictionReason()).isEqualTo("aborted by the application");
    assertThat(fake.callsStartingWith("Connection.abort")).hasSize(1);
    assertThat(fake.callsStartingWith("Connection.set")).isEmpty();
    assertThat(releaser.count()).isEqualTo(1);
    assertThat(handle.isClosed()).isTrue();
  }

  @Test
  void abortWithoutExecutorIsRefusedAndKeepsTheConnection() throws SQLException {
    assertThatThrownBy(() -> handle.abort(null)).isInstanceOf(SQLException.class);

    assertThat(handle.isClosed()).isFalse();
    assertThat(releaser.count()).isZero();
  }

  @Test
  void abortAfterCloseDoesNothing() throws SQLException {
    handle.close();
    handle.abort(Runnable::run);

    assertThat(fake.callsStartingWith("Connection.abort")).isEmpty();
    assertThat(entry.evictionReason()).isNull();
    assertThat(releaser.count()).isEqualTo(1);
  }

  @Test
  void closeRacingAbortReleasesExactlyOnce() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      int closeWon = 0;
      int abortWon = 0;
      for (int round = 0; round < 2_000; round++) {
        var roundFake = new FakeJdbc();
        var roundEntry = new PoolEntry(round, roundFake.connection, DEFAULTS, System.nanoTime(), Long.MAX_VALUE);
        var roundReleaser = new RecordingReleaser();
        var roundHandle = new ConnectionHandle(roundEntry, roundReleaser);
        roundHandle.setAutoCommit(false);
        roundHandle.createStatement().execute("update t set x = 1");
        var start = new CyclicBarrier(2);

        Future<?> closing = threads.submit(() -> {
          start.await();
          roundHandle.close();
          return null;
        });
        Future<?> aborting = threads.submit(() -> {
          start.await();
          roundHandle.abort(Runnable::run);
          return null;
        });
        closing.get();
        aborting.get();

        assertThat(roundReleaser.released).as("round %d", round).containsExactly(roundEntry);
        assertThat(roundHandle.isClosed()).isTrue();
        boolean aborted = !roundFake.callsStartingWith("Connection.abort").isEmpty();
        boolean reset = !roundFake.callsStartingWith("Connection.rollback").isEmpty();
        assertThat(aborted).as("round %d: exactly one of abort and reset ran", round).isNotEqualTo(reset);
        assertThat(roundEntry.evictionReason()).as("round %d", round).isEqualTo(aborted ? "aborted by the application" : null);
        if (aborted) {
          abortWon++;
        } else {
          closeWon++;
        }
      }
      assertThat(closeWon + abortWon).isEqualTo(2_000);
    } finally {
      threads.shutdownNow();
    }
  }

  /* --- Use after close --- */

  @Nested
  class UseAfterClose {

    static Stream<Arguments> connectionCalls() {
      return Stream.of(
          call("createStatement", Connection::createStatement),
          call("prepareStatement", c -> c.prepareStatement("select 1")),
          call("prepareCall", c -> c.prepareCall("call p()")),
          call("commit", Connection::commit),
          call("rollback", Connection::rollback),
          call("setAutoCommit", c -> c.setAutoCommit(false)),
          call("getAutoCommit", Connection::getAutoCommit),
          call("setSchema", c -> c.setSchema("x")),
          call("getMetaData", Connection::getMetaData),
          call("unwrap", c -> c.unwrap(FakeJdbc.DriverConnection.class)),
          call("getWarnings", Connection::getWarnings),
          call("setClientInfo", c -> c.setClientInfo("ApplicationName", "x")),
          call("nativeSQL", c -> c.nativeSQL("select 1")));
    }

    interface Call {
      void on(Connection connection) throws SQLException;
    }

    static Arguments call(String name, Call call) {
      return Arguments.of(name, call);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectionCalls")
    void connectionCallAfterCloseFailsWith08003(String name, Call call) throws SQLException {
      handle.close();
      fake.calls.clear();

      assertThatThrownBy(() -> call.on(handle))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Connection is closed")
          .hasMessageContaining("#1")
          .hasMessageContaining("Connection.close() was called")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
      assertThat(fake.calls).as("the raw connection must not be reached").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectionCalls")
    void connectionCallAfterAbortSaysItWasAborted(String name, Call call) throws SQLException {
      handle.abort(Runnable::run);

      assertThatThrownBy(() -> call.on(handle))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Connection.abort() was called");
    }

    @Test
    void closedHandleReportsClosedAndInvalid() throws SQLException {
      assertThat(handle.isClosed()).isFalse();
      assertThat(handle.isValid(1)).isTrue();

      handle.close();

      assertThat(handle.isClosed()).isTrue();
      assertThat(handle.isValid(1)).isFalse();
    }

    @Test
    void statementKeptAfterCloseCannotExecute() throws SQLException {
      Statement statement = handle.createStatement();
      PreparedStatement prepared = handle.prepareStatement("select ?");
      handle.close();

      assertThatThrownBy(() -> statement.executeQuery("select 1"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
      assertThatThrownBy(prepared::execute).isInstanceOf(SQLException.class);
      // As pgjdbc does for a closed statement: the connection (the pool's handle, which refuses use after close).
      assertThat(statement.getConnection()).isSameAs(handle);
    }

    @Test
    void statementKeptAfterAbortCannotExecute() throws SQLException {
      Statement statement = handle.createStatement();
      handle.abort(Runnable::run);

      assertThatThrownBy(() -> statement.execute("select 1"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("abort");
    }

    @Test
    void driverFailureThroughAStaleHandleIsNotHeldAgainstTheNextBorrower() throws SQLException {
      PreparedStatement prepared = handle.prepareStatement("select ?");
      handle.close();
      // The entry is back in the pool; the driver's statement is closed and answers 08003, a "broken" state.
      assertThatThrownBy(() -> prepared.setInt(1, 42)).isInstanceOf(SQLException.class);

      assertThat(entry.evictionReason()).isNull();
    }
  }

  /* --- Broken connections --- */

  @Nested
  class BrokenConnectionDetection {

    @ParameterizedTest
    @ValueSource(strings = {"08006", "08003", "57P01", "57P02"})
    void brokenStateFromStatementExecuteMarksEntryForEviction(String sqlState) throws SQLException {
      SQLException failure = FakeJdbc.sqlState(sqlState);
      fake.failOn("Statement.executeQuery", failure);
      Statement statement = handle.createStatement();

      assertThatThrownBy(() -> statement.executeQuery("select 1")).isSameAs(failure);

      assertThat(entry.evictionReason()).isEqualTo("broken (SQLState " + sqlState + ")");
      handle.close();
      assertThat(releaser.released).containsExactly(entry);
    }

    @ParameterizedTest
    @ValueSource(strings = {"42601", "23505", "40001", "57014"})
    void ordinaryFailureFromStatementExecuteKeepsTheEntry(String sqlState) throws SQLException {
      SQLException failure = FakeJdbc.sqlState(sqlState);
      fake.failOn("PreparedStatement.executeUpdate", failure);
      PreparedStatement prepared = handle.prepareStatement("updat t set x = 1");

      assertThatThrownBy(prepared::executeUpdate).isSameAs(failure);

      assertThat(entry.evictionReason()).isNull();
    }

    @Test
    void brokenStateFromResultSetMarksEntryForEviction() throws SQLException {
      fake.failOn("ResultSet.next", FakeJdbc.sqlState("08006"));
      ResultSet rows = handle.prepareStatement("select 1").executeQuery();

      assertThatThrownBy(rows::next).isInstanceOf(SQLException.class);

      assertThat(entry.evictionReason()).contains("08006");
    }

    @Test
    void brokenStateFromMetadataMarksEntryForEviction() throws SQLException {
      fake.failOn("DatabaseMetaData.getTables", FakeJdbc.sqlState("57P01"));

      assertThatThrownBy(() -> handle.getMetaData().getTables(null, null, "%", null)).isInstanceOf(SQLException.class);

      assertThat(entry.evictionReason()).contains("57P01");
    }

    @Test
    void brokenStateFromConnectionCallMarksEntryForEviction() throws SQLException {
      fake.failOn("Connection.commit", FakeJdbc.sqlState("08S01"));

      assertThatThrownBy(handle::commit).isInstanceOf(SQLException.class);

      assertThat(entry.evictionReason()).contains("08S01");
    }
  }

  /* --- Reset failures --- */

  @Nested
  class ResetFailure {

    @Test
    void failedRestoreMarksEntryForEvictionAndStillReleases() throws SQLException {
      handle.setReadOnly(true);
      fake.failOn("Connection.setReadOnly", FakeJdbc.sqlState("25001"));

      assertThatCode(handle::close).doesNotThrowAnyException();

      assertThat(entry.evictionReason()).startsWith("reset failed: restoring readOnly=false").contains("25001");
      assertThat(releaser.released).containsExactly(entry);
    }

    @Test
    void failedRollbackMarksEntryForEvictionAndSkipsTheRest() throws SQLException {
      handle.setAutoCommit(false);
      handle.createStatement().execute("update t set x = 1");
      fake.failOn("Connection.rollback", FakeJdbc.sqlState("XX000"));

      List<String> reset = closeAndRecordReset();

      assertThat(entry.evictionReason()).startsWith("reset failed: rollback");
      assertThat(reset).doesNotContain("Connection.setAutoCommit(true)");
      assertThat(releaser.count()).isEqualTo(1);
    }

    @Test
    void brokenStateDuringResetIsReportedAsBroken() throws SQLException {
      fake.failOn("Connection.clearWarnings", FakeJdbc.sqlState("08006"));

      handle.close();

      assertThat(entry.evictionReason()).isEqualTo("broken (SQLState 08006)");
      assertThat(releaser.count()).isEqualTo(1);
    }

    @Test
    void uncheckedExceptionDuringResetMarksEntryForEviction() throws SQLException {
      handle.setSchema("audit");
      fake.failOn("Connection.setSchema", new IllegalStateException("driver bug"));

      handle.close();

      assertThat(entry.evictionReason()).startsWith("reset failed: restoring schema=public");
      assertThat(releaser.count()).isEqualTo(1);
    }
  }

  /* --- The raw objects never leak --- */

  @Nested
  class NoRawObjectsExposed {

    @Test
    void statementsAnswerTheConnectionHandle() throws SQLException {
      assertThat(handle.createStatement().getConnection()).isSameAs(handle);
      assertThat(handle.prepareStatement("select 1").getConnection()).isSameAs(handle);
      assertThat(handle.prepareCall("call p()").getConnection()).isSameAs(handle);
    }

    @Test
    void resultSetsAnswerTheStatementHandle() throws SQLException {
      Statement statement = handle.createStatement();
      PreparedStatement prepared = handle.prepareStatement("select ?", Statement.RETURN_GENERATED_KEYS);
      CallableStatement callable = handle.prepareCall("call p(?)");

      assertThat(statement.executeQuery("select 1").getStatement()).isSameAs(statement);
      assertThat(statement.getResultSet().getStatement()).isSameAs(statement);
      assertThat(prepared.executeQuery().getStatement()).isSameAs(prepared);
      assertThat(prepared.getGeneratedKeys().getStatement()).isSameAs(prepared);
      assertThat(callable.executeQuery().getStatement()).isSameAs(callable);
      assertThat(((ResultSet) callable.getObject(1)).getStatement()).as("cursor out parameter").isSameAs(callable);
      assertThat(callable.getObject(1, ResultSet.class).getStatement()).isSameAs(callable);
    }

    @Test
    void getResultSetAnswersTheSameHandleForTheSameResult() throws SQLException {
      Statement statement = handle.createStatement();
      statement.execute("select 1");

      assertThat(statement.getResultSet()).isSameAs(statement.getResultSet());
    }

    @Test
    void metadataAnswersTheConnectionHandleAndAWrappedStatement() throws SQLException {
      DatabaseMetaData metaData = handle.getMetaData();

      assertThat(metaData.getConnection()).isSameAs(handle);
      // The driver answers its internal statement; the pool answers a handle around it, never the driver's object.
      Statement statement = metaData.getTables(null, null, "%", null).getStatement();
      assertThat(statement).isNotNull().isNotInstanceOf(java.lang.reflect.Proxy.class);
      assertThat(statement.getConnection()).isSameAs(handle);
      assertThat(metaData.getColumns(null, null, "t", "%").getStatement().getConnection()).isSameAs(handle);
      assertThat(handle.getMetaData()).isSameAs(metaData);
    }
  }

  /* --- unwrap / isWrapperFor --- */

  @Nested
  class Unwrap {

    @Test
    void handleAnswersForItsOwnInterfaces() throws SQLException {
      assertThat(handle.unwrap(Connection.class)).isSameAs(handle);
      assertThat(handle.isWrapperFor(Connection.class)).isTrue();
      PreparedStatement prepared = handle.prepareStatement("select 1");
      assertThat(prepared.unwrap(Statement.class)).isSameAs(prepared);
      assertThat(prepared.unwrap(PreparedStatement.class)).isSameAs(prepared);
    }

    @Test
    void driverExtensionsReachTheRawObject() throws SQLException {
      assertThat(handle.isWrapperFor(FakeJdbc.DriverConnection.class)).isTrue();
      assertThat(handle.unwrap(FakeJdbc.DriverConnection.class)).isSameAs(fake.connection);
      assertThat(handle.unwrap(FakeJdbc.DriverConnection.class).driverOnlyFeature()).isEqualTo("driver feature");
    }

    @Test
    void unknownInterfaceIsTheDriversAnswer() throws SQLException {
      assertThat(handle.isWrapperFor(Runnable.class)).isFalse();
      assertThat(fake.callsStartingWith("Connection.isWrapperFor")).hasSize(1);
      assertThatThrownBy(() -> handle.unwrap(Runnable.class))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("does not wrap");
      assertThat(entry.evictionReason()).isNull();
    }
  }

  /* --- toString --- */

  @Test
  void textsNeverComeFromTheDriver() throws SQLException {
    Statement statement = handle.createStatement();
    PreparedStatement prepared = handle.prepareStatement("select ?");
    ResultSet rows = prepared.executeQuery();
    DatabaseMetaData metaData = handle.getMetaData();

    for (Object handleObject : List.of(handle, statement, prepared, rows, metaData)) {
      assertThat(handleObject.toString()).contains("Poolwise").contains("#1").doesNotContain(FakeJdbc.SECRET).doesNotContain("Fake");
    }
    assertThat(handle.toString()).isEqualTo("Poolwise connection #1 (pool handle)");
    handle.close();
    assertThat(handle.toString()).isEqualTo("Poolwise connection #1 (pool handle, closed)");
  }
}
