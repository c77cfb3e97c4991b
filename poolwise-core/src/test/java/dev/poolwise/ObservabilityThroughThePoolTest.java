package dev.poolwise;

import static dev.poolwise.StubPools.builder;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/** JFR events and SQL logging as a user sees them: produced by real borrows, statements and timeouts. */
@Isolated
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ObservabilityThroughThePoolTest extends StubPoolTest {

  @TempDir
  Path dir;

  @Test
  void aFlightRecordingShowsBorrowsReturnsAndTimeoutsWithTheirTags() throws Exception {
    ManualClock clock = new ManualClock(); // the first borrow cannot time out on a busy machine; the second does
    PoolwiseDataSource pool = pool(builder(database).poolName("jfr-pool").maxSize(1)
        .acquireTimeout(Duration.ofMillis(100)).clock(clock));
    Path file = dir.resolve("pool.jfr");
    try (Recording recording = new Recording()) {
      for (String event : List.of("dev.poolwise.Acquire", "dev.poolwise.Release", "dev.poolwise.Timeout")) {
        recording.enable(event).withoutThreshold();
      }
      recording.start();
      try (var tag = Poolwise.tag("GET /orders"); Connection connection = pool.getConnection()) {
        assertThat(connection.isValid(1)).isTrue();
      }
      try (Connection held = borrowElsewhere(pool)) {
        assertThat((Throwable) clock.borrowUntilItTimesOut(pool, Duration.ofMillis(100)))
            .isInstanceOf(PoolTimeoutException.class);
      }
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
        .filter(event -> "jfr-pool".equals(event.getString("pool"))).toList();
    assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.poolwise.Acquire"))
        .hasSize(2).anySatisfy(e -> assertThat(e.getString("tag")).isEqualTo("GET /orders"));
    assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.poolwise.Release"))
        .hasSize(2).allSatisfy(e -> assertThat(e.getDuration("hold")).isGreaterThanOrEqualTo(Duration.ZERO));
    assertThat(events).filteredOn(e -> e.getEventType().getName().equals("dev.poolwise.Timeout"))
        .singleElement().satisfies(e -> {
          assertThat(e.getDuration("wait")).isGreaterThanOrEqualTo(Duration.ofMillis(100));
          assertThat(e.getString("verdict")).isNotBlank();
        });
  }

  @Test
  void slowSqlLoggingNamesPoolTagDurationAndStatement() throws Exception {
    database.executeDelay(Duration.ofMillis(30));
    PoolwiseDataSource pool = pool(builder(database).poolName("sql-log").sqlLogging(SqlLogging.SLOW)
        .slowSqlThreshold(Duration.ofMillis(20)));
    String log;
    try (CapturedStderr stderr = new CapturedStderr(); var tag = Poolwise.tag("GET /reports");
         Connection connection = pool.getConnection();
         PreparedStatement statement = connection.prepareStatement("select * from slow_report where id = ?")) {
      statement.setString(1, "S3cret-parameter");
      statement.execute();
      log = stderr.text();
    }
    assertThat(log).contains("dev.poolwise.sql").contains("pool 'sql-log' [GET /reports]")
        .contains("ms: select * from slow_report where id = ?")
        .doesNotContain("S3cret-parameter");
  }

  @Test
  void sqlLoggingOffLogsNothingAndAllLogsEveryStatement() throws Exception {
    PoolwiseDataSource quiet = pool(builder(database).poolName("sql-off"));
    PoolwiseDataSource chatty = pool(builder(database).poolName("sql-all").sqlLogging(SqlLogging.ALL));
    String log;
    try (CapturedStderr stderr = new CapturedStderr()) {
      for (PoolwiseDataSource pool : List.of(quiet, chatty)) {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
          statement.execute("select 1");
          statement.executeUpdate("update counters set n = n + 1");
        }
      }
      log = stderr.text();
    }
    assertThat(log).doesNotContain("pool 'sql-off'");
    assertThat(log).contains("pool 'sql-all'").contains(": select 1").contains(": update counters set n = n + 1");
  }
}
