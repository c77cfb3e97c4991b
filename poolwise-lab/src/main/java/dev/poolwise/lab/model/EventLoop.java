package dev.poolwise.lab.model;

import java.util.PriorityQueue;

/**
 * The simulator's clock and agenda: actions scheduled at simulated times (milliseconds), run in time order, ties
 * in the order they were scheduled, so a simulation is a pure function of its inputs and its seed.
 */
final class EventLoop {

  /*
   * Concurrency: none. A simulation runs on one thread; everything "parallel" in the modelled system is a set of
   * events interleaved on this agenda. Failure modes: an action that throws ends the simulation with that
   * exception (a model bug, not an outcome to report).
   */

  /** One scheduled action; {@link #cancel} keeps it from running (a timeout whose borrower was served). */
  static final class Event implements Comparable<Event> {
    private final double time;
    private final long sequence;
    private final Runnable action;
    private boolean cancelled;

    private Event(double time, long sequence, Runnable action) {
      this.time = time;
      this.sequence = sequence;
      this.action = action;
    }

    void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Event other) {
      int byTime = Double.compare(time, other.time);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }

  private final PriorityQueue<Event> agenda = new PriorityQueue<>();
  private long scheduled;
  private double now;

  /** The current simulated time, ms. */
  double now() {
    return now;
  }

  /** Runs {@code action} {@code delayMs} from now (0: after everything already due now). */
  Event after(double delayMs, Runnable action) {
    if (!(delayMs >= 0)) {
      throw new IllegalArgumentException("a delay must be >= 0 ms, got " + delayMs);
    }
    Event event = new Event(now + delayMs, scheduled++, action);
    agenda.add(event);
    return event;
  }

  /** Runs actions in time order until none is left or the next is later than {@code endMs}. */
  void runUntil(double endMs) {
    while (!agenda.isEmpty() && agenda.peek().time <= endMs) {
      Event event = agenda.poll();
      if (!event.cancelled) {
        now = event.time;
        event.action.run();
      }
    }
  }
}
