package dev.poolwise.lab.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * {@code advise --jfr}: the same model driven by a production recording instead of the lab's scenario. Every
 * recorded borrow is replayed against a pool of the candidate size on the calibrated server: each thread borrows
 * again as long after its previous return as it did in the recording (its own work between borrows), and each hold
 * is the work it did, stretched or shrunk by how many holds share the server's cores in the replay compared with the
 * recording (processor sharing, as in {@link PageLoadSimulation}). The answer is what that size would have done to
 * this traffic: p99 acquire wait, p99 hold, and the connections it would have opened.
 *
 * <p>What a trace cannot tell: work that is not in a borrow (it is kept as recorded), borrows that a smaller pool
 * would have timed out and the application retried (the replay waits without a timeout), and queries of other
 * applications on the same server.
 */
public final class TraceModel {

  /*
   * Concurrency: none (one EventLoop per call). Failure modes: an empty trace gives an all-zero forecast; negative
   * or missing times in a recording are treated as zero.
   */

  /**
   * @param poolSize the candidate size
   * @param p99WaitMs predicted p99 acquire wait
   * @param p99HoldMs predicted p99 hold
   * @param peakConnections connections the pool would have opened (it grows on demand, up to the size)
   * @param meanWaitMs predicted mean acquire wait
   * @param borrows borrows replayed
   */
  public record Forecast(int poolSize, double p99WaitMs, double p99HoldMs, int peakConnections, double meanWaitMs,
      long borrows) {}

  private TraceModel() {}

