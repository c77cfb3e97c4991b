package dev.poolwise;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's connection budget as one of the pool's own connections saw it: how many connections the
 * server accepts, how many of them this role may use, and how many were already taken.
 *
 * <p>The pool reads it once, on its first new physical connection, and warns when {@code maxSize ×
 * expectedInstances} would not fit: the trap from the seed analysis, where 70 clients × 5 connections met a
 * server that allows 100, and the only symptom was {@code 53300 too many clients} under load, long after
 * deployment. When a connect later fails with {@code 53300}, {@link #explainRefusal} says why in the numbers
 * that matter.
 *
 * <h2>What counts as available</h2>
 * {@code superuser_reserved_connections} are slots only superusers may take. PostgreSQL 16 added
 * {@code reserved_connections}, slots for roles granted {@code pg_use_reserved_connections}; we count them as
 * unavailable to the application without asking whether this role holds that grant, because an application
 * role almost never does and an unneeded warning costs less than a missing one. A superuser may use every slot.
 *
 * <h2>Failure modes</h2>
 * The numbers are a snapshot from the moment of reading: other clients come and go, so {@code inUse} can be
 * stale by the time a refusal happens, and it includes this service's other instances when they were already
 * running (then they count twice: in {@code inUse} and in {@code maxSize × expectedInstances}); the messages
 * say "when the pool started". An ordinary role may not see other roles' sessions in full in
 * {@code pg_stat_activity} ({@code backend_type} is hidden for them); the query counts such rows by what they
 * look like instead (see the comment on {@code QUERY}). Any {@link SQLException} propagates: the caller
 * logs it at debug and carries on without a budget.
 *
 * @param maxConnections {@code max_connections}
 * @param superuserReserved {@code superuser_reserved_connections}
 * @param reserved {@code reserved_connections} (PostgreSQL 16+; 0 before)
 * @param inUse client connections on the whole server when read, including the one that did the reading
 * @param superuser whether the pool's role is a superuser
 */
record ServerBudget(int maxConnections, int superuserReserved, int reserved, int inUse, boolean superuser) {

  private static final Logger log = LoggerFactory.getLogger(ServerBudget.class);

  /** The SQLState PostgreSQL answers when every slot this role may use is taken: "too many clients already". */
  static final String TOO_MANY_CLIENTS = "53300";

  /** Seconds the budget query may take; it reads a few settings and counts a short list, so this is generous. */
  private static final int QUERY_TIMEOUT_SECONDS = 10;

  /*
   * One round trip. current_setting(name, true) returns NULL for a setting the server does not know
   * (reserved_connections before 16). Client connections are the rows of pg_stat_activity whose backend_type
   * is 'client backend'. For other roles' sessions an ordinary role sees backend_type as NULL (and
   * "<insufficient privilege>" as query), so such rows count too when they have a database and a role, which
   * the launchers, checkpointer, background writer and walwriter lack. Autovacuum workers have both (their
   * database, the bootstrap superuser) and are counted while they run: a transient overcount of at most
   * autovacuum_max_workers for an ordinary role, which errs towards warning.
   */
  private static final String QUERY = "select"
      + " current_setting('max_connections')::int,"
      + " current_setting('superuser_reserved_connections')::int,"
      + " coalesce(nullif(current_setting('reserved_connections', true), ''), '0')::int,"
      + " (select count(*) from pg_stat_activity where backend_type = 'client backend'"
      + "    or (backend_type is null and datid is not null and usesysid is not null))::int,"
      + " coalesce((select rolsuper from pg_roles where rolname = current_user), false)";

  /**
   * Reads the budget through {@code raw}, or returns {@code null} when the database is not PostgreSQL.
   * Leaves the connection as it found it: when auto-commit is off, the transaction the query opened is
   * rolled back.
   */
  static @Nullable ServerBudget read(Connection raw) throws SQLException {
    DatabaseMetaData metaData = raw.getMetaData();
    String product = metaData.getDatabaseProductName();
    if (product == null || !product.toLowerCase(Locale.ROOT).contains("postgresql")) {
      return null;
    }
    boolean rollBack = !raw.getAutoCommit();
    ServerBudget budget;
    try (Statement statement = raw.createStatement()) {
      statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      try (ResultSet row = statement.executeQuery(QUERY)) {
        if (!row.next()) {
          throw new SQLException("the server budget query returned no row");
        }
        budget = new ServerBudget(row.getInt(1), row.getInt(2), row.getInt(3), row.getInt(4), row.getBoolean(5));
      }
    } catch (SQLException e) {
      if (rollBack) {
        try {
          raw.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    if (rollBack) {
      raw.rollback();
    }
    return budget;
  }

  /**
   * For the pool's connector thread, on the first new physical connection: reads the budget, logs
   * {@link #overBudgetWarning} at WARN when there is one, and logs a failed read at DEBUG. Returns the budget,
   * or {@code null} when the check does not {@linkplain #appliesTo apply}, the database is not PostgreSQL or
   * the read failed; never throws for an SQL problem.
   */
  static @Nullable ServerBudget check(Connection raw, PoolSettings settings) {
    if (!appliesTo(settings)) {
      log.debug("Pool '{}': connects through PgBouncer (prepareThreshold=0); max_connections bounds PgBouncer's"
          + " server pool, not this pool, so the budget check is skipped", settings.poolName());
      return null;
    }
    ServerBudget budget;
    try {
      budget = read(raw);
    } catch (SQLException | RuntimeException e) {
      log.debug("Pool '{}': could not read the server's connection budget ({}); skipping the budget check",
          settings.poolName(), e.toString());
      return null;
    }
    if (budget != null) {
      String warning = budget.overBudgetWarning(settings.poolName(), settings.maxSize(), settings.expectedInstances());
      if (warning != null && settings.fleet() != null) {
        log.debug("Pool '{}': {} (not a warning: fleet '{}' caps this pool to its share)", settings.poolName(),
            warning, settings.fleet());
      } else if (warning != null) {
        log.warn(warning);
      } else {
        log.debug("Pool '{}': fits the server's connection budget: {}", settings.poolName(), budget);
      }
    }
    return budget;
  }

  /**
   * Whether comparing this pool with {@code max_connections} makes sense. Not through PgBouncer
   * ({@code pgbouncer=true} in the URL, which sets pgjdbc's {@code prepareThreshold=0}): there the pool's
   * connections are PgBouncer's clients, and the server only sees PgBouncer's own, smaller server pool.
   */
  static boolean appliesTo(PoolSettings settings) {
    return !"0".equals(settings.driverProperties().get("prepareThreshold"));
  }

  /**
   * The connections this role may hold on the server: {@code max_connections} for a superuser, otherwise
   * {@code max_connections − superuser_reserved_connections − reserved_connections}.
   */
  int availableToApplication() {
    return superuser ? maxConnections : Math.max(0, maxConnections - superuserReserved - reserved);
  }

  /** Connections in use when read by clients other than the one that did the reading. */
  int inUseByOthers() {
    return Math.max(0, inUse - 1);
  }

  /**
   * {@code null} when {@code maxSize × expectedInstances} connections fit into what this role may use minus
   * what other clients held when the budget was read; otherwise one line for the person on call.
   */
  @Nullable String overBudgetWarning(String poolName, int maxSize, int expectedInstances) {
    long wanted = (long) maxSize * expectedInstances;
    int free = availableToApplication() - inUseByOthers();
    if (wanted <= free) {
      return null;
    }
    return "Pool '" + poolName + "': " + demand(maxSize, expectedInstances) + ", but " + allowance() + " and "
        + inUseByOthers() + (inUseByOthers() == 1 ? " was" : " were") + " already in use by other clients when"
        + " the pool started (" + Math.max(0, free) + " left): some connections will be refused with \"53300 too"
        + " many clients\". Lower maxSize, put PgBouncer in front, or raise max_connections.";
  }

  /**
   * The sentence to append when a connect fails with SQLState {@value #TOO_MANY_CLIENTS}: the server's
   * numbers (as read when the pool started) and what this pool holds right now.
   */
  String explainRefusal(String poolName, int maxSize, int expectedInstances, int poolTotalNow) {
    long wanted = (long) maxSize * expectedInstances;
    int free = availableToApplication() - inUseByOthers();
    String fit = wanted <= free
        ? "which fit when the pool started, so other clients have taken slots since"
        : "more than the " + Math.max(0, free) + " that were left when the pool started";
    return "PostgreSQL has no connection slot left for this role: " + allowance() + "; "
        + inUseByOthers() + (inUseByOthers() == 1 ? " was" : " were") + " in use by other clients when pool '"
        + poolName + "' started, and the pool holds " + poolTotalNow + " now (" + demand(maxSize, expectedInstances)
        + ", " + fit + "). See who holds the rest in pg_stat_activity; lower maxSize, put PgBouncer in front, or"
        + " raise max_connections.";
  }

  /** "maxSize 30 × expectedInstances 4 = 120 connections". */
  private static String demand(int maxSize, int expectedInstances) {
    return "maxSize " + maxSize + " × expectedInstances " + expectedInstances + " = "
        + (long) maxSize * expectedInstances + " connections";
  }

  /** "the server allows 97 for ordinary roles (max_connections 100 − 3 reserved for superusers)". */
  private String allowance() {
    if (superuser) {
      return "the server allows " + maxConnections + " for superusers like this pool's role (max_connections "
          + maxConnections + ", including the " + superuserReserved + " reserved for superusers)";
    }
    StringBuilder text = new StringBuilder("the server allows ").append(availableToApplication())
        .append(" for ordinary roles (max_connections ").append(maxConnections).append(" − ")
        .append(superuserReserved).append(" reserved for superusers");
    if (reserved > 0) {
      text.append(" − ").append(reserved).append(" reserved_connections for pg_use_reserved_connections");
    }
    return text.append(')').toString();
  }
}
