package dev.poolwise.lab.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntToDoubleFunction;

/**
 * The database server's processors as the model sees them: effective cores shared equally by every running job
 * (processor sharing). A job of {@code demand} ms finishes in {@code demand} ms when at most that many cores' worth of
 * jobs run, and stretches by {@code running / cores} while more do: a query that takes 2 ms alone takes 8 ms among 8
 * on 2 cores. The cores may depend on how many jobs run ({@link ServerModel#coresFor}): a server that loses speed to
 * its own concurrency gives 8 jobs fewer cores than 4. This is the "holds stretch under concurrency" part of the
 * model.
 *
 * <p>Jobs may have weights (discriminatory processor sharing): a job of weight w gets w shares of the cores where a
 * job of weight 1 gets one. The calibration measures them per query kind: on a real server a long query that keeps
 * its backend busy gets more of the cores than its share per running query, while short ones lose time waiting to
 * be scheduled again after each round trip.
 *
 * <p>The client's share of a query (the driver reading its rows on one of the lab's carrier threads) runs on the same
 * cores as a job of its own, but on at most {@code clientThreads} threads at once: the others wait for a carrier in
 * FIFO order ({@link #runOnClient}). On a shared machine this is what makes holds long when many queries run: the
 * kernel shares the cores per runnable thread, so two carriers get two shares among twenty busy backends, and every
 * finished query waits its turn to be read.
 */
final class SharedCpu {

  /*
   * Concurrency: none (runs inside an EventLoop). Algorithm: under processor sharing every running job gets the
   * rate w * R of work per ms, R = min(cores(n) / (sum of the running jobs' weights), 1 / (their largest weight)),
   * so a single "virtual work" clock V that advances at R orders every completion: a job of weight w started at V0
   * with demand d finishes when V reaches V0 + d / w (all weights 1: r(n) = min(1, cores(n) / n)). Jobs sit in a heap
   * by that finishing mark; each start or finish advances V, then reschedules the one next-completion event
   * (older ones are cancelled). O(log n) per job instead of touching every running job on every change.
   * Stage jobs (the client's, PgBouncer's) beyond the stage's threads wait in its FIFO queue outside the heap (they
   * get no share until a thread frees up); a finishing stage job starts the next one at the same instant.
   * Failure modes: none; an infinite number of cores is allowed (every job runs at rate 1: pure delay).
   */

  private record Job(double finishMark, long sequence, Stage stage, double weight, Runnable done) {}

  /** A job waiting for one of its stage's threads. */
  private record Waiting(double demandMs, Runnable done) {}

  /**
   * Work that runs on a fixed number of threads sharing the cores with everything else: the client's carrier
   * threads, or PgBouncer's one thread. Jobs beyond its threads wait in FIFO order.
   */
  final class Stage {
    private final int threads;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int running;

    private Stage(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("a stage needs at least one thread, got " + threads);
      }
      this.threads = threads;
    }

    /** Runs a job of {@code demandMs} on one of this stage's threads, at once or after the jobs before it. */
    void run(double demandMs, Runnable done) {
      advance();
      if (running < threads) {
        running++;
        start(demandMs, this, 1, done);
      } else {
        waiting.add(new Waiting(demandMs, done));
      }
      reschedule();
    }

    /** One of its jobs finished: the next waiting one takes the thread. */
    private void finished() {
      Waiting next = waiting.poll();
      if (next == null) {
        running--;
      } else {
        start(next.demandMs, this, 1, next.done);
      }
    }
  }

  private double totalWeight;

  private final EventLoop loop;
  private final IntToDoubleFunction coresFor;
  private final Stage client;
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
    this(loop, running -> cores);
    if (!(cores > 0)) {
      throw new IllegalArgumentException("effective cores must be > 0, got " + cores);
    }
  }

  /** Cores that depend on the jobs running: {@code coresFor.applyAsDouble(n)} for n jobs, n >= 1. */
  SharedCpu(EventLoop loop, IntToDoubleFunction coresFor) {
    this(loop, coresFor, Integer.MAX_VALUE);
  }

  /**
   * @param clientThreads how many client jobs may run at once ({@link #runOnClient}); at least 1
   */
  SharedCpu(EventLoop loop, IntToDoubleFunction coresFor, int clientThreads) {
    this.loop = loop;
    this.coresFor = coresFor;
    this.client = new Stage(clientThreads);
  }

  /** Starts a job of {@code demandMs} of work; {@code done} runs when it has had that much. */
  void run(double demandMs, Runnable done) {
    run(demandMs, 1, done);
  }

  /** Starts a job of {@code demandMs} of work with {@code weight} shares of the cores (> 0). */
  void run(double demandMs, double weight, Runnable done) {
    if (!(weight > 0)) {
      throw new IllegalArgumentException("a job's weight must be > 0, got " + weight);
    }
    advance();
    start(demandMs, null, weight, done);
    reschedule();
  }

  /**
   * Runs a job on one of the client's threads: at once when one is free, else after the client jobs before it
   * (FIFO). It shares the cores like any job while it runs.
   */
  void runOnClient(double demandMs, Runnable done) {
    client.run(demandMs, done);
  }

  /** A stage of {@code threads} threads of its own on these cores (e.g. PgBouncer's single thread). */
  Stage stage(int threads) {
    return new Stage(threads);
  }

  private void start(double demandMs, Stage stage, double weight, Runnable done) {
    running.add(new Job(virtualWork + Math.max(0, demandMs) / weight, started++, stage, weight, done));
    totalWeight += weight;
    peakRunning = Math.max(peakRunning, running.size());
  }

  /** Jobs running now. */
  int running() {
    return running.size();
  }

  int peakRunning() {
    return peakRunning;
  }

  /** R: the work per ms a job of weight 1 gets now. */
  private double rate() {
    if (running.isEmpty()) {
      return 1;
    }
    double largest = 0;
    for (Job job : running) {
      largest = Math.max(largest, job.weight);
    }
    return Math.min(1 / largest, coresFor.applyAsDouble(running.size()) / totalWeight);
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
      Job job = running.poll();
      totalWeight = running.isEmpty() ? 0 : totalWeight - job.weight;
      finished.add(job.done);
      if (job.stage != null) {
        job.stage.finished();
      }
    }
    reschedule();
    finished.forEach(Runnable::run);
  }
}
