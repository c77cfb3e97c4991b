package dev.poolwise;

import java.sql.ResultSet;
import java.util.Map;
import java.util.Properties;

/**
 * The session state every handed-out connection starts with, captured once per physical connection
 * right after it was opened and configured. A connection handle restores exactly these values on
 * return when the application changed them.
 *
 * @param typeMap the driver's type map at creation, or {@code null} when the driver does not support one
 * @param clientInfo the driver's client info at creation, or {@code null} when the driver does not support it
 * @param postgres the PostgreSQL session (search_path, transaction state, session reset), or {@code null} for
 *     other databases
 */
record ConnectionDefaults(
    boolean autoCommit,
    int transactionIsolation,
    boolean readOnly,
    @Nullable String catalog,
    @Nullable String schema,
    int networkTimeoutMillis,
    int holdability,
    @Nullable Map<String, Class<?>> typeMap,
    @Nullable Properties clientInfo,
    @Nullable PostgresSession postgres) {

  /** The JDBC-level defaults only, for drivers and tests without a PostgreSQL session. */
  ConnectionDefaults(boolean autoCommit, int transactionIsolation, boolean readOnly, @Nullable String catalog,
      @Nullable String schema,
      int networkTimeoutMillis) {
    this(autoCommit, transactionIsolation, readOnly, catalog, schema, networkTimeoutMillis,
        ResultSet.HOLD_CURSORS_OVER_COMMIT, null, null, null);
  }
}
