package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Captures slf4j-simple's output (the test binding; it looks {@code System.err} up at every write, and
 * {@code simplelogger.properties} puts {@code dev.poolwise} at INFO).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SqlLogTest {

  private static final long MS = 1_000_000;

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @BeforeEach
  void captureStandardError() {
    originalErr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStandardError() {
    System.setErr(originalErr);
  }

  /** What the SQL logger wrote, one entry per line, without slf4j-simple's time/thread/level prefix. */
  private List<String> sqlLines() {
    String marker = SqlLog.LOGGER_NAME + " - ";
    return Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\\R"))
        .filter(line -> line.contains(" INFO " + marker))
        .map(line -> line.substring(line.indexOf(marker) + marker.length()))
        .collect(Collectors.toList());
  }

  @Test
  void allLogsEveryStatementInOneLine() {
    SqlLog sqlLog = new SqlLog("orders", SqlLogging.ALL, Duration.ofSeconds(1));

    sqlLog.executed("GET /dashboard", "select * from orders where id = ?", 1_234_500_000L, null);
    sqlLog.executed(null, "select 1", 40_000, null);

    assertThat(sqlLog.enabled()).isTrue();
    assertThat(sqlLines()).containsExactly(
        "pool 'orders' [GET /dashboard] 1234.5 ms: select * from orders where id = ?",
        "pool 'orders' 0.0 ms: select 1");
  }

  @Test
  void slowLogsOnlyStatementsAtOrAboveTheThreshold() {
    SqlLog sqlLog = new SqlLog("orders", SqlLogging.SLOW, Duration.ofMillis(250));

    sqlLog.executed("fast", "select 1", 249_999_999, null);
    sqlLog.executed("exactly", "select 2", 250 * MS, null);
    sqlLog.executed("slow", "select 3", 3_000 * MS, null);

    assertThat(sqlLog.enabled()).isTrue();
    assertThat(sqlLines()).containsExactly(
        "pool 'orders' [exactly] 250.0 ms: select 2",
        "pool 'orders' [slow] 3000.0 ms: select 3");
  }

  @Test
  void offLogsNothingAndTellsTheCallerNotToTime() {
    SqlLog sqlLog = new SqlLog("orders", SqlLogging.OFF, Duration.ofMillis(1));

    sqlLog.executed("tag", "select 1", 10_000 * MS, new SQLException("boom", "08006"));

    assertThat(sqlLog.enabled()).isFalse();
    assertThat(sqlLines()).isEmpty();
  }

  @Test
  void collapsesWhitespaceRunsAndLineBreaksToOneSpace() {
    SqlLog sqlLog = new SqlLog("orders", SqlLogging.ALL, Duration.ofSeconds(1));

    sqlLog.executed("POST /orders\r\nINFO forged line", "\n  select id,\tname\n\n   from\r\n orders  \u000b where x = ?  \n",
        2 * MS, null);

    assertThat(sqlLines()).containsExactly(
        "pool 'orders' [POST /orders INFO forged line] 2.0 ms: select id, name from orders where x = ?");
    assertThat(captured.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains("forged"))).hasSize(1);
  }

  @Test
  void truncatesLongSqlToAThousandCharactersWithAnEllipsis() {
    SqlLog sqlLog = new SqlLog("orders", SqlLogging.ALL, Duration.ofSeconds(1));
    String longSql = "select * from t where id in (" + "1, ".repeat(2_000) + "1)";
    String exactly1000 = "x".repeat(1_000);

    sqlLog.executed(null, longSql, MS, null);
    sqlLog.executed(null, exactly1000 + "   \n", MS, null);

    List<String> lines = sqlLines();
    String prefix = "pool 'orders' 1.0 ms: ";
    assertThat(lines.get(0)).startsWith(prefix + "select * from t where id in (1, 1, ").endsWith("…");
    assertThat(lines.get(0).substring(prefix.length())).hasSize(1_000 + 1)
        .isEqualTo(longSql.substring(0, 1_000) + "…");
    assertThat(lines.get(1)).isEqualTo(prefix + exactly1000);
  }

  @Test
  void neverCutsASurrogatePairInHalf() {
    StringBuilder line = new StringBuilder();
    SqlLog.appendCollapsed(line, "x".repeat(999) + "\uD83D\uDE00" + "y", 1_000);

    assertThat(line.toString()).isEqualTo("x".repeat(999) + "…");
  }

  @Test
  void showsABatchWithoutSqlAsBatch() {
    SqlLog sqlLog = new SqlLog("orders", SqlLogging.ALL, Duration.ofSeconds(1));

    sqlLog.executed("import", null, 15 * MS, null);

    assertThat(sqlLines()).containsExactly("pool 'orders' [import] 15.0 ms: (batch)");
  }

  @Test
  void aFailureAddsItsSqlStateButNotItsMessage() {
    SqlLog sqlLog = new SqlLog("orders", SqlLogging.ALL, Duration.ofSeconds(1));

    sqlLog.executed("POST /pay", "update accounts set balance = ? where id = ?", 12_345_678,
        new SQLTransactionRollbackException("could not serialize access", "40001"));
    sqlLog.executed(null, "insert into users (email) values (?)", MS,
        new SQLException("Key (email)=(secret@example.com) already exists", null, 1062));

    assertThat(sqlLines()).containsExactly(
        "pool 'orders' [POST /pay] 12.3 ms: update accounts set balance = ? where id = ? (failed: SQLState 40001)",
        "pool 'orders' 1.0 ms: insert into users (email) values (?) (failed: no SQLState, error code 1062)");
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("secret@example.com");
  }

  @Test
  void slowFailuresAreLoggedLikeAnyOtherSlowStatementAndFastOnesAreNot() {
    SqlLog sqlLog = new SqlLog("orders", SqlLogging.SLOW, Duration.ofMillis(100));

    sqlLog.executed(null, "select 1", MS, new SQLException("fast failure", "57014"));
    sqlLog.executed(null, "select 2", 200 * MS, new SQLException("slow failure", "57014"));

    assertThat(sqlLines()).containsExactly("pool 'orders' 200.0 ms: select 2 (failed: SQLState 57014)");
  }

  @Test
  void formatsMillisecondsTheSameInEveryLocale() {
    Locale original = Locale.getDefault();
    Locale.setDefault(Locale.GERMANY);
    try {
      StringBuilder millis = new StringBuilder();
      SqlLog.appendMillis(millis, 1_234_550_000L);
      assertThat(millis.toString()).isEqualTo("1234.6");
    } finally {
      Locale.setDefault(original);
    }
  }

  @Test
  void requiresItsSettings() {
    assertThatThrownBy(() -> new SqlLog("orders", null, Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("mode");
    assertThatThrownBy(() -> new SqlLog("orders", SqlLogging.SLOW, null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("slowThreshold");
  }
}
