package dev.poolwise;

/** SQL statement logging through SLF4J (logger {@code dev.poolwise.sql}, level INFO). */
public enum SqlLogging {
  /** No SQL is logged (the default). */
  OFF,
  /** Statements that took at least {@code slowSqlThreshold}, with duration, pool and tag. */
  SLOW,
  /** Every statement, with duration, pool and tag. For development and short investigations. */
  ALL
}
