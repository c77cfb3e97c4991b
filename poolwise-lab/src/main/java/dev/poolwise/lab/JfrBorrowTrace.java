package dev.poolwise.lab;

import dev.poolwise.lab.model.ObservedBorrow;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Poolwise's own JFR events ({@code dev.poolwise.Acquire}, {@code Release}, {@code Timeout}, {@code Leak}; see
 * docs/observability.md) read back from a recording as borrows: each Acquire paired with the Release of the same
 * connection of the same pool, giving when the borrower asked (the Acquire's time minus its wait), how long it
 * waited and held, its tag and its thread. {@link #traffic} sums them up per pool for {@code advise --jfr}.
 *
 * <p>Pairing: a connection is lent to one borrower at a time, and the pool commits the Release event before the
 * connection can be handed out again, so in time order a connection's events alternate Acquire, Release. A
 * Release with no Acquire before it was borrowed before the recording started; an Acquire with no Release was
 * still held when it ended: both are counted and left out. The hold is the pool's own measurement (the Release's
 * {@code hold} field), not the difference of two timestamps.
 *
 * <p>{@link #record} makes such a recording of the lab's own run ({@code ./poolwise run … --jfr FILE}).
 */
final class JfrBorrowTrace {

  static final String ACQUIRE = "dev.poolwise.Acquire";
  static final String RELEASE = "dev.poolwise.Release";
  static final String TIMEOUT = "dev.poolwise.Timeout";
  static final String LEAK = "dev.poolwise.Leak";
  static final List<String> EVENTS = List.of(ACQUIRE, RELEASE, TIMEOUT, LEAK);

  /** Tags listed per pool by {@link #traffic}. */
  static final int BUSIEST_TAGS = 3;

  private JfrBorrowTrace() {}

  /**
   * What a recording held.
   *
   * @param borrows every paired borrow, in the order they were asked for
   * @param timeouts Timeout events per pool
   * @param leaks Leak events per pool
   * @param heldAtEnd Acquires without a Release: still borrowed when the recording ended
   * @param borrowedBeforeStart Releases without an Acquire: borrowed before the recording started
   * @param spanNanos from the first Poolwise event (or request) to the last
   */
  record Trace(List<ObservedBorrow> borrows, Map<String, Long> timeouts, Map<String, Long> leaks, long heldAtEnd,
      long borrowedBeforeStart, long spanNanos) {

    double spanSeconds() {
      return spanNanos / 1e9;
    }
  }

  /** One Poolwise event, as much of it as the pairing needs. {@code nanos}: wait, hold or held. */
  record PoolEvent(String type, long atNanos, String pool, long connectionId, String tag, long threadId, long nanos) {}

  /* --- Reading --- */

  /** Reads {@code recording}'s Poolwise events and pairs them. */
  static Trace read(Path recording) throws IOException {
    List<PoolEvent> events = new ArrayList<>();
    Set<String> wanted = Set.copyOf(EVENTS);
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        String type = event.getEventType().getName();
        if (!wanted.contains(type)) {
          continue;
        }
        boolean borrow = type.equals(ACQUIRE) || type.equals(RELEASE);
        if (borrow && !event.hasField("connectionId")) {
          throw new IllegalArgumentException(recording + " was made by a Poolwise whose " + type + " events carry no"
              + " connectionId, so borrows cannot be paired with their returns; record again with this version");
        }
        RecordedThread thread = event.getThread();
        long threadId = thread == null ? -1 : thread.getJavaThreadId();
        long nanos = switch (type) {
          case ACQUIRE, TIMEOUT -> event.getDuration("wait").toNanos();
          case RELEASE -> event.getDuration("hold").toNanos();
          default -> event.getDuration("held").toNanos();
        };
        events.add(new PoolEvent(type, epochNanos(event.getStartTime()), event.getString("pool"),
            event.hasField("connectionId") ? event.getLong("connectionId") : -1,
            event.hasField("tag") ? event.getString("tag") : null, threadId, nanos));
      }
    }
    return pair(events);
  }

  /** Pairs each Acquire with the next Release of the same pool and connection (see the class comment). */
  static Trace pair(List<PoolEvent> events) {
    List<PoolEvent> sorted = new ArrayList<>(events);
    // At one instant a Release goes before an Acquire: the pool commits the Release before it lends again.
    sorted.sort(Comparator.comparingLong(PoolEvent::atNanos).thenComparing(e -> !e.type().equals(RELEASE)));
    Map<String, Long> timeouts = new TreeMap<>();
    Map<String, Long> leaks = new TreeMap<>();
    Map<String, PoolEvent> pending = new HashMap<>();
    List<PoolEvent[]> pairs = new ArrayList<>();
    long heldAtEnd = 0;
    long borrowedBeforeStart = 0;
    long origin = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (PoolEvent event : sorted) {
      origin = Math.min(origin, event.type().equals(ACQUIRE) ? event.atNanos() - event.nanos() : event.atNanos());
      last = Math.max(last, event.atNanos());
      String connection = event.pool() + "#" + event.connectionId();
      switch (event.type()) {
        case ACQUIRE -> {
          if (pending.put(connection, event) != null) {
            heldAtEnd++; // its Release is missing (not recorded): count it as never returned
          }
        }
        case RELEASE -> {
          PoolEvent acquire = pending.remove(connection);
          if (acquire == null) {
            borrowedBeforeStart++;
          } else {
            pairs.add(new PoolEvent[] {acquire, event});
          }
        }
        case TIMEOUT -> timeouts.merge(event.pool(), 1L, Long::sum);
        default -> leaks.merge(event.pool(), 1L, Long::sum);
      }
    }
    heldAtEnd += pending.size();
    // When the borrow began is taken from its Release (its time minus the pool's hold, minus the wait): the pool
    // measures wait and hold from the hand-out, which for a waiter happens on the returning thread, before the
    // waiter wakes and commits its Acquire event.
    for (PoolEvent[] pair : pairs) {
      origin = Math.min(origin, pair[1].atNanos() - pair[1].nanos() - pair[0].nanos());
    }
    long start = origin;
    List<ObservedBorrow> borrows = pairs.stream()
        .map(p -> new ObservedBorrow(p[1].atNanos() - p[1].nanos() - p[0].nanos() - start, p[0].nanos(),
            p[1].nanos(), p[0].pool(), p[0].tag(), p[0].threadId()))
        .sorted(Comparator.comparingLong(ObservedBorrow::requestedAtNanos))
        .toList();
    return new Trace(borrows, timeouts, leaks, heldAtEnd, borrowedBeforeStart,
        sorted.isEmpty() ? 0 : Math.max(0, last - origin));
  }

  private static long epochNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  /* --- Recording the lab's own run --- */

  /** Starts a recording of Poolwise's events in this JVM; {@link #stop} writes it. */
  static Recording record() {
    Recording recording = new Recording();
    recording.setName("poolwise-lab");
    for (String event : EVENTS) {
      recording.enable(event);
    }
    recording.start();
    return recording;
  }

  /** Stops {@code recording} and writes it to {@code file}. */
  static void stop(Recording recording, Path file) throws IOException {
    try (recording) {
      recording.stop();
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        java.nio.file.Files.createDirectories(parent);
      }
      recording.dump(file);
    }
  }

  /* --- Per pool --- */

  /**
   * What one pool's borrows looked like in the trace.
   *
   * @param borrowsPerSecond borrows over the whole recording's span
   * @param busiestTags the most frequent tags with their share of the borrows, most first ({@code (untagged)} for
   *     borrows without one)
   * @param threads distinct borrowing threads
   * @param peakBorrowed most connections borrowed at one moment
   * @param peakThreadsBorrowing most threads holding at least one connection at one moment
   * @param mostHeldByOneThread most connections one thread held at once (more than 1: nested acquisition)
   */
  record PoolTraffic(String pool, long borrows, double borrowsPerSecond, double waitP50Ms, double waitP99Ms,
      double holdP50Ms, double holdP99Ms, double meanHoldMs, Map<String, Double> busiestTags, int threads,
      int peakBorrowed, int peakThreadsBorrowing, int mostHeldByOneThread, long timeouts) {}

  /** One {@link PoolTraffic} per pool in the trace, busiest (most borrows) first. */
  static List<PoolTraffic> traffic(Trace trace) {
    Map<String, List<ObservedBorrow>> byPool = trace.borrows().stream()
        .collect(Collectors.groupingBy(ObservedBorrow::pool, TreeMap::new, Collectors.toList()));
    List<PoolTraffic> pools = new ArrayList<>();
    double seconds = Math.max(1e-9, trace.spanSeconds());
    for (Map.Entry<String, List<ObservedBorrow>> entry : byPool.entrySet()) {
      List<ObservedBorrow> borrows = entry.getValue();
      long[] waits = borrows.stream().mapToLong(ObservedBorrow::waitNanos).sorted().toArray();
      long[] holds = borrows.stream().mapToLong(ObservedBorrow::holdNanos).sorted().toArray();
      double meanHoldMs = Arrays.stream(holds).average().orElse(0) / 1e6;
      Map<String, Long> tagCounts = borrows.stream().collect(Collectors.groupingBy(
          b -> b.tag() == null ? "(untagged)" : b.tag(), Collectors.counting()));
      Map<String, Double> busiest = new LinkedHashMap<>();
      tagCounts.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .limit(BUSIEST_TAGS)
          .forEach(tag -> busiest.put(tag.getKey(), tag.getValue() / (double) borrows.size()));
      Set<Long> threads = new HashSet<>();
      borrows.forEach(b -> threads.add(b.threadId()));
      Concurrency concurrency = concurrency(borrows);
      pools.add(new PoolTraffic(entry.getKey(), borrows.size(), borrows.size() / seconds, ms(percentile(waits, 50)),
          ms(percentile(waits, 99)), ms(percentile(holds, 50)), ms(percentile(holds, 99)), meanHoldMs, busiest,
          threads.size(), concurrency.borrowed(), concurrency.threads(), concurrency.mostByOneThread(),
          trace.timeouts().getOrDefault(entry.getKey(), 0L)));
    }
    pools.sort(Comparator.comparingLong(PoolTraffic::borrows).reversed());
    return pools;
  }

  private record Concurrency(int borrowed, int threads, int mostByOneThread) {}

  /** Peaks of a sweep over the borrows' holds (from hand-out to return). */
  private static Concurrency concurrency(List<ObservedBorrow> borrows) {
    // +1 at hand-out, -1 at return; a return before a hand-out at the same instant.
    List<long[]> changes = new ArrayList<>(2 * borrows.size());
    for (ObservedBorrow b : borrows) {
      long handedOut = b.requestedAtNanos() + b.waitNanos();
      changes.add(new long[] {handedOut, +1, b.threadId()});
      changes.add(new long[] {handedOut + b.holdNanos(), -1, b.threadId()});
    }
    changes.sort(Comparator.<long[]>comparingLong(c -> c[0]).thenComparingLong(c -> c[1]));
    Map<Long, Integer> heldByThread = new HashMap<>();
    int borrowed = 0;
    int peak = 0;
    int peakThreads = 0;
    int mostByOne = 0;
    for (long[] change : changes) {
      borrowed += (int) change[1];
      int held = heldByThread.merge(change[2], (int) change[1], Integer::sum);
      if (held == 0) {
        heldByThread.remove(change[2]);
      }
      peak = Math.max(peak, borrowed);
      peakThreads = Math.max(peakThreads, heldByThread.size());
      mostByOne = Math.max(mostByOne, held);
    }
    return new Concurrency(peak, peakThreads, mostByOne);
  }

  /** Nearest rank; 0 for no values. */
  private static long percentile(long[] sorted, double percentile) {
    return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(sorted.length * percentile / 100) - 1)];
  }

  private static double ms(long nanos) {
    return Measurements.round(nanos / 1e6);
  }
}
