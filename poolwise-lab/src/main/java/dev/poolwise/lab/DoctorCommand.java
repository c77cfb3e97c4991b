package dev.poolwise.lab;

import java.io.PrintWriter;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./poolwise doctor --url …}: who holds a live PostgreSQL server's connections, and a verdict.
 *
 * <p>Reads {@code pg_stat_activity} and a few settings once, through one connection of its own (excluded from
 * every list, counted in the totals). Read-only: it runs no statement that changes anything and takes no lock
 * beyond what reading the statistics views takes. {@code pg_blocking_pids} is called only for sessions that
 * wait on a lock, because it briefly locks the lock manager.
 *
 * <p>An ordinary role without {@code pg_read_all_stats} sees other roles' sessions without state, query or
 * timings: they are counted (as "hidden") and the output says how much it could not see.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Inspect a live PostgreSQL server: who holds its connections, and why.",
        "",
        "Prints the server version, max_connections and reserved slots; connections grouped by application,"
            + " user and state; sessions idle in transaction and for how long; the longest-running queries;"
            + " sessions waiting on locks and who blocks them; then a one-paragraph verdict.",
        "",
        "Read-only. Connects to loopback addresses only unless --allow-remote is given. Credentials are never"
            + " printed: the URL is shown as host:port/database, and passwords in query text are hidden.",
        "Works with a superuser or an ordinary role; an ordinary role without pg_read_all_stats sees other"
            + " roles' sessions without state or query text, and the output says so.",
        "With --pgbouncer, also PgBouncer's pools and clients from its admin console, and whether clients wait for"
            + " a server connection.",
        ""},
    footerHeading = "%nExamples:%n",
    footer = {
        "  ./poolwise doctor --url jdbc:postgresql://localhost:5432/app --user postgres",
        "  ./poolwise doctor --url 'postgresql://app:secret@127.0.0.1:5432/app'",
        "  PGPASSWORD=secret ./poolwise doctor --url jdbc:postgresql://localhost/app --user app --idle-seconds 5",
        "  ./poolwise doctor --url \"$DATABASE_URL\" --allow-remote",
        "  ./poolwise doctor --url jdbc:postgresql://localhost:5432/app --user postgres \\",
        "      --pgbouncer postgresql://admin@127.0.0.1:6432/pgbouncer",
        "",
        "Exit status: 0 healthy, 1 the verdict found a problem, 2 could not inspect (bad URL, refused, no connection)."})
final class DoctorCommand implements Callable<Integer> {

  @Option(names = "--url", required = true, paramLabel = "URL",
      description = "The server: a JDBC URL (jdbc:postgresql://host:port/db) or a DATABASE_URL"
          + " (postgresql://user:password@host:port/db).")
  String url;

  @Option(names = "--user", paramLabel = "ROLE",
      description = "Role to connect as, when the URL names none (the password then comes from PGPASSWORD).")
  String user;

  @Option(names = "--allow-remote", description = "Allow a host that is not a loopback address.")
  boolean allowRemote;

  @Option(names = "--pgbouncer", paramLabel = "ADMIN_URL",
      description = "Also read PgBouncer's own view (SHOW POOLS, SHOW CLIENTS) from its admin console, e.g."
          + " postgresql://admin:secret@127.0.0.1:6432/pgbouncer (the role must be in admin_users or stats_users;"
          + " the password may come from PGPASSWORD).")
  String pgbouncer;

  @Option(names = "--idle-seconds", defaultValue = "30", paramLabel = "SECONDS",
      description = "A session idle in transaction longer than this is a problem (default: ${DEFAULT-VALUE}).")
  double idleSeconds;

  @Option(names = "--slow-seconds", defaultValue = "10", paramLabel = "SECONDS",
      description = "A query running longer than this is a problem (default: ${DEFAULT-VALUE}).")
  double slowSeconds;

  @Option(names = "--rows", defaultValue = "10", paramLabel = "N",
      description = "Rows shown per list (default: ${DEFAULT-VALUE}).")
  int rows;

  @Spec
  CommandSpec spec;

  /** Share of the available connections in use from which the verdict says "near the limit". */
  static final double NEAR_LIMIT = 0.9;

