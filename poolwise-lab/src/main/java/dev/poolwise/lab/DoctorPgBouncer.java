package dev.poolwise.lab;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * For {@code doctor --pgbouncer URL}: PgBouncer's own view of its pools, read from its admin console
 * ({@code SHOW POOLS}, {@code SHOW DATABASES}, {@code SHOW CLIENTS}), and what it says about waiting clients.
 * Read-only: the console commands it runs change nothing.
 */
final class DoctorPgBouncer {

  /** The admin console's own pseudo-database, left out of every list. */
  static final String CONSOLE_DATABASE = "pgbouncer";

  private DoctorPgBouncer() {}

  /**
   * One PgBouncer pool (a database/user pair) as {@code SHOW POOLS} and {@code SHOW DATABASES} describe it.
   *
   * @param poolSize the database's server pool size, or -1 when {@code SHOW DATABASES} did not list it
   * @param longestWaitSeconds how long the longest-waiting client has waited ({@code maxwait} + {@code maxwait_us})
   */
  record Pool(String database, String user, String mode, int clientsActive, int clientsWaiting, int serversActive,
      int serversIdle, int serversUsed, int serversLoggingIn, int poolSize, double longestWaitSeconds) {

    String name() {
      return database + "/" + user;
    }
  }

  /** Client connections of one database, user, application and state, with the longest current wait. */
  record ClientGroup(String database, String user, String application, String state, int count,
      double longestWaitSeconds) {}

  /** What one read of the console saw. */
  record View(String version, List<Pool> pools, List<ClientGroup> clients) {

    /** The verdict's sentences about PgBouncer; empty when no client waits. */
    List<String> problems() {
      List<String> problems = new ArrayList<>();
      for (Pool pool : pools) {
        if (pool.clientsWaiting() == 0) {
          continue;
        }
        int inUse = pool.serversActive() + pool.serversUsed() + pool.serversLoggingIn();
        String waiting = String.format(Locale.ROOT, "%d %s for a server connection in PgBouncer pool %s (the"
                + " longest for %s)", pool.clientsWaiting(), pool.clientsWaiting() == 1 ? "client waits" : "clients wait",
            pool.name(), DoctorCommand.duration(pool.longestWaitSeconds()));
        if (pool.poolSize() > 0 && pool.serversActive() >= pool.poolSize()) {
          problems.add(String.format(Locale.ROOT, "%s: its server pool is full (%d of %d server connections in"
                  + " transactions). PgBouncer queues clients until a transaction ends: shorten what runs inside"
                  + " transactions (see the server's view above), or raise the pool size if the server has room —"
                  + " each server connection is a backend on the server.", waiting, pool.serversActive(),
              pool.poolSize()));
        } else {
          problems.add(String.format(Locale.ROOT, "%s although only %d of %s server connections are in use:"
                  + " PgBouncer cannot open more. Check max_db_connections / max_user_connections and the server's"
                  + " max_connections (a 53300 in PgBouncer's log says the server refused it).", waiting, inUse,
              pool.poolSize() > 0 ? Integer.toString(pool.poolSize()) : "its"));
        }
      }
      return problems;
    }

