package dev.poolwise.lab;

import dev.poolwise.embedded.PostgresServer;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * The PostgreSQL a lab run loads: an embedded one the lab starts (and stops), or an existing one named by
 * {@code --url}. Knows how the workload connects (an ordinary role, so the server's reserved slots apply as for a
 * real application), how the sampler connects (a superuser when the lab has one), and seeds the lab's schema.
 */
final class LabDatabase implements AutoCloseable {

  /** What the workload's connections call themselves in {@code pg_stat_activity}. */
  static final String APPLICATION_NAME = "poolwise-lab";
  static final String SAMPLER_APPLICATION_NAME = "poolwise-lab-sampler";
  static final String APP_ROLE = "poolwise_app";

  private final PostgresServer embedded;
  private final DatabaseTarget target;
  private final LabResults.ServerInfo serverInfo;

  private LabDatabase(PostgresServer embedded, DatabaseTarget target, LabResults.ServerInfo serverInfo) {
    this.embedded = embedded;
    this.target = target;
    this.serverInfo = serverInfo;
  }

  /** Starts an embedded PostgreSQL with {@code max_connections = maxConnections} and an ordinary role for the workload. */
  static LabDatabase startEmbedded(int maxConnections) throws SQLException {
    PostgresServer server = PostgresServer.start(maxConnections);
    try {
      byte[] secret = new byte[12];
      new SecureRandom().nextBytes(secret);
      PostgresServer.AppUser user = server.createAppUser(APP_ROLE, HexFormat.of().formatHex(secret));
      DatabaseTarget target = new DatabaseTarget("localhost", server.port(), user.database(), user.username(),
          user.password(), java.util.Map.of());
      LabResults.ServerInfo info;
      try (Connection connection = server.openSuperuserConnection()) {
        info = readServerInfo(connection, true);
      }
      return new LabDatabase(server, target, info);
    } catch (SQLException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /**
   * Connects to an existing server. Refuses a host that is not this machine unless {@code allowRemote}: a load
   * test against someone's production database by mistake is the one thing the lab must not do.
   */
  static LabDatabase connect(String url, boolean allowRemote) throws SQLException {
    DatabaseTarget target = DatabaseTarget.parse(url);
    if (!allowRemote && !target.isLoopback()) {
      throw new IllegalArgumentException("--url points at " + target.host() + ", which is not this machine; the lab"
          + " generates heavy load and targets loopback only. Add --allow-remote if that server is yours to load");
    }
    try (Connection connection = DriverManager.getConnection(target.jdbcUrl(),
        target.connectionProperties(SAMPLER_APPLICATION_NAME))) {
      return new LabDatabase(null, target, readServerInfo(connection, false));
    } catch (SQLException e) {
      throw new SQLException("could not connect to PostgreSQL at " + target.describe() + ": " + e.getMessage()
          + " (SQLState " + e.getSQLState() + "). Check that the server runs, the URL and the credentials", e.getSQLState(), e);
    }
  }

  private static LabResults.ServerInfo readServerInfo(Connection connection, boolean embedded) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT current_setting('server_version'),"
            + " current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int")) {
      result.next();
      return new LabResults.ServerInfo(result.getString(1), result.getInt(2), result.getInt(3), embedded);
    }
  }

  DatabaseTarget target() {
    return target;
  }

  LabResults.ServerInfo serverInfo() {
    return serverInfo;
  }

  boolean embedded() {
    return embedded != null;
  }

  /**
   * The embedded server's postmaster process id (from {@code postmaster.pid} in its data directory), or null for a
   * server the lab did not start or when it cannot be read. {@code bench} counts its CPU as the run's own.
   */
  Long postmasterPid() {
    if (embedded == null) {
      return null;
    }
    try {
      return Long.parseLong(java.nio.file.Files.readAllLines(embedded.dataDirectory().resolve("postmaster.pid"))
          .getFirst().trim());
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /** A new connection for the workload's role (seeding, probes); the caller closes it. */
  Connection openAppConnection(String applicationName) throws SQLException {
    return DriverManager.getConnection(target.jdbcUrl(), target.connectionProperties(applicationName));
  }

  /**
   * A connection for sampling {@code pg_stat_activity}: the superuser on the embedded server (it sees every
   * session), the workload's own role on an existing server (it sees what that role may see).
   */
  Connection openSamplerConnection() throws SQLException {
    if (embedded != null) {
      java.util.Properties properties = new java.util.Properties();
      properties.setProperty("ApplicationName", SAMPLER_APPLICATION_NAME);
      return DriverManager.getConnection(embedded.superuserJdbcUrl(), properties);
    }
    return openAppConnection(SAMPLER_APPLICATION_NAME);
  }

  /** Seeds the lab's schema (idempotent). */
  void seed() throws SQLException {
    try (Connection connection = openAppConnection(SAMPLER_APPLICATION_NAME)) {
      LabSchema.seed(connection);
    }
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    }
  }
}
