package dev.poolwise.lab;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line while a lab run works: which topology, n of total, the phase, seconds left in it and in the
 * whole run, rewritten in place with a carriage return every half second. Notes and per-topology summaries go
 * on their own lines. Writes to stderr so that stdout carries only the table.
 */
final class Progress implements AutoCloseable {

  /*
   * Concurrency: the engine's thread sets the state; a virtual thread redraws the line. Each update replaces
   * the whole state under this object's lock, and the redraw reads it under the same lock.
   */

  private static final long REDRAW_MILLIS = 500;

  private final PrintStream out;
  private int total;
  private int index;
  private String topology = "";
  private long secondsPerTopology;
  private long windowStart = Long.MAX_VALUE;
  private long windowEnd = Long.MAX_VALUE;
  private int lineLength;
  private Thread redraw;
  private volatile boolean closed;

  /** Whether the line is redrawn in place; on a pipe or in a log only notes and summaries are written. */
  private final boolean redrawInPlace;

  Progress(PrintStream out) {
    this.out = out;
    this.redrawInPlace = out != null && isTerminal();
  }

  /**
   * {@code System.console()} is null without a terminal up to JDK 21; from JDK 22 it exists anyway and
   * {@code Console.isTerminal()} (called reflectively: the lab compiles for 21) says whether it is one.
   */
  private static boolean isTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true;
    }
  }

  synchronized void plan(int topologies, long secondsEach) {
    total = topologies;
    secondsPerTopology = secondsEach;
    if (redrawInPlace && redraw == null) {
      redraw = Thread.ofVirtual().name("poolwise-lab-progress").start(this::loop);
    }
  }

  synchronized void topology(int number, String text) {
    index = number;
    topology = text;
    windowStart = Long.MAX_VALUE;
    windowEnd = Long.MAX_VALUE;
    if (out != null && !redrawInPlace) {
      long left = (long) (total - number + 1) * secondsPerTopology;
      out.printf(Locale.ROOT, "[%d/%d] %s: running, about %d:%02d left in all%n", number, total, text, left / 60, left % 60);
    }
  }

  synchronized void phases(long measureFrom, long measureTo) {
    windowStart = measureFrom;
    windowEnd = measureTo;
    draw();
  }

  synchronized void note(String text) {
    if (out != null) {
      clear();
      out.println("  " + text);
      draw();
    }
  }

  synchronized void finished(LabResults.TopologyResult row) {
    if (out == null) {
      return;
    }
    clear();
    if (row.skipped() != null) {
      out.printf(Locale.ROOT, "[%d/%d] %s skipped: %s%n", index, total, row.topology(), row.skipped());
    } else {
      out.printf(Locale.ROOT, "[%d/%d] %s done: %d pages, %.1f pages/s, p99 %.0f ms, %d of %d requests failed,"
          + " peak %d server connections%s%n", index, total, row.topology(), row.pages(), row.pagesPerS(),
          row.pageLatencyMs().p99(), row.failures().total(), row.requests(), row.serverConnections().peak(),
          row.background() == null ? "" : String.format(Locale.ROOT, "; background p99 %.0f ms, %d of %d failed",
              row.background().latencyMs().p99(), row.background().failures().total(), row.background().requests()));
    }
    windowStart = Long.MAX_VALUE;
    windowEnd = Long.MAX_VALUE;
  }

  private void loop() {
    while (!closed) {
      try {
        Thread.sleep(REDRAW_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      synchronized (this) {
        if (!closed) {
          draw();
        }
      }
    }
  }

  private void draw() {
    if (!redrawInPlace || index == 0 || windowEnd == Long.MAX_VALUE) {
      return;
    }
    long now = System.nanoTime();
    String phase;
    long secondsLeftHere = Math.max(0, (windowEnd - now + 999_999_999L) / 1_000_000_000L);
    if (now < windowStart) {
      phase = "warming up";
    } else if (now < windowEnd) {
      phase = "measuring";
    } else {
      phase = "finishing pages";
    }
    long secondsLeftInAll = secondsLeftHere + (long) (total - index) * secondsPerTopology;
    String line = String.format(Locale.ROOT, "[%d/%d] %-22s %-15s %3d s left here, about %d:%02d left in all",
        index, total, topology, phase, secondsLeftHere, secondsLeftInAll / 60, secondsLeftInAll % 60);
    clear();
    out.print(line);
    out.flush();
    lineLength = line.length();
  }

  private void clear() {
    if (lineLength > 0) {
      out.print("\r" + " ".repeat(lineLength) + "\r");
      lineLength = 0;
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (out != null) {
      clear();
      out.flush();
    }
  }
}