  /** Characters of query text shown per session. */
  private static final int QUERY_TEXT_WIDTH = 60;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LiveDatabase database;
    try {
      database = LiveDatabase.connect(url, user, allowRemote);
    } catch (IllegalArgumentException e) {
      err.println("doctor: " + e.getMessage());
      err.flush();
      return 2;
    } catch (SQLException e) {
      err.println("doctor: " + e.getMessage());
      err.flush();
      return 2;
    }
    try (database) {
      Inspection inspection = inspect(database.connection());
      out.print(database.scrub(inspection.render(database.display(), idleSeconds, slowSeconds, rows)));
      out.print(database.scrub(DoctorFleets.fleets(inspection.sessions().stream().map(Session::applicationName)
          .toList())));
      out.flush();
      boolean problems = !inspection.problems(idleSeconds, slowSeconds).isEmpty();
      if (pgbouncer != null) {
        Integer bouncerProblems = inspectPgBouncer(out, err);
        if (bouncerProblems == null) {
          return 2;
        }
        problems |= bouncerProblems > 0;
      }
      return problems ? 1 : 0;
    } catch (SQLException e) {
      err.println("doctor: reading pg_stat_activity on " + database.display() + " failed: "
          + database.scrub(e.getMessage()));
      err.flush();
      return 2;
    }
  }

  /**
   * Prints PgBouncer's view from the admin console at {@link #pgbouncer}: the number of problems the verdict found,
   * or null (after saying why on {@code err}) when the console could not be read.
   */
  private Integer inspectPgBouncer(PrintWriter out, PrintWriter err) {
    LiveDatabase.Target secrets = LiveDatabase.Target.parse(pgbouncer);
    DatabaseTarget console;
    try {
      console = DatabaseTarget.parse(pgbouncer);
    } catch (IllegalArgumentException e) {
      err.println("doctor: --pgbouncer: " + e.getMessage());
      err.flush();
      return null;
    }
    String display = console.host() + ":" + console.port();
    if (!console.database().isEmpty() && !DoctorPgBouncer.CONSOLE_DATABASE.equals(console.database())) {
      err.println("doctor: --pgbouncer must name PgBouncer's admin console database \"pgbouncer\", not \""
          + console.database() + "\" (e.g. postgresql://admin@" + display + "/pgbouncer)");
      err.flush();
      return null;
    }
    if (!allowRemote && !Loopback.isLoopback(console.host())) {
      err.println("doctor: refusing to connect to PgBouncer at " + console.host() + ": not a loopback address;"
          + " pass --allow-remote to inspect it anyway.");
      err.flush();
      return null;
    }
    String role = console.username() != null ? console.username() : user;
    if (role == null || role.isBlank()) {
      err.println("doctor: --pgbouncer names no role: put one in the URL (postgresql://admin@" + display
          + "/pgbouncer) or pass --user");
      err.flush();
      return null;
    }
    String password = console.password() != null ? console.password() : System.getenv("PGPASSWORD");
    try {
      DoctorPgBouncer.View view = DoctorPgBouncer.read(console.host(), console.port(), role, password);
      out.print('\n');
      out.print(LiveDatabase.scrub(view.render(display, rows), secrets));
      out.flush();
      return view.problems().size();
    } catch (SQLException e) {
      err.println("doctor: reading PgBouncer's admin console at " + display + " failed: "
          + LiveDatabase.scrub(e.getMessage(), secrets));
      err.flush();
      return null;
    }
  }

  /* --- Reading the server --- */

  /**
   * The server as one read saw it.
   *
   * @param version {@code server_version}
   * @param maxConnections {@code max_connections}
   * @param superuserReserved {@code superuser_reserved_connections}
   * @param reserved {@code reserved_connections} (16+), or null before 16
   * @param role the role doctor connected as
   * @param superuser whether that role is a superuser
   * @param readsAllStats whether it sees every session in full (superuser or {@code pg_read_all_stats})
   * @param sessions every other client session
   */
  record Inspection(String version, int maxConnections, int superuserReserved, Integer reserved, String role,
      boolean superuser, boolean readsAllStats, List<Session> sessions) {

    /** Connections ordinary roles may open: max_connections minus both kinds of reserved slots. */
    int available() {
      return maxConnections - superuserReserved - (reserved == null ? 0 : reserved);
    }

    /** Client connections in use, including doctor's own. */
    int inUse() {
      return sessions.size() + 1;
    }

    List<Session> idleInTransaction() {
      return sessions.stream().filter(Session::idleInTransaction)
          .sorted(Comparator.comparingDouble(Session::stateSeconds).reversed()).toList();
    }

    List<Session> running() {
      return sessions.stream().filter(s -> "active".equals(s.state()))
          .sorted(Comparator.comparingDouble(Session::querySeconds).reversed()).toList();
    }

    List<Session> waitingOnLocks() {
      return sessions.stream().filter(s -> "Lock".equals(s.waitEventType()))
          .sorted(Comparator.comparingDouble(Session::querySeconds).reversed()).toList();
    }

    long hidden() {
      return sessions.stream().filter(s -> s.state() == null).count();
    }

    Session byPid(int pid) {
      return sessions.stream().filter(s -> s.pid() == pid).findFirst().orElse(null);
    }

    /** The verdict's sentences about problems; empty when the server looks healthy. */
    List<String> problems(double idleSeconds, double slowSeconds) {
      List<String> problems = new ArrayList<>();
      int available = available();
      if (inUse() >= NEAR_LIMIT * available) {
        long idle = sessions.stream().filter(s -> "idle".equals(s.state())).count();
        problems.add(String.format(Locale.ROOT, "%d of %d available connections in use: %s%s.", inUse(), available,
            inUse() >= available ? "at the limit, new connections by ordinary roles fail with 53300" : "near the limit",
            idle * 2 >= inUse() ? "; " + idle + " of them are idle, so the pools hold more than they use:"
                + " shrink them or share fewer, larger pools" : ""));
      }
      List<Session> idleInTransaction = idleInTransaction();
      List<Session> longIdle = idleInTransaction.stream().filter(s -> s.stateSeconds() > idleSeconds).toList();
      if (!longIdle.isEmpty()) {
        Session longest = longIdle.get(0);
        problems.add(String.format(Locale.ROOT, "%d %s idle in transaction for over %s hold connections (and any"
                + " locks they took) without doing work; the longest is %s, idle for %s after \"%s\". Find the code"
                + " that opens a transaction and then waits on something else, or set"
                + " idle_in_transaction_session_timeout.",
            longIdle.size(), longIdle.size() == 1 ? "session" : "sessions", duration(idleSeconds), longest.who(),
            duration(longest.stateSeconds()), shortQuery(longest.query(), 40)));
      }
      List<Session> slow = running().stream().filter(s -> s.querySeconds() > slowSeconds).toList();
      if (!slow.isEmpty()) {
        Session longest = slow.get(0);
        problems.add(String.format(Locale.ROOT, "%d %s running for over %s; the longest is %s at %s: \"%s\".",
            slow.size(), slow.size() == 1 ? "query" : "queries", duration(slowSeconds), longest.who(),
            duration(longest.querySeconds()), shortQuery(longest.query(), 40)));
      }
      List<Session> waiting = waitingOnLocks();
      if (!waiting.isEmpty()) {
        Session first = waiting.get(0);
        String blockers = first.blockedBy().isEmpty() ? "no blocker visible"
            : "blocked by " + first.blockedBy().stream().map(pid -> {
              Session blocker = byPid(pid);
              return blocker == null ? "pid " + pid : blocker.who(blocker.stateLabel());
            }).collect(Collectors.joining(", "));
        problems.add(String.format(Locale.ROOT, "%d %s waiting on locks; %s has waited %s, %s.", waiting.size(),
            waiting.size() == 1 ? "session is" : "sessions are", first.who(), duration(first.querySeconds()), blockers));
      }
      return problems;
    }

    /** The verdict paragraph. */
    String verdict(double idleSeconds, double slowSeconds) {
      List<String> problems = problems(idleSeconds, slowSeconds);
      StringBuilder verdict = new StringBuilder();
      if (problems.isEmpty()) {
        verdict.append(String.format(Locale.ROOT, "Healthy: %d of %d available connections in use, no session idle"
            + " in transaction for over %s, no query running for over %s, no lock waits.", inUse(), available(),
            duration(idleSeconds), duration(slowSeconds)));
        List<Session> idleInTransaction = idleInTransaction();
        if (!idleInTransaction.isEmpty()) {
          Session longest = idleInTransaction.get(0);
          verdict.append(String.format(Locale.ROOT, " %d %s idle in transaction right now (the longest, %s, for %s):"
                  + " normal between a transaction's statements if it does not last; run doctor again to see.",
              idleInTransaction.size(), idleInTransaction.size() == 1 ? "session is" : "sessions are", longest.who(),
              duration(longest.stateSeconds())));
        }
      } else {
        verdict.append(String.join(" ", problems));
      }
      if (!readsAllStats && hidden() > 0) {
        verdict.append(String.format(Locale.ROOT, " (Seen as the ordinary role %s: %d other %s without state or query"
            + " text; grant pg_read_all_stats or use a superuser to see everything.)", role, hidden(),
            hidden() == 1 ? "session is counted" : "sessions are counted"));
      }
      return verdict.toString();
    }

    /** The whole report. */
    String render(String display, double idleSeconds, double slowSeconds, int rows) {
      StringBuilder out = new StringBuilder();
      out.append("Server ").append(display).append('\n');
      out.append("  PostgreSQL ").append(version).append('\n');
      out.append(String.format(Locale.ROOT, "  max_connections %d, superuser_reserved_connections %d, %s"
              + " → %d available to ordinary roles%n", maxConnections, superuserReserved,
          reserved == null ? "no reserved_connections (before 16)" : "reserved_connections " + reserved, available()));
      out.append(String.format(Locale.ROOT, "  %d client connections in use (this one included)%n", inUse()));
      out.append("  connected as ").append(role).append(superuser ? " (superuser: sees every session in full)"
          : readsAllStats ? " (pg_read_all_stats: sees every session in full)"
          : " (ordinary role: other roles' sessions show no state, timings or query text)").append("\n\n");

      out.append("Connections by application, user and state\n");
      Map<List<String>, Integer> groups = new LinkedHashMap<>();
      for (Session session : sessions) {
        groups.merge(List.of(label(session.applicationName()), label(session.user()), session.stateLabel()), 1,
            Integer::sum);
      }
      PlainTable byGroup = new PlainTable(">count", "application", "user", "state");
      groups.entrySet().stream()
          .sorted(Map.Entry.<List<String>, Integer>comparingByValue().reversed()
              .thenComparing(e -> String.join("\u0000", e.getKey())))
          .forEach(e -> byGroup.row(e.getValue(), e.getKey().get(0), e.getKey().get(1), e.getKey().get(2)));
      out.append(byGroup.isEmpty() ? "  (no other client connections)\n" : byGroup.render("  ")).append('\n');

      List<Session> idleInTransaction = idleInTransaction();
      out.append("Sessions idle in transaction: ").append(idleInTransaction.size()).append('\n');
      if (!idleInTransaction.isEmpty()) {
        PlainTable table = new PlainTable(">pid", "application", "user", ">idle for", ">transaction age", "last query");
        idleInTransaction.stream().limit(rows).forEach(s -> table.row(s.pid(), label(s.applicationName()),
            label(s.user()), duration(s.stateSeconds()), duration(s.transactionSeconds()), shortQuery(s.query(),
                QUERY_TEXT_WIDTH)));
        out.append(table.render("  "));
      }
      out.append('\n');

      List<Session> running = running();
      out.append("Longest-running queries: ").append(running.size()).append(" active\n");
      if (!running.isEmpty()) {
        PlainTable table = new PlainTable(">pid", "application", "user", ">running for", "state", "wait", "query");
        running.stream().limit(rows).forEach(s -> table.row(s.pid(), label(s.applicationName()), label(s.user()),
            duration(s.querySeconds()), s.stateLabel(), s.waitLabel(), shortQuery(s.query(), QUERY_TEXT_WIDTH)));
        out.append(table.render("  "));
      }
      out.append('\n');

      List<Session> waiting = waitingOnLocks();
      out.append("Sessions waiting on locks: ").append(waiting.size()).append('\n');
      if (!waiting.isEmpty()) {
        PlainTable table = new PlainTable(">pid", "application", ">waiting for", "lock", "blocked by", "query");
        waiting.stream().limit(rows).forEach(s -> table.row(s.pid(), label(s.applicationName()),
            duration(s.querySeconds()), s.waitEvent(),
            s.blockedBy().stream().map(String::valueOf).collect(Collectors.joining(",")),
            shortQuery(s.query(), QUERY_TEXT_WIDTH)));
        out.append(table.render("  "));
      }
      out.append('\n');

      out.append("Verdict: ").append(verdict(idleSeconds, slowSeconds)).append('\n');
      return out.toString();
    }
  }

  /**
   * One client session from {@code pg_stat_activity}. Times are seconds up to now; {@code state} and the
   * times are null/NaN when the role may not see them.
   */
  record Session(int pid, String applicationName, String user, String clientAddress, String state,
      String waitEventType, String waitEvent, double transactionSeconds, double querySeconds, double stateSeconds,
      List<Integer> blockedBy, String query) {

    boolean idleInTransaction() {
      return state != null && state.startsWith("idle in transaction");
    }

    String stateLabel() {
      return state == null ? "(hidden)" : state;
    }

    String waitLabel() {
      return waitEventType == null ? "" : waitEventType + ":" + waitEvent;
    }

    /** "pid 123 (application, user)" for verdict sentences. */
    String who() {
      return "pid " + pid + " (" + label(applicationName) + ", " + label(user) + ")";
    }

    /** "pid 123 (application, user, detail)". */
    String who(String detail) {
      return "pid " + pid + " (" + label(applicationName) + ", " + label(user) + ", " + detail + ")";
    }
  }

  /*
   * One round trip for the settings, one for the sessions. Client sessions: backend_type 'client backend', or,
   * for sessions an ordinary role may not inspect (backend_type is NULL then), rows with a database and a role,
   * as ServerBudget counts them in core. clock_timestamp() rather than now(): now() is frozen at the start of
   * this statement's transaction, which is fine here, but clock_timestamp() also stays right if someone runs
   * the query inside a longer transaction.
   */
  private static final String SETTINGS = "select current_setting('server_version'),"
      + " current_setting('max_connections')::int,"
      + " current_setting('superuser_reserved_connections')::int,"
      + " nullif(current_setting('reserved_connections', true), '')::int,"
      + " current_user::text,"
      + " coalesce((select rolsuper from pg_roles where rolname = current_user), false),"
      + " pg_has_role(current_user, 'pg_read_all_stats', 'member')";

  private static final String SESSIONS = "select pid, application_name, usename::text, client_addr::text, state,"
      + " wait_event_type, wait_event,"
      + " extract(epoch from clock_timestamp() - xact_start)::float8,"
      + " extract(epoch from clock_timestamp() - query_start)::float8,"
      + " extract(epoch from clock_timestamp() - state_change)::float8,"
      + " case when wait_event_type = 'Lock' then pg_blocking_pids(pid) end,"
      + " left(query, 1000)"
      + " from pg_stat_activity"
      + " where pid <> pg_backend_pid()"
      + " and (backend_type = 'client backend' or (backend_type is null and datid is not null and usesysid is not null))";

  static Inspection inspect(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(30);
      String version;
      int maxConnections;
      int superuserReserved;
      Integer reserved;
      String role;
      boolean superuser;
      boolean readsAllStats;
      try (ResultSet settings = statement.executeQuery(SETTINGS)) {
        settings.next();
        version = settings.getString(1);
        maxConnections = settings.getInt(2);
        superuserReserved = settings.getInt(3);
        int reservedValue = settings.getInt(4);
        reserved = settings.wasNull() ? null : reservedValue;
        role = settings.getString(5);
        superuser = settings.getBoolean(6);
        readsAllStats = superuser || settings.getBoolean(7);
      }
      List<Session> sessions = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery(SESSIONS)) {
        while (rows.next()) {
          sessions.add(new Session(rows.getInt(1), rows.getString(2), rows.getString(3), rows.getString(4),
              rows.getString(5), rows.getString(6), rows.getString(7), seconds(rows, 8), seconds(rows, 9),
              seconds(rows, 10), pids(rows.getArray(11)), rows.getString(12)));
        }
      }
      return new Inspection(version, maxConnections, superuserReserved, reserved, role, superuser, readsAllStats,
          List.copyOf(sessions));
    }
  }

  private static double seconds(ResultSet rows, int column) throws SQLException {
    double value = rows.getDouble(column);
    return rows.wasNull() ? Double.NaN : value;
  }

  private static List<Integer> pids(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    List<Integer> pids = new ArrayList<>();
    for (Object pid : (Object[]) array.getArray()) {
      pids.add(((Number) pid).intValue());
    }
    return pids;
  }

  /* --- Formatting --- */

  static String label(String text) {
    return text == null || text.isEmpty() ? "(none)" : text;
  }

  /** Whitespace collapsed, cut to {@code width} characters with an ellipsis; "(hidden)" when not visible. */
  static String shortQuery(String query, int width) {
    if (query == null || query.equals("<insufficient privilege>")) {
      return "(hidden)";
    }
    String flat = query.strip().replaceAll("\\s+", " ");
    return flat.length() <= width ? flat : flat.substring(0, width - 1) + "…";
  }

  /** "0.4 s", "12 s", "4 min 05 s", "2 h 03 min"; "?" when unknown. */
  static String duration(double seconds) {
    if (Double.isNaN(seconds)) {
      return "?";
    }
    if (seconds < 10) {
      return String.format(Locale.ROOT, "%.1f s", Math.max(0, seconds));
    }
    long whole = Math.round(seconds);
    if (whole < 60) {
      return whole + " s";
    }
    if (whole < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", whole / 60, whole % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", whole / 3600, whole % 3600 / 60);
  }
}
