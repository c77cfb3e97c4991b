package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolEventsTest {

  private static final List<String> EVENT_NAMES =
      List.of("dev.poolwise.Acquire", "dev.poolwise.Release", "dev.poolwise.Timeout", "dev.poolwise.Leak");

  @TempDir
  Path dir;

  @Test
  void recordsAcquireAndReleaseWithTheValuesPassedInAndNoStackTrace() throws IOException {
    String pool = "events-acquire";
    List<RecordedEvent> events = record(EVENT_NAMES, () -> {
      PoolEvents.acquired(pool, 7, "GET /orders", 1_500_000);
      PoolEvents.acquired(pool, 8, null, 0);
      PoolEvents.released(pool, 7, "GET /orders", 42_000_000);
    }, pool);

    List<RecordedEvent> acquires = ofType(events, "dev.poolwise.Acquire");
    assertThat(acquires).hasSize(2);
    assertThat(acquires.get(0).getString("tag")).isEqualTo("GET /orders");
    assertThat(acquires.get(0).getDuration("wait")).isEqualTo(Duration.ofNanos(1_500_000));
    assertThat(acquires.get(0).getLong("connectionId")).isEqualTo(7);
    assertThat(acquires.get(1).getLong("connectionId")).isEqualTo(8);
    assertThat(acquires.get(1).getString("tag")).isNull();
    assertThat(acquires.get(1).getDuration("wait")).isZero();

    RecordedEvent release = ofType(events, "dev.poolwise.Release").get(0);
    assertThat(release.getString("pool")).isEqualTo(pool);
    assertThat(release.getString("tag")).isEqualTo("GET /orders");
    assertThat(release.getDuration("hold")).isEqualTo(Duration.ofMillis(42));
    assertThat(release.getLong("connectionId")).as("pairs the release with its acquire").isEqualTo(7);

    for (RecordedEvent event : events) {
      assertThat(event.getStackTrace()).as("stack trace of %s", event.getEventType().getName()).isNull();
      // Committed without begin()/end(): an instant; the pool's own measurement is the field.
      assertThat(event.getDuration()).isZero();
    }
  }

  @Test
  void recordsTimeoutWithTheCallersStackTraceAndLeakWithItsSite() throws IOException {
    String pool = "events-timeout";
    List<RecordedEvent> events = record(EVENT_NAMES, () -> {
      PoolEvents.timedOut(pool, 5_000_000_000L, "3 of 4 connections are held idle in transaction by [POST /pay]");
      PoolEvents.leakSuspected(pool, 7, "batch-import", 90_000_000_000L, "ImportJob.run(ImportJob.java:42)");
      PoolEvents.leakSuspected(pool, 8, null, 1, null);
    }, pool);

    RecordedEvent timeout = ofType(events, "dev.poolwise.Timeout").get(0);
    assertThat(timeout.getDuration("wait")).isEqualTo(Duration.ofSeconds(5));
    assertThat(timeout.getString("verdict")).isEqualTo("3 of 4 connections are held idle in transaction by [POST /pay]");
    assertThat(timeout.getStackTrace()).isNotNull();
    assertThat(timeout.getStackTrace().getFrames()).extracting(RecordedFrame::getMethod)
        .anySatisfy(method -> assertThat(method.getType().getName()).isEqualTo(PoolEventsTest.class.getName()));

    List<RecordedEvent> leaks = ofType(events, "dev.poolwise.Leak");
    assertThat(leaks).hasSize(2);
    RecordedEvent leak = leaks.get(0);
    assertThat(leak.getLong("connectionId")).isEqualTo(7);
    assertThat(leak.getString("tag")).isEqualTo("batch-import");
    assertThat(leak.getDuration("held")).isEqualTo(Duration.ofSeconds(90));
    assertThat(leak.getString("site")).isEqualTo("ImportJob.run(ImportJob.java:42)");
    assertThat(leak.getStackTrace()).as("reported by the housekeeper: the site field says where").isNull();
    assertThat(leaks.get(1).getString("tag")).isNull();
    assertThat(leaks.get(1).getString("site")).isNull();
  }

  @Test
  void eventTypesCarryTheirNamesLabelsAndCategory() {
    for (Class<? extends jdk.jfr.Event> eventClass : List.of(PoolEvents.AcquireEvent.class,
        PoolEvents.ReleaseEvent.class, PoolEvents.TimeoutEvent.class, PoolEvents.LeakEvent.class)) {
      EventType type = EventType.getEventType(eventClass);
      assertThat(EVENT_NAMES).contains(type.getName());
      assertThat(type.getLabel()).startsWith("Poolwise ");
      assertThat(type.getCategoryNames()).containsExactly("Poolwise");
      assertThat(type.getDescription()).isNotBlank();
    }
    assertThat(EventType.getEventType(PoolEvents.AcquireEvent.class).getField("wait").getContentType())
        .isEqualTo("jdk.jfr.Timespan");
  }

  @Test
  void eventsNotEnabledInTheRecordingAreNotWritten() throws IOException {
    String pool = "events-partly-enabled";
    List<RecordedEvent> events = record(List.of("dev.poolwise.Timeout"), () -> {
      PoolEvents.acquired(pool, 1, "t", 1);
      PoolEvents.released(pool, 1, "t", 1);
      PoolEvents.leakSuspected(pool, 1, "t", 1, "site");
      PoolEvents.timedOut(pool, 1, "verdict");
    }, pool);

    assertThat(events).extracting(event -> event.getEventType().getName()).containsExactly("dev.poolwise.Timeout");
  }

  @Test
  void withoutARecordingTheMethodsDoNothing() {
    // The premise: no JFR recording runs. The tests' own recordings close in try-with-resources; only a JVM started
    // with -XX:StartFlightRecording keeps one, and then this test is skipped, except in CI, which never starts one
    // (POOLWISE_REQUIRE_TEST_PREREQUISITES=true: a skip there would hide a check, so it fails instead).
    boolean noRecording = (FlightRecorder.isInitialized() ? FlightRecorder.getFlightRecorder().getRecordings()
        : List.<Recording>of()).stream().noneMatch(recording -> recording.getState() == RecordingState.RUNNING);
    if ("true".equals(System.getenv("POOLWISE_REQUIRE_TEST_PREREQUISITES"))) {
      assertThat(noRecording).as("no JFR recording running in this JVM (POOLWISE_REQUIRE_TEST_PREREQUISITES=true)")
          .isTrue();
    }
    assumeThat(noRecording).as("no JFR recording running in this JVM").isTrue();
    assertThatCode(() -> {
      for (int i = 0; i < 10_000; i++) {
        PoolEvents.acquired("no-recording", i, "tag", i);
        PoolEvents.released("no-recording", i, null, i);
        PoolEvents.timedOut("no-recording", i, null);
        PoolEvents.leakSuspected("no-recording", i, null, i, null);
      }
    }).doesNotThrowAnyException();
  }

  /** Runs {@code action} inside a recording of {@code enabled}; returns the events of {@code pool}, in order. */
  private List<RecordedEvent> record(List<String> enabled, Runnable action, String pool) throws IOException {
    Path file = dir.resolve("events.jfr");
    try (Recording recording = new Recording()) {
      // Events default to enabled (no @Enabled(false)), so the ones not wanted are switched off explicitly.
      for (String name : EVENT_NAMES) {
        if (enabled.contains(name)) {
          recording.enable(name).withoutThreshold();
        } else {
          recording.disable(name);
        }
      }
      recording.start();
      action.run();
      recording.stop();
      recording.dump(file);
    }
    assertThat(Files.size(file)).isPositive();
    return RecordingFile.readAllEvents(file).stream()
        .filter(event -> event.getEventType().getName().startsWith("dev.poolwise."))
        .filter(event -> pool.equals(event.getString("pool")))
        .sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime()))
        .collect(Collectors.toList());
  }

  private static List<RecordedEvent> ofType(List<RecordedEvent> events, String name) {
    return events.stream().filter(event -> event.getEventType().getName().equals(name)).collect(Collectors.toList());
  }
}
