package dev.poolwise.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One server for the class, as PostgresServer's Javadoc recommends; each test uses its own role and application name. */
class PostgresServerTest {

  private static PostgresServer server;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start();
  }

  @AfterAll
  static void closeServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void superuserConnectsToPostgres14ListeningOnLocalhostOnly() throws SQLException {
    try (Connection connection = server.openSuperuserConnection()) {
      assertThat(queryString(connection, "SHOW server_version")).startsWith("14.");
      assertThat(queryString(connection, "SHOW listen_addresses")).isEqualTo("localhost");
      assertThat(queryString(connection, "SHOW max_connections")).isEqualTo("100");
      assertThat(queryString(connection, "SELECT current_user")).isEqualTo(PostgresServer.SUPERUSER);
    }
    assertThat(server.superuserJdbcUrl()).isEqualTo("jdbc:postgresql://localhost:" + server.port() + "/postgres?user=postgres");
  }

  @Test
  void appUserIsAnOrdinaryRoleThatOwnsItsDatabaseAndMustGiveItsPassword() throws SQLException {
    PostgresServer.AppUser user = server.createAppUser("orders_app", "s3cret");

    assertThat(user.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:" + server.port() + "/orders_app");
    try (Connection connection = DriverManager.getConnection(user.jdbcUrl(), user.connectionProperties())) {
      assertThat(queryString(connection, "SELECT current_user")).isEqualTo("orders_app");
      assertThat(queryString(connection, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user")).isEqualTo("false");
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE orders (id int)"); // owns its database, so may create tables
      }
    }

    Properties wrongPassword = user.connectionProperties();
    wrongPassword.setProperty("password", "not-the-password");
    assertThatThrownBy(() -> DriverManager.getConnection(user.jdbcUrl(), wrongPassword).close())
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
  }

  @Test
  void databaseUrlPercentEncodesTheCredentialsAndToStringHidesThePassword() throws SQLException {
    String password = "p@ss word/:%ü";
    PostgresServer.AppUser user = server.createAppUser("encoded_app", password);

    assertThat(user.databaseUrl())
        .isEqualTo("postgresql://encoded_app:p%40ss%20word%2F%3A%25%C3%BC@localhost:" + server.port() + "/encoded_app");
    assertThat(user.toString()).doesNotContain(password).contains("encoded_app");
    try (Connection connection = DriverManager.getConnection(user.jdbcUrl(), user.connectionProperties())) {
      assertThat(connection.isValid(5)).isTrue();
    }
  }

  @Test
  void rejectsNamesThatWouldNeedQuoting() {
    assertThatThrownBy(() -> server.createAppUser("Robert'); DROP", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("app user name must match");
  }

  @Test
  void countsAndTerminatesConnectionsByApplicationName() throws SQLException {
    PostgresServer.AppUser user = server.createAppUser("terminate_app", "pw");
    List<Connection> connections = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        connections.add(connectAs(user, "terminate-me"));
      }
      try (Connection bystander = connectAs(user, "bystander")) {
        assertThat(server.countConnections("terminate-me")).isEqualTo(3);
        assertThat(server.countConnections("bystander")).isEqualTo(1);
        assertThat(server.countConnections()).isGreaterThanOrEqualTo(4);

        assertThat(server.terminateBackends("terminate-me")).isEqualTo(3);

        assertThat(server.countConnections("terminate-me")).isZero();
        assertThat(server.countConnections("bystander")).isEqualTo(1);
        assertThatThrownBy(() -> queryString(connections.get(0), "SELECT 1"))
            .isInstanceOf(SQLException.class)
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57P01"));
        assertThat(queryString(bystander, "SELECT 1")).isEqualTo("1");
      }
    } finally {
      for (Connection connection : connections) {
        connection.close();
      }
    }
  }

  @Test
  void restartKeepsPortAndDataAndDropsOldConnections() throws SQLException {
    PostgresServer.AppUser user = server.createAppUser("restart_app", "pw");
    int portBefore = server.port();
    try (Connection connection = connectAs(user, "restart-test"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE survivors (name text)");
      statement.execute("INSERT INTO survivors VALUES ('kept')");

      server.stop();
      assertThat(server.isRunning()).isFalse();
      assertThatThrownBy(() -> connectAs(user, "during-outage").close()).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> queryString(connection, "SELECT 1")).isInstanceOf(SQLException.class);

      server.startAgain();
      assertThat(server.isRunning()).isTrue();
    }
    server.restart();

    assertThat(server.port()).isEqualTo(portBefore);
    try (Connection reconnected = connectAs(user, "restart-test")) {
      assertThat(queryString(reconnected, "SELECT name FROM survivors")).isEqualTo("kept");
    }
    // Authentication rules survive the restart too.
    Properties wrongPassword = user.connectionProperties();
    wrongPassword.setProperty("password", "nope");
    assertThatThrownBy(() -> DriverManager.getConnection(user.jdbcUrl(), wrongPassword).close())
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
  }

  @Test
  void startWithMaxConnectionsAndCloseDeletesTheDataDirectory() throws SQLException {
    Path dataDirectory;
    try (PostgresServer small = PostgresServer.start(10)) {
      dataDirectory = small.dataDirectory();
      assertThat(dataDirectory).isDirectory().startsWith(Path.of(System.getProperty("java.io.tmpdir")));
      assertThat(small.port()).isNotEqualTo(server.port());
      try (Connection connection = small.openSuperuserConnection()) {
        assertThat(queryString(connection, "SHOW max_connections")).isEqualTo("10");
      }
    }
    assertThat(Files.exists(dataDirectory)).isFalse();
  }

  @Test
  void refusesTooSmallMaxConnections() {
    assertThatThrownBy(() -> PostgresServer.start(3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 5");
  }

  private static Connection connectAs(PostgresServer.AppUser user, String applicationName) throws SQLException {
    Properties properties = user.connectionProperties();
    properties.setProperty("ApplicationName", applicationName);
    return DriverManager.getConnection(user.jdbcUrl(), properties);
  }

  private static String queryString(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }
}
