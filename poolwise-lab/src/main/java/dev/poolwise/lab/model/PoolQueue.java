package dev.poolwise.lab.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The simulator's pool ({@link SimPool}) alone, under the textbook workloads whose answers are known exactly: open
 * Poisson arrivals (M/M/c: Erlang C) and a finite number of sources that think and borrow in turn (M/M/c//N:
 * Engset's delay system). Holds are exponential with mean 1, a pure delay (no shared cores), so every time is in
 * mean holding times. The analytic cross-checks and the simulator's tests run both and compare.
 */
public final class PoolQueue {

  /*
   * Concurrency: none (one EventLoop per call). Failure modes: none; the acquire timeout is set beyond any wait so
   * that nothing is lost, as the formulas assume.
   */

  /** No borrow waits this long in a stable queue; the formulas have no timeout. */
  private static final double NO_TIMEOUT = 1e12;

  /**
   * @param meanWait mean wait over every borrow, in mean holding times
   * @param waitProbability the share of borrows that waited at all
   * @param p99Wait the 99th percentile of the wait
   * @param borrows how many borrows were measured
   */
  public record Result(double meanWait, double waitProbability, double p99Wait, long borrows) {}

  private PoolQueue() {}

  /** M/M/c: Poisson borrows offering {@code offeredLoad} Erlangs to {@code connections} connections. */
  public static Result openArrivals(int connections, double offeredLoad, int borrows, long seed) {
    Run run = new Run(connections, borrows, seed);
    run.arrivePoisson(offeredLoad);
    return run.finish();
  }

  /**
   * M/M/c//N: {@code sources} callers, each thinking an exponential time of mean {@code meanThink} (in mean holding
   * times) between a return and its next borrow.
   */
  public static Result finiteSources(int sources, int connections, double meanThink, int borrows, long seed) {
    Run run = new Run(connections, borrows, seed);
    for (int i = 0; i < sources; i++) {
      run.source(meanThink);
    }
    return run.finish();
  }

  private static final class Run {
    final EventLoop loop = new EventLoop();
    final SimPool pool;
    final SplittableRandom random;
    final int wanted;
    final int warmup;
    final double[] waits;
    int started;
    int measured;

    Run(int connections, int borrows, long seed) {
      this.random = new SplittableRandom(seed);
      this.wanted = borrows;
      this.warmup = borrows / 10;
      this.waits = new double[borrows];
      SimPool.Connector instant = new SimPool.Connector() {
        @Override
        public void open(java.util.function.Consumer<Boolean> done) {
          done.accept(true);
        }

        @Override
        public void close() {}
      };
      this.pool = new SimPool(loop, instant, connections, connections, 0, NO_TIMEOUT, false, seed);
      pool.start();
    }

    double exponential(double mean) {
      return -mean * Math.log(1 - random.nextDouble());
    }

    boolean more() {
      return measured < wanted;
    }

    /** One borrow: wait, hold an exponential time, return; then {@code next}. */
    void borrow(Runnable next) {
      double askedAt = loop.now();
      int index = started++;
      SimPool.Holder holder = new SimPool.Holder();
      pool.borrow(holder, false, () -> {
        if (index >= warmup && measured < wanted) {
          waits[measured++] = loop.now() - askedAt;
        }
        loop.after(exponential(1), () -> {
          pool.release(holder, false);
          next.run();
        });
      }, failure -> {
        throw new IllegalStateException("a borrow failed without a timeout: " + failure);
      });
    }

    void arrivePoisson(double rate) {
      loop.after(exponential(1 / rate), () -> {
        if (more()) {
          borrow(() -> {});
          arrivePoisson(rate);
        }
      });
    }

    void source(double meanThink) {
      loop.after(exponential(meanThink), () -> {
        if (more()) {
          borrow(() -> source(meanThink));
        }
      });
    }

    Result finish() {
      loop.runUntil(Double.MAX_VALUE);
      double[] sorted = Arrays.copyOf(waits, measured);
      Arrays.sort(sorted);
      double sum = 0;
      int waited = 0;
      for (double wait : sorted) {
        sum += wait;
        if (wait > 0) {
          waited++;
        }
      }
      return new Result(sum / Math.max(1, measured), waited / (double) Math.max(1, measured),
          PageLoadSimulation.percentile(sorted, 99), measured);
    }
  }
}
