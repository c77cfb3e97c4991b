package dev.poolwise.lab;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * For {@code doctor}: PgBouncer's own view through its admin console ({@code SHOW POOLS}, {@code SHOW CLIENTS}), and
 * the fleets of Poolwise pools among a server's sessions (the {@code pwf:<fleet>:<member>} application names).
 * The admin console speaks only the simple query protocol, so it is read with a plain pgjdbc connection
 * ({@code preferQueryMode=simple}), not through a pool, whose checks would send statements it refuses.
 */
final class PgBouncerAdmin {

  /** Columns of SHOW POOLS worth a line each (PgBouncer 1.18 has more). */
  private static final List<String> POOL_COLUMNS = List.of("database", "user", "cl_active", "cl_waiting", "sv_active",
      "sv_idle", "sv_used", "sv_login", "maxwait", "pool_mode");
  /** Columns of SHOW CLIENTS. */
  private static final List<String> CLIENT_COLUMNS = List.of("user", "database", "state", "addr", "port",
      "connect_time", "request_time", "wait", "application_name");

  private PgBouncerAdmin() {}

  /**
   * Reads SHOW POOLS and SHOW CLIENTS from the admin console at {@code url} (database {@code pgbouncer}) and
   * renders them, at most {@code rows} clients.
   *
   * @throws IllegalArgumentException when the host is not loopback and {@code allowRemote} is off
   */
  static String report(String url, String user, boolean allowRemote, int rows) throws SQLException {
    DatabaseTarget target = DatabaseTarget.parse(url);
    if (!allowRemote && !Loopback.isLoopback(target.host())) {
      throw new IllegalArgumentException("Refusing to connect to PgBouncer at " + target.host() + ": not a loopback"
          + " address; pass --allow-remote to inspect it anyway.");
    }
    Properties properties = new Properties();
    String role = target.username() != null ? target.username() : user;
    if (role != null) {
      properties.setProperty("user", role);
    }
    String password = target.password() != null ? target.password() : System.getenv("PGPASSWORD");
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("preferQueryMode", "simple");
    properties.setProperty("ApplicationName", LiveDatabase.APPLICATION_NAME);
    String jdbcUrl = DatabaseTarget.jdbcUrl(target.host(), target.port(), target.database(), Map.of());
    String display = target.host() + ":" + target.port() + "/" + target.database();
    StringBuilder out = new StringBuilder("PgBouncer ").append(display).append('\n');
    try (Connection connection = DriverManager.getConnection(jdbcUrl, properties);
         Statement statement = connection.createStatement()) {
      out.append("  SHOW POOLS\n").append(table(statement, "SHOW POOLS", POOL_COLUMNS, Integer.MAX_VALUE));
      out.append("  SHOW CLIENTS\n").append(table(statement, "SHOW CLIENTS", CLIENT_COLUMNS, rows));
    } catch (SQLException e) {
      String message = String.valueOf(e.getMessage());
      if (password != null && password.length() >= 4) {
        message = message.replace(password, "<hidden>");
      }
      throw new SQLException("Could not read PgBouncer's admin console at " + display + " (the role must be in"
          + " admin_users or stats_users): " + message, e.getSQLState());
    }
    return out.toString();
  }

  private static String table(Statement statement, String sql, List<String> wanted, int rows) throws SQLException {
    try (ResultSet result = statement.executeQuery(sql)) {
      ResultSetMetaData meta = result.getMetaData();
      List<Integer> columns = new ArrayList<>();
      List<String> header = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        if (wanted.contains(meta.getColumnName(i).toLowerCase(Locale.ROOT))) {
          columns.add(i);
          header.add(meta.getColumnName(i));
        }
      }
      List<List<String>> lines = new ArrayList<>();
      lines.add(header);
      int total = 0;
      while (result.next()) {
        total++;
        if (lines.size() > rows) {
          continue;
        }
        List<String> line = new ArrayList<>();
        for (int column : columns) {
          line.add(String.valueOf(result.getString(column)));
        }
        lines.add(line);
      }
      return columns(lines) + (total > rows ? "    … and " + (total - rows) + " more\n" : "")
          + (total == 0 ? "    (none)\n" : "");
    }
  }

  /** Left-aligned columns, four spaces in. */
  private static String columns(List<List<String>> lines) {
    int[] widths = new int[lines.get(0).size()];
    for (List<String> line : lines) {
      for (int i = 0; i < line.size(); i++) {
        widths[i] = Math.max(widths[i], line.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> line : lines) {
      out.append("   ");
      for (int i = 0; i < line.size(); i++) {
        out.append(' ').append(String.format(Locale.ROOT, "%-" + widths[i] + "s", line.get(i)));
      }
      out.append('\n');
    }
    return out.toString();
  }

  /* --- Poolwise fleets among the server's sessions --- */

  /**
   * The fleets among {@code applicationNames} ({@code pwf:<fleet>:<member>} for a member's pooled connections,
   * {@code pwf:<fleet>:<member>:<demand>} for its beacon): members, connections and published demand per fleet,
   * or an empty string when there is none.
   */
  static String fleets(List<String> applicationNames) {
    Map<String, Map<String, int[]>> fleets = new TreeMap<>(); // fleet → member → {connections, demand, beacon}
    for (String name : applicationNames) {
      if (name == null || !name.startsWith("pwf:")) {
        continue;
      }
      String bare = name.indexOf(' ') < 0 ? name : name.substring(0, name.indexOf(' '));
      String[] parts = bare.split(":", 4);
      if (parts.length < 3) {
        continue;
      }
      int[] member = fleets.computeIfAbsent(parts[1], f -> new TreeMap<>()).computeIfAbsent(parts[2], m -> new int[3]);
      if (parts.length == 4 && parts[3].matches("\\d{1,6}") && name.indexOf(' ') < 0) {
        member[1] = Integer.parseInt(parts[3]);
        member[2] = 1;
      } else {
        member[0]++;
      }
    }
    if (fleets.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("Poolwise fleets (pools sharing max_connections; see docs/fleet.md)\n");
    fleets.forEach((fleet, members) -> {
      int connections = members.values().stream().mapToInt(m -> m[0]).sum();
      out.append(String.format(Locale.ROOT, "  %s: %d member%s, %d pooled connections + %d beacons%n", fleet,
          members.size(), members.size() == 1 ? "" : "s", connections,
          members.values().stream().mapToInt(m -> m[2]).sum()));
      members.forEach((member, figures) -> out.append(String.format(Locale.ROOT,
          "    member %s: %d connections, demand %s%n", member, figures[0],
          figures[2] == 1 ? Integer.toString(figures[1]) : "unknown (no beacon)")));
    });
    return out.append('\n').toString();
  }
}
