package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.poolwise.Poolwise;
import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.lab.JfrBorrowTrace.PoolEvent;
import dev.poolwise.lab.model.ObservedBorrow;
import dev.poolwise.testkit.StubDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading Poolwise's JFR events back as borrows: the pairing on constructed events, a recording made here (a pool on
 * the stub driver, borrowed from several threads with tags, one of them nested) read back with every borrow, and
 * {@code advise --jfr} on it.
 */
class JfrBorrowTraceTest {

  private static final long MS = 1_000_000;

  @TempDir
  Path dir;

  /* --- Pairing --- */

  @Test
  void pairsEachAcquireWithTheNextReleaseOfTheSameConnection() {
    List<PoolEvent> events = List.of(
        // connection 1: borrowed at 10 ms after waiting 2, returned at 15 (held 5), lent again at the same instant
        acquire("orders", 1, "GET /a", 7, 10 * MS, 2 * MS),
        release("orders", 1, 15 * MS, 5 * MS),
        acquire("orders", 1, "GET /b", 8, 15 * MS, 0),
        release("orders", 1, 18 * MS, 3 * MS),
        // connection 2 of another pool: returned before any acquire (borrowed before the recording) …
        release("billing", 2, 11 * MS, 9 * MS),
        // … then borrowed and never returned
        acquire("billing", 2, null, 9, 20 * MS, 1 * MS),
        new PoolEvent(JfrBorrowTrace.TIMEOUT, 21 * MS, "orders", -1, null, 10, 2_000 * MS));

    JfrBorrowTrace.Trace trace = JfrBorrowTrace.pair(events);

    // The origin is the earliest request: 10 − 2 = 8 ms.
    assertThat(trace.borrows()).containsExactly(
        new ObservedBorrow(0, 2 * MS, 5 * MS, "orders", "GET /a", 7),
        new ObservedBorrow(7 * MS, 0, 3 * MS, "orders", "GET /b", 8));
    assertThat(trace.borrowedBeforeStart()).isEqualTo(1);
    assertThat(trace.heldAtEnd()).isEqualTo(1);
    assertThat(trace.timeouts()).containsEntry("orders", 1L);
    assertThat(trace.spanNanos()).isEqualTo(13 * MS);
  }

  @Test
  void trafficCountsPeaksNestingAndTags() {
    List<PoolEvent> events = new ArrayList<>();
    // Thread 1 holds connection 1 from 0 to 10 ms and, nested, connection 2 from 2 to 4 ms; thread 2 holds 3 from 3
    // to 5 ms. Peak: 3 borrowed, 2 threads, 2 held by one thread.
    events.add(acquire("p", 1, "outer", 1, 0, 0));
    events.add(acquire("p", 2, "inner", 1, 2 * MS, 0));
    events.add(acquire("p", 3, "inner", 2, 3 * MS, 0));
    events.add(release("p", 2, 4 * MS, 2 * MS));
    events.add(release("p", 3, 5 * MS, 2 * MS));
    events.add(release("p", 1, 10 * MS, 10 * MS));

    JfrBorrowTrace.PoolTraffic traffic = JfrBorrowTrace.traffic(JfrBorrowTrace.pair(events)).get(0);

    assertThat(traffic.borrows()).isEqualTo(3);
    assertThat(traffic.borrowsPerSecond()).isCloseTo(300, within(1e-6)); // 3 borrows in 10 ms
    assertThat(traffic.peakBorrowed()).isEqualTo(3);
    assertThat(traffic.peakThreadsBorrowing()).isEqualTo(2);
    assertThat(traffic.mostHeldByOneThread()).isEqualTo(2);
    assertThat(traffic.threads()).isEqualTo(2);
    assertThat(traffic.holdP50Ms()).isEqualTo(2);
    assertThat(traffic.meanHoldMs()).isCloseTo(14 / 3.0, within(1e-9));
    assertThat(traffic.busiestTags()).containsExactly(java.util.Map.entry("inner", 2 / 3.0),
        java.util.Map.entry("outer", 1 / 3.0));
  }

  /* --- A real recording --- */