    /** The PgBouncer section of doctor's report. */
    String render(String display, int rows) {
      StringBuilder out = new StringBuilder();
      out.append("PgBouncer ").append(display).append(" (admin console)\n");
      out.append("  ").append(version).append('\n');
      out.append(String.format(Locale.ROOT, "  %d pool%s, %d client connections%n%n", pools.size(),
          pools.size() == 1 ? "" : "s", clients.stream().mapToInt(ClientGroup::count).sum()));
      out.append("PgBouncer pools (SHOW POOLS)\n");
      PlainTable table = new PlainTable("pool", "mode", ">clients active", ">waiting", ">longest wait",
          ">servers active", ">idle", ">used", ">pool size");
      for (Pool pool : pools) {
        table.row(pool.name(), pool.mode(), pool.clientsActive(), pool.clientsWaiting(),
            DoctorCommand.duration(pool.longestWaitSeconds()), pool.serversActive(), pool.serversIdle(),
            pool.serversUsed(), pool.poolSize() < 0 ? "?" : Integer.toString(pool.poolSize()));
      }
      out.append(table.isEmpty() ? "  (no pools)\n" : table.render("  ")).append('\n');
      out.append("PgBouncer clients by database, user, application and state (SHOW CLIENTS)\n");
      PlainTable byGroup = new PlainTable(">count", "database", "user", "application", "state", ">longest wait");
      clients.stream().limit(rows).forEach(group -> byGroup.row(group.count(), group.database(), group.user(),
          DoctorCommand.label(group.application()), group.state(), group.longestWaitSeconds() > 0
              ? DoctorCommand.duration(group.longestWaitSeconds()) : ""));
      out.append(byGroup.isEmpty() ? "  (no client connections)\n" : byGroup.render("  ")).append('\n');
      List<String> problems = problems();
      out.append("Verdict (PgBouncer): ").append(problems.isEmpty()
          ? "no client waits for a server connection." : String.join(" ", problems)).append('\n');
      return out.toString();
    }
  }

  /** Logs in to the console and reads it once. */
  static View read(String host, int port, String user, String password) throws SQLException {
    try (PgBouncerConsole console = PgBouncerConsole.connect(host, port, user, password, Duration.ofSeconds(10))) {
      String version = console.show("SHOW VERSION").stream().findFirst()
          .map(row -> row.values().iterator().next()).orElse("PgBouncer (version unknown)");
      Map<String, Integer> poolSizes = new LinkedHashMap<>();
      for (Map<String, String> database : console.show("SHOW DATABASES")) {
        poolSizes.put(database.get("name"), integer(database.get("pool_size")));
      }
      return new View(version, pools(console.show("SHOW POOLS"), poolSizes), clients(console.show("SHOW CLIENTS")));
    }
  }

  static List<Pool> pools(List<Map<String, String>> rows, Map<String, Integer> poolSizes) {
    List<Pool> pools = new ArrayList<>();
    for (Map<String, String> row : rows) {
      String database = row.get("database");
      if (CONSOLE_DATABASE.equals(database)) {
        continue;
      }
      double longestWait = integer(row.get("maxwait")) + integer(row.get("maxwait_us")) / 1e6;
      pools.add(new Pool(database, row.get("user"), row.getOrDefault("pool_mode", "?"), integer(row.get("cl_active")),
          integer(row.get("cl_waiting")), integer(row.get("sv_active")), integer(row.get("sv_idle")),
          integer(row.get("sv_used")), integer(row.get("sv_login")), poolSizes.getOrDefault(database, -1),
          longestWait));
    }
    return pools;
  }

  static List<ClientGroup> clients(List<Map<String, String>> rows) {
    Map<List<String>, double[]> groups = new LinkedHashMap<>(); // key → {count, longest wait}
    for (Map<String, String> row : rows) {
      String database = row.get("database");
      if (CONSOLE_DATABASE.equals(database)) {
        continue;
      }
      List<String> key = List.of(String.valueOf(database), String.valueOf(row.get("user")),
          row.get("application_name") == null ? "" : row.get("application_name"), String.valueOf(row.get("state")));
      double wait = integer(row.get("wait")) + integer(row.get("wait_us")) / 1e6;
      double[] group = groups.computeIfAbsent(key, k -> new double[2]);
      group[0]++;
      group[1] = Math.max(group[1], wait);
    }
    return groups.entrySet().stream()
        .map(e -> new ClientGroup(e.getKey().get(0), e.getKey().get(1), e.getKey().get(2), e.getKey().get(3),
            (int) e.getValue()[0], e.getValue()[1]))
        .sorted(Comparator.comparingInt(ClientGroup::count).reversed()
            .thenComparing(g -> g.database() + "\u0000" + g.user() + "\u0000" + g.application() + "\u0000" + g.state()))
        .toList();
  }

  private static int integer(String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException notANumber) {
      return 0;
    }
  }
}
