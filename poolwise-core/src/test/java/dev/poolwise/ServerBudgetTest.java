package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.poolwise.embedded.PostgresServer;
import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * The server budget: read from a real PostgreSQL 14 with {@code max_connections = 20} (default
 * {@code superuser_reserved_connections = 3}, no {@code reserved_connections} before 16), the arithmetic
 * and wording on fixed numbers, and a real {@code 53300} refusal explained.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerBudgetTest {

  private static final int MAX_CONNECTIONS = 20;
  private static final int SUPERUSER_RESERVED = 3;
  private static final int FOR_ORDINARY_ROLES = MAX_CONNECTIONS - SUPERUSER_RESERVED;

  private static PostgresServer server;
  private static PostgresServer.AppUser app;
  private static PostgresServer.AppUser other;

  /** Every connection a test opens, closed after it so that the next test starts from an empty server. */
  private final List<Connection> opened = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start(MAX_CONNECTIONS);
    app = server.createAppUser("budget_app", "Budg3t:Secret/1");
    other = server.createAppUser("budget_other", "0ther:Secret/2");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void closeConnections() throws SQLException {
    for (Connection connection : opened) {
      connection.close();
    }
    opened.clear();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.countConnections() == 0);
  }

  private Connection open(PostgresServer.AppUser user) throws SQLException {
    Connection connection = DriverManager.getConnection(user.jdbcUrl(), user.username(), user.password());
    opened.add(connection);
    return connection;
  }

  private Connection openSuperuser() throws SQLException {
    Connection connection = server.openSuperuserConnection();
    opened.add(connection);
    return connection;
  }

  /* --- Reading from PostgreSQL --- */

  @Test
  void readsTheBudgetAsAnOrdinaryRole() throws SQLException {
    ServerBudget budget = ServerBudget.read(open(app));

    assertThat(budget.maxConnections()).isEqualTo(MAX_CONNECTIONS);
    assertThat(budget.superuserReserved()).isEqualTo(SUPERUSER_RESERVED);
    assertThat(budget.reserved()).isZero(); // PostgreSQL 14 has no reserved_connections
    assertThat(budget.superuser()).isFalse();
    assertThat(budget.inUse()).isGreaterThanOrEqualTo(1); // at least the reading connection
    assertThat(budget.availableToApplication()).isEqualTo(FOR_ORDINARY_ROLES);
  }

  @Test
  void readsTheBudgetAsTheSuperuser() throws SQLException {
    ServerBudget budget = ServerBudget.read(openSuperuser());

    assertThat(budget.maxConnections()).isEqualTo(MAX_CONNECTIONS);
    assertThat(budget.superuserReserved()).isEqualTo(SUPERUSER_RESERVED);
    assertThat(budget.superuser()).isTrue();
    assertThat(budget.availableToApplication()).isEqualTo(MAX_CONNECTIONS);
  }

  /**
   * An ordinary role cannot see other roles' backend_type in pg_stat_activity; their sessions must count
   * all the same, and the server's own background processes must not.
   */
  @Test
  void countsOtherRolesConnectionsButNotBackgroundProcesses() throws SQLException {
    Connection reader = open(app);
    open(other);
    open(other);
    openSuperuser();
    int expected = 4; // the reader, two of the other role, one superuser

    // A helper connection from an earlier count may still be exiting: wait for the number to settle.
    await().atMost(Duration.ofSeconds(10)).until(() -> ServerBudget.read(reader).inUse() == expected);
    assertThat(ServerBudget.read(reader).inUseByOthers()).isEqualTo(expected - 1);
  }

  @Test
  void leavesAConnectionWithoutAutoCommitOutsideAnyTransaction() throws SQLException {
    Connection reader = open(app);
    reader.setAutoCommit(false);

    assertThat(ServerBudget.read(reader)).isNotNull();

    assertThat(reader.getAutoCommit()).isFalse();
    assertThat(reader.unwrap(BaseConnection.class).getTransactionState()).isEqualTo(TransactionState.IDLE);
  }

  @Test
  void leavesAnAutoCommitConnectionInAutoCommit() throws SQLException {
    Connection reader = open(app);

    ServerBudget.read(reader);

    assertThat(reader.getAutoCommit()).isTrue();
    assertThat(reader.unwrap(BaseConnection.class).getTransactionState()).isEqualTo(TransactionState.IDLE);
  }

  @Test
  void aFittingPoolGetsNoWarning() throws SQLException {
    ServerBudget budget = ServerBudget.read(open(app));

    assertThat(budget.overBudgetWarning("orders", 5, 2)).isNull();
  }

  @Test
  void anOverBudgetPoolGetsAWarningWithEveryNumber() throws SQLException {
    Connection reader = open(app);
    open(other);
    open(other);
    await().atMost(Duration.ofSeconds(10)).until(() -> ServerBudget.read(reader).inUse() == 3);
    ServerBudget budget = ServerBudget.read(reader);

    String warning = budget.overBudgetWarning("orders", 8, 2);

    assertThat(warning)
        .isNotNull()
        .doesNotContain("\n")
        .contains("Pool 'orders'")
        .contains("maxSize 8 × expectedInstances 2 = 16 connections")
        .contains("allows " + FOR_ORDINARY_ROLES + " for ordinary roles")
        .contains("max_connections " + MAX_CONNECTIONS + " − " + SUPERUSER_RESERVED + " reserved for superusers")
        .contains("2 were already in use by other clients")
        .contains("(15 left)")
        .contains("53300")
        .contains("PgBouncer");
  }

  private static PoolSettings settings(String name, int maxSize, int expectedInstances) {
    return PoolwiseDataSource.builder().url(app.jdbcUrl()).poolName(name).maxSize(maxSize)
        .expectedInstances(expectedInstances).settings();
  }

  @Test
  void failedReadPropagatesAndCheckSwallowsIt() throws SQLException {
    Connection reader = open(app);
    reader.close();

    assertThatThrownBy(() -> ServerBudget.read(reader)).isInstanceOf(SQLException.class);
    assertThat(ServerBudget.check(reader, settings("orders", 10, 1))).isNull();
  }

  @Test
  void checkReturnsTheBudgetItRead() throws SQLException {
    ServerBudget budget = ServerBudget.check(open(app), settings("orders", 100, 1));

    assertThat(budget).isNotNull();
    assertThat(budget.overBudgetWarning("orders", 100, 1)).isNotNull();
  }

  /** Through PgBouncer, max_connections bounds PgBouncer's server pool, not the pool's client connections. */
  @Test
  void checkIsSkippedThroughPgBouncer() throws SQLException {
    PoolSettings throughPgBouncer = PoolwiseDataSource.builder()
        .url(app.databaseUrl() + "?pgbouncer=true").maxSize(100).expectedInstances(10).settings();
    PoolSettings jdbcUrlThroughPgBouncer = PoolwiseDataSource.builder()
        .url(app.jdbcUrl() + "?pgbouncer=true").maxSize(100).settings();

    assertThat(ServerBudget.appliesTo(throughPgBouncer)).isFalse();
    assertThat(ServerBudget.appliesTo(jdbcUrlThroughPgBouncer)).isFalse();
    assertThat(ServerBudget.appliesTo(settings("orders", 100, 1))).isTrue();
    assertThat(ServerBudget.check(open(app), throughPgBouncer)).isNull();
  }

  /* --- A real refusal --- */

  /**
   * Opens connections as the application role until PostgreSQL refuses with 53300, as a pool larger than the
   * budget would, and checks that the explanation carries the server's numbers and the pool's.
   */
  @Test
  void explainsARealTooManyClientsRefusal() throws SQLException {
    ServerBudget budget = ServerBudget.read(open(app));
    SQLException refusal = null;
    int held = 1;
    for (int attempt = 0; attempt < MAX_CONNECTIONS + 5 && refusal == null; attempt++) {
      try {
        open(app);
        held++;
      } catch (SQLException e) {
        refusal = e;
      }
    }

    assertThat((Throwable) refusal).as("the server refused a connection within %d attempts", MAX_CONNECTIONS + 5).isNotNull();
    assertThat(refusal.getSQLState()).isEqualTo(ServerBudget.TOO_MANY_CLIENTS);
    assertThat(held).isLessThanOrEqualTo(FOR_ORDINARY_ROLES);
    // The superuser still gets in: its reserved slots are exactly what the budget does not count for the app.
    assertThat(ServerBudget.read(openSuperuser()).inUse()).isEqualTo(FOR_ORDINARY_ROLES + 1);

    String explanation = budget.explainRefusal("orders", 30, 1, held);

    assertThat(explanation)
        .doesNotContain("\n")
        .contains("allows " + FOR_ORDINARY_ROLES + " for ordinary roles")
        .contains("max_connections " + MAX_CONNECTIONS + " − " + SUPERUSER_RESERVED + " reserved for superusers")
        .contains("pool 'orders' started, and the pool holds " + held + " now")
        .contains("maxSize 30 × expectedInstances 1 = 30 connections")
        .contains("PgBouncer");
  }

  /* --- Not PostgreSQL --- */

  @Test
  void anotherDatabaseHasNoBudgetAndRunsNoQuery() throws SQLException {
    StubDatabase database = StubDatabase.create();
    AtomicInteger executed = new AtomicInteger();
    database.executeHook((connection, sql) -> executed.incrementAndGet());
    try (Connection connection = database.connect(null, null)) {
      assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("Stub");

      assertThat(ServerBudget.read(connection)).isNull();
      PoolSettings settings = PoolwiseDataSource.builder().url(database.url()).maxSize(1000).expectedInstances(100)
          .settings();
      assertThat(ServerBudget.check(connection, settings)).isNull();
    } finally {
      database.forget();
    }
    assertThat(executed).hasValue(0);
  }

  /* --- Arithmetic and wording on fixed numbers --- */

  @Nested
  class Arithmetic {

    @Test
    void exactFitIsNoWarningAndOneMoreIs() {
      // 97 for ordinary roles, 12 used by others (13 in use including the reader): 85 left.
      ServerBudget budget = new ServerBudget(100, 3, 0, 13, false);

      assertThat(budget.overBudgetWarning("orders", 85, 1)).isNull();
      assertThat(budget.overBudgetWarning("orders", 17, 5)).isNull();
      assertThat(budget.overBudgetWarning("orders", 86, 1)).contains("(85 left)");
    }

    @Test
    void theSeedAnalysisTopologyIsWarnedAbout() {
      ServerBudget budget = new ServerBudget(100, 3, 0, 13, false);

      assertThat(budget.overBudgetWarning("orders", 30, 4)).isEqualTo("Pool 'orders': maxSize 30 × expectedInstances 4"
          + " = 120 connections, but the server allows 97 for ordinary roles (max_connections 100 − 3 reserved for"
          + " superusers) and 12 were already in use by other clients when the pool started (85 left): some"
          + " connections will be refused with \"53300 too many clients\". Lower maxSize, put PgBouncer in front,"
          + " or raise max_connections.");
    }

    @Test
    void reservedConnectionsOfPostgres16AreNotAvailableToOrdinaryRoles() {
      ServerBudget budget = new ServerBudget(100, 3, 5, 1, false);

      assertThat(budget.availableToApplication()).isEqualTo(92);
      assertThat(budget.overBudgetWarning("orders", 93, 1))
          .contains("allows 92 for ordinary roles (max_connections 100 − 3 reserved for superusers − 5"
              + " reserved_connections for pg_use_reserved_connections)");
    }

    @Test
    void aSuperuserMayUseEverySlot() {
      ServerBudget budget = new ServerBudget(100, 3, 5, 1, true);

      assertThat(budget.availableToApplication()).isEqualTo(100);
      assertThat(budget.overBudgetWarning("orders", 100, 1)).isNull();
      assertThat(budget.overBudgetWarning("orders", 101, 1)).contains("allows 100 for superusers");
    }

    @Test
    void hugeProductsDoNotOverflow() {
      ServerBudget budget = new ServerBudget(100, 3, 0, 1, false);

      assertThat(budget.overBudgetWarning("orders", Integer.MAX_VALUE, 2))
          .contains("= " + 2L * Integer.MAX_VALUE + " connections");
    }

    @Test
    void moreInUseThanAllowedLeavesNothingNotANegativeNumber() {
      // A superuser session list can exceed what ordinary roles may use.
      ServerBudget budget = new ServerBudget(20, 3, 0, 20, false);

      assertThat(budget.overBudgetWarning("orders", 1, 1)).contains("19 were already in use").contains("(0 left)");
    }

    @Test
    void refusalSaysWhetherThePoolFitAtStart() {
      ServerBudget budget = new ServerBudget(100, 3, 0, 13, false);

      assertThat(budget.explainRefusal("orders", 20, 1, 20)).contains("which fit when the pool started")
          .contains("the pool holds 20 now");
      assertThat(budget.explainRefusal("orders", 30, 4, 30)).contains("more than the 85 that were left");
    }
  }
}