  @Test
  void aRecordingOfAPoolOnTheStubReadsBackWithEveryBorrowPaired() throws Exception {
    StubDatabase database = StubDatabase.create().executeDelay(Duration.ofMillis(1));
    Path file = dir.resolve("stub.jfr");
    int threads = 4;
    int borrowsPerThread = 25;
    Set<Long> threadIds = ConcurrentHashMap.newKeySet();
    Recording recording = JfrBorrowTrace.record();
    try (PoolwiseDataSource pool = PoolwiseDataSource.builder().url(database.url()).poolName("jfr-stub").maxSize(3)
        .acquireTimeout(Duration.ofSeconds(30)).build()) {
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String tag = "GET /route-" + t;
        workers.add(Thread.ofPlatform().start(() -> {
          threadIds.add(Thread.currentThread().threadId());
          try (Poolwise.Scope ignored = Poolwise.tag(tag)) {
            for (int i = 0; i < borrowsPerThread; i++) {
              try (Connection connection = pool.getConnection()) {
                connection.createStatement().execute("select 1");
              }
            }
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }));
      }
      for (Thread worker : workers) {
        worker.join();
      }
      // One nested borrow: this thread holds two at once.
      try (Poolwise.Scope ignored = Poolwise.tag("nested");
          Connection outer = pool.getConnection();
          Connection inner = pool.getConnection()) {
        inner.createStatement().execute("select 1");
      }
    } finally {
      JfrBorrowTrace.stop(recording, file);
      database.forget();
    }

    JfrBorrowTrace.Trace trace = JfrBorrowTrace.read(file);
    List<ObservedBorrow> borrows = trace.borrows().stream().filter(b -> b.pool().equals("jfr-stub")).toList();

    assertThat(borrows).hasSize(threads * borrowsPerThread + 2);
    assertThat(trace.heldAtEnd()).isZero();
    assertThat(trace.borrowedBeforeStart()).isZero();
    assertThat(borrows).allSatisfy(b -> {
      assertThat(b.holdNanos()).isPositive();
      assertThat(b.waitNanos()).isNotNegative();
      assertThat(b.requestedAtNanos()).isNotNegative();
    });
    for (int t = 0; t < threads; t++) {
      String tag = "GET /route-" + t;
      assertThat(borrows.stream().filter(b -> tag.equals(b.tag()))).hasSize(borrowsPerThread)
          .extracting(ObservedBorrow::threadId).containsOnly(borrows.stream().filter(b -> tag.equals(b.tag()))
              .findFirst().orElseThrow().threadId());
    }
    assertThat(borrows.stream().map(ObservedBorrow::threadId).filter(threadIds::contains).distinct()).hasSize(threads);
    JfrBorrowTrace.PoolTraffic traffic = JfrBorrowTrace.traffic(trace).stream()
        .filter(p -> p.pool().equals("jfr-stub")).findFirst().orElseThrow();
    assertThat(traffic.mostHeldByOneThread()).as("the nested borrow").isEqualTo(2);
    assertThat(traffic.peakBorrowed()).isBetween(2, 3);

    AdviseCommandTest.Run advice = AdviseCommandTest.advise("--jfr", file.toString(), "--max-connections", "100");
    assertThat(advice.exitCode()).as(advice.err()).isZero();
    assertThat(advice.out()).contains("Recording " + file).contains("jfr-stub").contains("=== Pool 'jfr-stub' ===")
        .contains("busiest tags: ").contains("Recommended pool size: ")
        .contains("borrows in the recording").contains("Nested acquisition");
    // the model replays the recording at other sizes: the recorded peak and multiples of it
    assertThat(advice.out()).contains("Replay of this pool's").contains("set with --server-cores")
        .contains("p99 wait").contains("connections opened");
    AdviseCommandTest.Run twoCores = AdviseCommandTest.advise("--jfr", file.toString(), "--server-cores", "2");
    assertThat(twoCores.out()).contains("server of 2 cores;").doesNotContain("set with --server-cores");
    // --sizes replays exactly the sizes asked for (the JFR round trip of docs/model.md: record at 20, predict 8, 12
    // and 50)
    AdviseCommandTest.Run asked = AdviseCommandTest.advise("--jfr", file.toString(), "--sizes", "1,7,50");
    assertThat(asked.exitCode()).as(asked.err()).isZero();
    String replay = asked.out().substring(asked.out().indexOf("Replay of this pool's"));
    java.util.regex.Matcher rows = java.util.regex.Pattern.compile("(?m)^\\s+(\\d+)\\s+[\\d.,]+ ms").matcher(replay);
    List<String> sizes = new java.util.ArrayList<>();
    while (rows.find()) {
      sizes.add(rows.group(1));
    }
    assertThat(sizes).as(replay).containsExactly("1", "7", "50");
  }

  @Test
  void aRecordingWithoutPoolwiseBorrowsIsAnInputError() throws Exception {
    Path file = dir.resolve("empty.jfr");
    Recording recording = JfrBorrowTrace.record();
    JfrBorrowTrace.stop(recording, file);

    AdviseCommandTest.Run advice = AdviseCommandTest.advise("--jfr", file.toString());

    assertThat(advice.exitCode()).isEqualTo(2);
    assertThat(advice.err()).contains("holds no Poolwise borrows");
    assertThat(AdviseCommandTest.advise("--jfr", dir.resolve("missing.jfr").toString()).err())
        .contains("could not read the JFR recording");
    assertThat(Files.exists(file)).isTrue();
  }

  private static PoolEvent acquire(String pool, long connection, String tag, long thread, long at, long wait) {
    return new PoolEvent(JfrBorrowTrace.ACQUIRE, at, pool, connection, tag, thread, wait);
  }

  private static PoolEvent release(String pool, long connection, long at, long hold) {
    return new PoolEvent(JfrBorrowTrace.RELEASE, at, pool, connection, null, 0, hold);
  }
}
