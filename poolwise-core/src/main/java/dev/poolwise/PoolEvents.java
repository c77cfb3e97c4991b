package dev.poolwise;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The pool's JDK Flight Recorder events: {@code dev.poolwise.Acquire}, {@code dev.poolwise.Release},
 * {@code dev.poolwise.Timeout} and {@code dev.poolwise.Leak}, all in category "Poolwise". The pool calls
 * these static methods; nothing else in the pool touches {@code jdk.jfr}. See {@code docs/observability.md}.
 */
final class PoolEvents {

  /*
   * Cost when nothing records: each method allocates its event and returns at once when
   * Event.isEnabled() is false. Until a recording enables the event, isEnabled() is JFR's uninstrumented
   * stub that returns a constant false, so once the JIT compiles the caller the allocation does not escape
   * and is removed; what is left is a field load and a branch. (Measured with ThreadMXBean's allocated
   * bytes over 20 million acquired/released calls after warm-up, no recording: 0 bytes per call on JDK 17
   * and 25.) A cached EventType.isEnabled() check would avoid the allocation in the interpreter too, but
   * is not cheaper once compiled and is not the idiom the JFR documentation shows. Either way the first
   * call loads the event class and with it about a hundred jdk.jfr classes (JDK 17, -Xlog:class+load), once.
   *
   * Duration: the events are committed without begin()/end(), so JFR stamps them as instants (start time =
   * commit time, duration 0). The pool measures waits and holds itself, on its own clock, and passes them
   * in as @Timespan fields; a second, JFR-measured duration around nothing would only mislead. The price:
   * JFR's "threshold" setting, which filters on the event duration, cannot filter these events; filter on
   * the wait/hold field when reading the recording instead. An Acquire event's start time is therefore the
   * moment the connection was handed out, not the moment the borrower began to wait (start − wait).
   *
   * Stack traces: off for Acquire and Release (they fire on every borrow and return, and a stack walk
   * would cost more than the borrow itself); on for Timeout, where the stack of the thread that gave up
   * says which code path starved, and for Leak, where it is the stack of whichever thread reports the leak
   * (the housekeeper, if that is where leaks are detected). The borrower's own site is in the Leak event's
   * site field, captured when the connection was acquired.
   *
   * Runtimes without the jdk.jfr module (a jlink image that left it out): every method is a no-op. The
   * event classes are only loaded behind the JFR_AVAILABLE check, so their missing superclass is never
   * resolved (checked with a java.base-only jlink image of JDK 17, also under -Xverify:all).
   *
   * Concurrency: the methods are called from any thread, concurrently; each uses only its own event
   * instance, and JFR's commit is thread-safe.
   */

  /** Whether this runtime has JFR at all; false in a jlink image without {@code jdk.jfr}. */
  private static final boolean JFR_AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

  private PoolEvents() {}

  /**
   * A connection was handed out.
   *
   * @param poolName the pool's name
   * @param connectionId the pool's number for the physical connection: pairs this event with its Release
   * @param tag the work label of the borrower ({@link Poolwise#tag}), or {@code null}
   * @param waitNanos how long the borrower waited, in nanoseconds (0 when an idle connection was ready)
   */
  static void acquired(String poolName, long connectionId, @Nullable String tag, long waitNanos) {
    if (JFR_AVAILABLE) {
      AcquireEvent.emit(poolName, connectionId, tag, waitNanos);
    }
  }

  /**
   * A borrowed connection was returned.
   *
   * @param poolName the pool's name
   * @param connectionId the pool's number for the physical connection, as in its Acquire event
   * @param tag the work label it was borrowed under, or {@code null}
   * @param holdNanos how long it was borrowed, in nanoseconds
   */
  static void released(String poolName, long connectionId, @Nullable String tag, long holdNanos) {
    if (JFR_AVAILABLE) {
      ReleaseEvent.emit(poolName, connectionId, tag, holdNanos);
    }
  }

  /**
   * A borrower gave up after the acquire timeout. Call it on the borrower's thread: the event's stack
   * trace is the caller's.
   *
   * @param poolName the pool's name
   * @param waitNanos how long it waited, in nanoseconds
   * @param verdict the one-sentence verdict of the timeout message ({@link Diagnosis#verdict()})
   */
  static void timedOut(String poolName, long waitNanos, String verdict) {
    if (JFR_AVAILABLE) {
      TimeoutEvent.emit(poolName, waitNanos, verdict);
    }
  }

