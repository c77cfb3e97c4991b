package dev.poolwise;

/** What the pool does with the database when it is built. */
public enum StartMode {
  /** Open one connection while building and throw if that fails: misconfiguration shows at deploy time. */
  FAIL_FAST,
  /** Return at once and fill up to {@code minIdle} in the background (the default). */
  BACKGROUND,
  /** Open nothing until the first {@code getConnection()}; {@code minIdle} is honoured from then on. */
  LAZY
}
