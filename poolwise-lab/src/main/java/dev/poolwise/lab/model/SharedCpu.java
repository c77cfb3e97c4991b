package dev.poolwise.lab.model;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The database server's processors as the model sees them: {@code cores} effective cores shared equally by every
 * running job (processor sharing). A job of {@code demand} ms finishes in {@code demand} ms when at most
 * {@code cores} jobs run, and stretches by {@code running / cores} while more do: a query that takes 2 ms alone
 * takes 8 ms among 8 on 2 cores. This is the "holds stretch under concurrency" part of the model.
 */
final class SharedCpu {

  /*
   * Concurrency: none (runs inside an EventLoop). Algorithm: under processor sharing every running job gets the
   * same rate r(n) = min(1, cores / n) of work per ms, so a single "virtual work" clock V that advances at r(n)
   * orders every completion: a job started at V0 with demand d finishes when V reaches V0 + d. Jobs sit in a heap
   * by that finishing mark; each start or finish advances V, then reschedules the one next-completion event
   * (older ones are cancelled). O(log n) per job instead of touching every running job on every change.
   * Failure modes: none; an infinite number of cores is allowed (every job runs at rate 1: pure delay).
   */

  private record Job(double finishMark, long sequence, Runnable done) {}

  private final EventLoop loop;
  private final double cores;
  private final PriorityQueue<Job> running = new PriorityQueue<>((a, b) -> {
    int byMark = Double.compare(a.finishMark, b.finishMark);
    return byMark != 0 ? byMark : Long.compare(a.sequence, b.sequence);
  });
  private long started;
  private double virtualWork;
  private double updatedAt;
  private EventLoop.Event nextCompletion;
  private int peakRunning;

  SharedCpu(EventLoop loop, double cores) {
    if (!(cores > 0)) {
      throw new IllegalArgumentException("effective cores must be > 0, got " + cores);
    }
    this.loop = loop;
    this.cores = cores;
  }

  /** Starts a job of {@code demandMs} of work; {@code done} runs when it has had that much. */
  void run(double demandMs, Runnable done) {
    advance();
    running.add(new Job(virtualWork + Math.max(0, demandMs), started++, done));
    peakRunning = Math.max(peakRunning, running.size());
    reschedule();
  }

  /** Jobs running now. */
  int running() {
    return running.size();
  }

  int peakRunning() {
    return peakRunning;
  }

  private double rate() {
    return running.isEmpty() ? 1 : Math.min(1, cores / running.size());
  }

  private void advance() {
    virtualWork += (loop.now() - updatedAt) * rate();
    updatedAt = loop.now();
  }

  private void reschedule() {
    if (nextCompletion != null) {
      nextCompletion.cancel();
      nextCompletion = null;
    }
    if (running.isEmpty()) {
      return;
    }
    double delay = Math.max(0, (running.peek().finishMark - virtualWork) / rate());
    nextCompletion = loop.after(delay, this::complete);
  }

  private void complete() {
    nextCompletion = null;
    advance();
    // Jobs whose marks are within rounding of the clock finish together.
    double tolerance = 1e-9 * Math.max(1, Math.abs(virtualWork));
    List<Runnable> finished = new ArrayList<>();
    while (!running.isEmpty() && running.peek().finishMark <= virtualWork + tolerance) {
      finished.add(running.poll().done);
    }
    reschedule();
    finished.forEach(Runnable::run);
  }
}