  /**
   * A connection has been held past the leak threshold while not executing.
   *
   * @param poolName the pool's name
   * @param connectionId the pool's number for the physical connection
   * @param tag the work label it was borrowed under, or {@code null}
   * @param heldNanos how long it has been held, in nanoseconds
   * @param site where it was borrowed ({@code Class.method(File:line)}), or {@code null} when stacks were not
   *     captured
   */
  static void leakSuspected(String poolName, long connectionId, @Nullable String tag, long heldNanos,
      @Nullable String site) {
    if (JFR_AVAILABLE) {
      LeakEvent.emit(poolName, connectionId, tag, heldNanos, site);
    }
  }

  /* --- Event classes --- */

  @Name("dev.poolwise.Acquire")
  @Label("Poolwise Acquire")
  @Category("Poolwise")
  @Description("A connection was handed out by a Poolwise pool; wait is how long the borrower waited for it")
  @StackTrace(false)
  static final class AcquireEvent extends Event {

    @Label("Pool")
    @Nullable String pool;

    @Label("Connection")
    @Description("The pool's number for the physical connection; its Release event carries the same number")
    long connectionId;

    @Label("Tag")
    @Description("The borrower's work label (Poolwise.tag), or null")
    @Nullable String tag;

    @Label("Wait")
    @Description("How long the borrower waited for the connection, as measured by the pool")
    @Timespan(Timespan.NANOSECONDS)
    long wait;

    static void emit(String poolName, long connectionId, @Nullable String tag, long waitNanos) {
      AcquireEvent event = new AcquireEvent();
      if (!event.isEnabled()) {
        return;
      }
      event.pool = poolName;
      event.connectionId = connectionId;
      event.tag = tag;
      event.wait = waitNanos;
      event.commit();
    }
  }

  @Name("dev.poolwise.Release")
  @Label("Poolwise Release")
  @Category("Poolwise")
  @Description("A borrowed connection was returned to a Poolwise pool; hold is how long it was borrowed")
  @StackTrace(false)
  static final class ReleaseEvent extends Event {

    @Label("Pool")
    @Nullable String pool;

    @Label("Connection")
    @Description("The pool's number for the physical connection, as in the Acquire event of this borrow")
    long connectionId;

    @Label("Tag")
    @Description("The work label the connection was borrowed under (Poolwise.tag), or null")
    @Nullable String tag;

    @Label("Hold")
    @Description("How long the connection was borrowed, as measured by the pool")
    @Timespan(Timespan.NANOSECONDS)
    long hold;

    static void emit(String poolName, long connectionId, @Nullable String tag, long holdNanos) {
      ReleaseEvent event = new ReleaseEvent();
      if (!event.isEnabled()) {
        return;
      }
      event.pool = poolName;
      event.connectionId = connectionId;
      event.tag = tag;
      event.hold = holdNanos;
      event.commit();
    }
  }

  @Name("dev.poolwise.Timeout")
  @Label("Poolwise Timeout")
  @Category("Poolwise")
  @Description("A borrower gave up waiting for a Poolwise connection; verdict says why the pool was exhausted")
  @StackTrace(true)
  static final class TimeoutEvent extends Event {

    @Label("Pool")
    @Nullable String pool;

    @Label("Wait")
    @Description("How long the borrower waited before giving up")
    @Timespan(Timespan.NANOSECONDS)
    long wait;

    @Label("Verdict")
    @Description("The pool's one-sentence explanation, as in the PoolTimeoutException message")
    @Nullable String verdict;

    static void emit(String poolName, long waitNanos, String verdict) {
      TimeoutEvent event = new TimeoutEvent();
      if (!event.isEnabled()) {
        return;
      }
      event.pool = poolName;
      event.wait = waitNanos;
      event.verdict = verdict;
      event.commit();
    }
  }

  @Name("dev.poolwise.Leak")
  @Label("Poolwise Leak")
  @Category("Poolwise")
  @Description("A Poolwise connection has been held past the leak threshold while not executing SQL")
  @StackTrace(false) // reported by the housekeeper, whose stack says nothing; the site field says where
  static final class LeakEvent extends Event {

    @Label("Pool")
    @Nullable String pool;

    @Label("Connection")
    @Description("The pool's number for the physical connection")
    long connectionId;

    @Label("Tag")
    @Description("The work label the connection was borrowed under (Poolwise.tag), or null")
    @Nullable String tag;

    @Label("Held")
    @Description("How long the connection had been held when the leak was reported")
    @Timespan(Timespan.NANOSECONDS)
    long held;

    @Label("Acquisition Site")
    @Description("Where the connection was borrowed (Class.method(File:line)), or null when stacks are not captured")
    @Nullable String site;

    static void emit(String poolName, long connectionId, @Nullable String tag, long heldNanos, @Nullable String site) {
      LeakEvent event = new LeakEvent();
      if (!event.isEnabled()) {
        return;
      }
      event.pool = poolName;
      event.connectionId = connectionId;
      event.tag = tag;
      event.held = heldNanos;
      event.site = site;
      event.commit();
    }
  }
}
