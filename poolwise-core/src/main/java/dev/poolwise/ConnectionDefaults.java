package dev.poolwise;

/**
 * The session state every handed-out connection starts with, captured once per physical connection
 * right after it was opened and configured. A connection handle restores exactly these values on
 * return when the application changed them.
 */
record ConnectionDefaults(
    boolean autoCommit,
    int transactionIsolation,
    boolean readOnly,
    String catalog,
    String schema,
    int networkTimeoutMillis) {}
