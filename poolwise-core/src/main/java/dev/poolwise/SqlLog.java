package dev.poolwise;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pool's SQL statement log ({@link SqlLogging}): through SLF4J logger {@code dev.poolwise.sql} at INFO,
 * one line per statement:
 *
 * <pre>
 * pool 'orders' [GET /dashboard] 1234.5 ms: select * from orders where id = ? (failed: SQLState 40001)
 * </pre>
 *
 * <p>The tag ({@link Poolwise#tag}) is left out when there is none; the SQL has every run of whitespace and
 * control characters collapsed to one space and is cut after {@value #MAX_SQL_CHARS} characters with
 * "…"; a batch without one SQL text shows as {@code (batch)}.
 *
 * <p><b>What reaches the log.</b> The SQL text is logged; bind parameters never are: this class is never
 * given them. A password or any other value passed as a {@code PreparedStatement} parameter does not appear.
 * Literal values written into the SQL text itself ({@code where email = 'a@b.c'}) do appear, as written.
 * Of a failure only the SQLState (or, without one, the vendor error code) is logged, not the message:
 * drivers put row values in messages ("Key (email)=(a@b.c) already exists").
 */
final class SqlLog {

  /*
   * Cost: the pool asks enabled() before timing a statement, so OFF costs one field read per statement.
   * With SLOW, executed() is one comparison for statements under the threshold; the line is built only
   * for statements that are logged and only when the logger is at INFO. Building it reads at most
   * MAX_SQL_CHARS characters of the SQL (plus whitespace runs), however long the statement is.
   *
   * Log forging: SQL and tags can carry user input (a tag is often the request path), so line breaks and
   * other control characters in them are collapsed to spaces: one statement is always one log line.
   *
   * Concurrency: immutable; executed() is called from any thread, concurrently.
   */

  /** Logger name, documented: users configure it to route or silence SQL logging. */
  static final String LOGGER_NAME = "dev.poolwise.sql";

  /** Longest SQL text logged; long enough for real queries, short enough not to flood the log with IN lists. */
  static final int MAX_SQL_CHARS = 1_000;

  /** Longest tag logged; tags are short labels, a longer one is most likely a mistake. */
  static final int MAX_TAG_CHARS = 200;

  private static final Logger log = LoggerFactory.getLogger(LOGGER_NAME);

  private final String poolName;
  private final SqlLogging mode;
  private final long slowThresholdNanos;

  SqlLog(String poolName, SqlLogging mode, Duration slowThreshold) {
    this.poolName = Objects.requireNonNull(poolName, "poolName");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.slowThresholdNanos = saturatedNanos(Objects.requireNonNull(slowThreshold, "slowThreshold"));
  }

  /** Whether any statement can be logged; when false the caller need not time statements at all. */
  boolean enabled() {
    return mode != SqlLogging.OFF;
  }

  /**
   * A statement finished (or failed). Logs it when the mode says so.
   *
   * @param tag the work label of the thread ({@link Poolwise#currentTag()}), or {@code null}
   * @param sql the SQL text, or {@code null} for a batch of several statements
   * @param nanos how long it ran
   * @param failure what it threw, or {@code null} when it succeeded
   */
  void executed(@Nullable String tag, @Nullable String sql, long nanos, @Nullable SQLException failure) {
    boolean wanted = mode == SqlLogging.ALL || (mode == SqlLogging.SLOW && nanos >= slowThresholdNanos);
    if (wanted && log.isInfoEnabled()) {
      log.info(line(tag, sql, nanos, failure));
    }
  }

  /* --- Formatting --- */

  private String line(@Nullable String tag, @Nullable String sql, long nanos, @Nullable SQLException failure) {
    StringBuilder line = new StringBuilder(64 + Math.min(sql == null ? 0 : sql.length(), MAX_SQL_CHARS + 1));
    line.append("pool '").append(poolName).append("' ");
    if (tag != null) {
      line.append('[');
      appendCollapsed(line, tag, MAX_TAG_CHARS);
      line.append("] ");
    }
    appendMillis(line, nanos);
    line.append(" ms: ");
    if (sql == null) {
      line.append("(batch)");
    } else {
      appendCollapsed(line, sql, MAX_SQL_CHARS);
    }
    if (failure != null) {
      line.append(" (failed: ");
      if (failure.getSQLState() != null) {
        line.append("SQLState ").append(failure.getSQLState());
      } else {
        line.append("no SQLState, error code ").append(failure.getErrorCode());
      }
      line.append(')');
    }
    return line.toString();
  }

  /** Milliseconds with one decimal, rounded half up; independent of the default locale ("1234.5", never "1234,5"). */
  static void appendMillis(StringBuilder line, long nanos) {
    long tenths = (Math.max(nanos, 0) + 50_000) / 100_000;
    line.append(tenths / 10).append('.').append(tenths % 10);
  }

  /**
   * Appends {@code text} with leading and trailing whitespace dropped, each inner run of whitespace or
   * control characters as one space, cut after {@code limit} characters with "…" (never inside a surrogate
   * pair).
   */
  static void appendCollapsed(StringBuilder line, String text, int limit) {
    int written = 0;
    boolean pendingSpace = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
        pendingSpace = written > 0;
        continue;
      }
      int needed = pendingSpace ? 2 : 1;
      boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        needed++;
      }
      if (written + needed > limit) {
        line.append('…');
        return;
      }
      if (pendingSpace) {
        line.append(' ');
        pendingSpace = false;
      }
      line.append(c);
      if (pair) {
        line.append(text.charAt(++i));
      }
      written += needed;
    }
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException tooLong) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