  /** Replays {@code trace} (one pool's borrows, or several pools' merged) against one pool of {@code poolSize}. */
  public static Forecast predict(List<ObservedBorrow> trace, int poolSize, ServerModel server) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("a pool size must be at least 1, got " + poolSize);
    }
    if (trace.isEmpty()) {
      return new Forecast(poolSize, 0, 0, 0, 0, 0);
    }
    List<ObservedBorrow> borrows = new ArrayList<>(trace);
    borrows.sort(Comparator.comparingLong(ObservedBorrow::requestedAtNanos));
    double[] work = workOf(borrows, server::coresFor);
    Replay replay = new Replay(borrows, work, poolSize, server);
    return replay.run();
  }

  /**
   * The work in each hold: the recorded hold times the share of a core it had, {@code min(1, cores(n) / n)} where n
   * is the mean number of holds running during it (itself included), from the recording's own concurrency profile.
   */
  static double[] workOf(List<ObservedBorrow> borrows, IntToDoubleFunction coresFor) {
    int n = borrows.size();
    long[] starts = new long[n];
    long[] ends = new long[n];
    for (int i = 0; i < n; i++) {
      ObservedBorrow b = borrows.get(i);
      starts[i] = Math.max(0, b.requestedAtNanos()) + Math.max(0, b.waitNanos());
      ends[i] = starts[i] + Math.max(0, b.holdNanos());
    }
    // The concurrency profile as a step function: at each change point, holds running and the integral so far.
    long[] sortedStarts = starts.clone();
    long[] sortedEnds = ends.clone();
    Arrays.sort(sortedStarts);
    Arrays.sort(sortedEnds);
    long[] times = new long[2 * n];
    double[] integral = new double[2 * n];
    int[] running = new int[2 * n];
    int s = 0;
    int e = 0;
    int now = 0;
    double area = 0;
    long last = 0;
    for (int k = 0; k < 2 * n; k++) {
      long t = s < n && sortedStarts[s] <= sortedEnds[e] ? sortedStarts[s] : sortedEnds[e];
      area += (double) now * (t - last);
      if (s < n && sortedStarts[s] <= sortedEnds[e]) {
        s++;
        now++;
      } else {
        e++;
        now--;
      }
      times[k] = t;
      integral[k] = area;
      running[k] = now;
      last = t;
    }
    double[] work = new double[n];
    for (int i = 0; i < n; i++) {
      double holdMs = (ends[i] - starts[i]) / 1e6;
      double mean = ends[i] == starts[i] ? Math.max(1, runningAt(times, running, starts[i]))
          : (integralAt(times, integral, running, ends[i]) - integralAt(times, integral, running, starts[i]))
              / (ends[i] - starts[i]);
      int concurrent = (int) Math.max(1, Math.round(mean));
      work[i] = holdMs * Math.min(1, coresFor.applyAsDouble(concurrent) / Math.max(1, mean));
    }
    return work;
  }

  /** The profile's integral (hold-nanoseconds) from the first event to {@code t}. */
  private static double integralAt(long[] times, double[] integral, int[] running, long t) {
    int k = lastAtOrBefore(times, t);
    return k < 0 ? 0 : integral[k] + (double) running[k] * (t - times[k]);
  }

  private static int runningAt(long[] times, int[] running, long t) {
    int k = lastAtOrBefore(times, t);
    return k < 0 ? 0 : running[k];
  }

  private static int lastAtOrBefore(long[] times, long t) {
    int low = 0;
    int high = times.length - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (times[mid] <= t) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  private static final class Replay {
    final EventLoop loop = new EventLoop();
    final List<ObservedBorrow> borrows;
    final double[] work;
    final SimPool pool;
    final SharedCpu cpu;
    final double[] waits;
    final double[] holds;
    int peak;
    int done;

    Replay(List<ObservedBorrow> borrows, double[] work, int size, ServerModel server) {
      this.borrows = borrows;
      this.work = work;
      this.cpu = new SharedCpu(loop, server::coresFor);
      SimPool.Connector connector = new SimPool.Connector() {
        @Override
        public void open(java.util.function.Consumer<Boolean> done) {
          cpu.run(server.connectionSetupMs(), () -> done.accept(true));
        }

        @Override
        public void close() {}
      };
      this.pool = new SimPool(loop, connector, size, 0, 0, Double.MAX_VALUE / 4, false, 1);
      this.waits = new double[borrows.size()];
      this.holds = new double[borrows.size()];
    }

    Forecast run() {
      // Per thread: its borrows in order, each starting its recorded gap after the previous one's replayed return.
      Map<Long, List<Integer>> byThread = new HashMap<>();
      for (int i = 0; i < borrows.size(); i++) {
        byThread.computeIfAbsent(borrows.get(i).threadId(), t -> new ArrayList<>()).add(i);
      }
      for (List<Integer> sequence : byThread.values()) {
        int first = sequence.get(0);
        loop.after(ms(borrows.get(first).requestedAtNanos()), () -> borrow(sequence, 0));
      }
      loop.runUntil(Double.MAX_VALUE);
      Arrays.sort(waits);
      Arrays.sort(holds);
      double sum = 0;
      for (double wait : waits) {
        sum += wait;
      }
      return new Forecast(pool.maxSize(), round(PageLoadSimulation.percentile(waits, 99)),
          round(PageLoadSimulation.percentile(holds, 99)), peak, round(sum / waits.length), borrows.size());
    }

    private void borrow(List<Integer> sequence, int position) {
      int index = sequence.get(position);
      double askedAt = loop.now();
      SimPool.Holder holder = new SimPool.Holder();
      pool.borrow(holder, false, () -> {
        waits[index] = loop.now() - askedAt;
        peak = Math.max(peak, pool.total());
        double grantedAt = loop.now();
        cpu.run(work[index], () -> {
          holds[index] = loop.now() - grantedAt;
          pool.release(holder, false);
          done++;
          if (position + 1 < sequence.size()) {
            ObservedBorrow previous = borrows.get(index);
            ObservedBorrow next = borrows.get(sequence.get(position + 1));
            long recordedReturn = previous.requestedAtNanos() + Math.max(0, previous.waitNanos())
                + Math.max(0, previous.holdNanos());
            double gap = Math.max(0, ms(next.requestedAtNanos() - recordedReturn));
            loop.after(gap, () -> borrow(sequence, position + 1));
          }
        });
      }, failure -> {
        throw new IllegalStateException("a replayed borrow failed without a timeout: " + failure);
      });
    }

    private static double ms(long nanos) {
      return Math.max(0, nanos) / 1e6;
    }
  }

  static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }
}
