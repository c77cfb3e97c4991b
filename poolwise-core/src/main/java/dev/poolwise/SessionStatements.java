package dev.poolwise;

/**
 * Recognises PostgreSQL SQL text that changes session state a later borrower would inherit, so that a
 * connection whose borrower ran such a statement gets its session reset on return ({@link SessionReset#AUTO}).
 *
 * <p>What counts: a statement (the text's first, or any one after a {@code ;}) that starts with {@code SET},
 * {@code RESET}, {@code BEGIN}, {@code START} (transaction), {@code LISTEN}, {@code PREPARE}, {@code DECLARE}
 * (cursors, {@code WITH HOLD} ones outlive the transaction), {@code DISCARD}, {@code LOAD}, {@code DO} (an
 * anonymous block can do any of these), {@code COPY}, or {@code CREATE [OR REPLACE] TEMP|TEMPORARY|LOCAL|GLOBAL
 * …}; and a call of {@code set_config(…)} or of an advisory lock function that outlives the transaction
 * ({@code pg_advisory_lock}, {@code pg_try_advisory_lock}, their {@code _shared} forms) anywhere in the text.
 * Leading white space, comments and parentheses are skipped; keywords are matched without regard to case.
 *
 * <p>It errs on the side of a reset: a {@code ;} or a keyword inside a string literal may mark a statement
 * that changed nothing, which costs one reset, never a leak. What it cannot see is SQL that changes the
 * session from inside a function or procedure ({@code select my_function()} that runs {@code SET}),
 * {@code SELECT … INTO TEMP}, and anything done through unwrapped driver objects (the connection handle marks
 * those separately). {@link SessionReset#ALWAYS} covers the rest.
 *
 * <p>Cost: two {@code String.indexOf} scans (vectorised by the JIT) and one keyword comparison for an
 * ordinary query, measured in docs/benchmarks.md; no allocation.
 */
final class SessionStatements {

  private SessionStatements() {}

  /** Whether {@code sql} may change the session state of the connection it runs on; false for null. */
  @Contract("null -> false")
  static boolean changesSession(@Nullable String sql) {
    if (sql == null) {
      return false;
    }
    if (callsSessionFunction(sql)) {
      return true;
    }
    int start = 0;
    while (true) {
      if (startsSessionStatement(sql, start)) {
        return true;
      }
      int semicolon = sql.indexOf(';', start);
      if (semicolon < 0) {
        return false;
      }
      start = semicolon + 1;
    }
  }

  /** {@code set_config} or a session-level advisory lock anywhere: both have an underscore to find fast. */
  private static boolean callsSessionFunction(String sql) {
    for (int underscore = sql.indexOf('_'); underscore >= 0; underscore = sql.indexOf('_', underscore + 1)) {
      if (sql.regionMatches(true, underscore - 3, "set_config", 0, 10)
          || sql.regionMatches(true, underscore - 8, "advisory_lock", 0, 13)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsSessionStatement(String sql, int from) {
    int start = skipNoise(sql, from);
    int end = wordEnd(sql, start);
    switch (end - start) {
      case 2:
        return sql.regionMatches(true, start, "do", 0, 2);
      case 3:
        return sql.regionMatches(true, start, "set", 0, 3);
      case 4:
        return sql.regionMatches(true, start, "load", 0, 4) || sql.regionMatches(true, start, "copy", 0, 4);
      case 5:
        return sql.regionMatches(true, start, "reset", 0, 5) || sql.regionMatches(true, start, "begin", 0, 5)
            || sql.regionMatches(true, start, "start", 0, 5);
      case 6:
        if (sql.regionMatches(true, start, "create", 0, 6)) {
          return createsTemporaryObject(sql, end);
        }
        return sql.regionMatches(true, start, "listen", 0, 6);
      case 7:
        return sql.regionMatches(true, start, "prepare", 0, 7) || sql.regionMatches(true, start, "declare", 0, 7)
            || sql.regionMatches(true, start, "discard", 0, 7);
      default:
        return false;
    }
  }

  /** After {@code CREATE}: {@code [OR REPLACE] TEMP|TEMPORARY|LOCAL|GLOBAL}. */
  private static boolean createsTemporaryObject(String sql, int from) {
    int start = skipNoise(sql, from);
    int end = wordEnd(sql, start);
    if (end - start == 2 && sql.regionMatches(true, start, "or", 0, 2)) {
      start = skipNoise(sql, end);
      end = wordEnd(sql, start); // "replace"
      start = skipNoise(sql, end);
      end = wordEnd(sql, start);
    }
    int length = end - start;
    return (length == 4 && sql.regionMatches(true, start, "temp", 0, 4))
        || (length == 9 && sql.regionMatches(true, start, "temporary", 0, 9))
        || (length == 5 && sql.regionMatches(true, start, "local", 0, 5))
        || (length == 6 && sql.regionMatches(true, start, "global", 0, 6));
  }

  /** Skips white space, {@code --} and {@code /* *}{@code /} comments and opening parentheses. */
  private static int skipNoise(String sql, int from) {
    int i = from;
    int length = sql.length();
    while (i < length) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c) || c == '(') {
        i++;
      } else if (c == '-' && i + 1 < length && sql.charAt(i + 1) == '-') {
        int newline = sql.indexOf('\n', i);
        i = newline < 0 ? length : newline + 1;
      } else if (c == '/' && i + 1 < length && sql.charAt(i + 1) == '*') {
        int close = sql.indexOf("*/", i + 2);
        i = close < 0 ? length : close + 2;
      } else {
        return i;
      }
    }
    return i;
  }

  private static int wordEnd(String sql, int start) {
    int i = start;
    while (i < sql.length() && Character.isLetter(sql.charAt(i))) {
      i++;
    }
    return i;
  }
}
