package dev.poolwise;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind PgBouncer in transaction mode ({@code pgbouncer=true}), warns when the application runs SQL whose
 * effect outlives the transaction: {@code SET} (not {@code SET LOCAL}), {@code LISTEN}, {@code PREPARE},
 * {@code CREATE TEMP …}, {@code LOAD}, a session-level advisory lock. PgBouncer hands the next transaction to
 * whichever server connection is free, so the setting is lost for this client and inherited by another one.
 *
 * <p>Concurrency: called from any application thread on every execute behind PgBouncer; the set of statement
 * kinds already warned about is concurrent, so each kind is logged once per pool (a benign race may log it
 * twice). Failure modes: it recognises statements by their text ({@link SessionStatements} first, then the
 * first words), so a function that runs {@code SET} inside is not seen; it only warns, never refuses.
 */
final class TransactionPoolingGuard {

  private static final Logger log = LoggerFactory.getLogger(TransactionPoolingGuard.class);

  /** Session-changing statements that are transaction-scoped or harmless under transaction pooling. */
  private static final Set<String> TRANSACTION_SCOPED = Set.of("begin", "start", "commit", "rollback", "end",
      "reset", "discard", "copy", "do", "declare", "set local", "set transaction", "select", "with");

  private final String poolName;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  TransactionPoolingGuard(String poolName) {
    this.poolName = poolName;
  }

  /** The guard for a pool behind PgBouncer on PostgreSQL, else {@code null}. */
  static @Nullable TransactionPoolingGuard of(PoolSettings settings) {
    boolean postgres = settings.jdbcUrl() != null && settings.jdbcUrl().startsWith("jdbc:postgresql:");
    return postgres && !ServerBudget.appliesTo(settings) ? new TransactionPoolingGuard(settings.poolName()) : null;
  }

  /** Called with every SQL text executed through the pool; logs the first of each kind that cannot survive. */
  void check(@Nullable String sql) {
    if (!SessionStatements.changesSession(sql)) {
      return;
    }
    String kind = kindOf(sql);
    if (kind == null || !warned.add(kind)) {
      return;
    }
    log.warn("Pool '{}': the application ran '{}' behind PgBouncer in transaction mode (pgbouncer=true). It changes"
        + " the session, and PgBouncer gives the next transaction whichever server connection is free: this client"
        + " loses the setting and another client inherits it. Use SET LOCAL (or set_config(…, true)) inside a"
        + " transaction, ALTER ROLE … SET for settings every session needs, or connect without PgBouncer for"
        + " LISTEN, session advisory locks and temporary tables. Logged once per kind of statement.",
        poolName, abbreviate(sql));
  }

  /** "set", "listen", "create temp", "pg_advisory_lock"…; {@code null} for transaction-scoped statements. */
  static @Nullable String kindOf(String sql) {
    String text = sql.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    if (text.contains("advisory_lock") && !text.contains("advisory_xact_lock")) {
      return "pg_advisory_lock";
    }
    String[] words = text.split("[^a-z_]+", 4);
    int first = words.length > 0 && words[0].isEmpty() ? 1 : 0;
    if (words.length <= first) {
      return null;
    }
    String word = words[first];
    String two = words.length > first + 1 ? word + " " + words[first + 1] : word;
    if (TRANSACTION_SCOPED.contains(two) || TRANSACTION_SCOPED.contains(word)) {
      return null;
    }
    return word.equals("create") ? "create temp" : word;
  }

  private static String abbreviate(String sql) {
    String flat = sql.strip().replaceAll("\\s+", " ");
    return flat.length() <= 60 ? flat : flat.substring(0, 57) + "…";
  }
}
