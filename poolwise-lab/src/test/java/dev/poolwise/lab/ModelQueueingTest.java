package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.poolwise.lab.model.PoolQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulator's pool against exact queueing results: open Poisson arrivals against Erlang C, a fixed number of
 * callers against Engset's finite-source delay system. 400 000 borrows keep the sampling error of the mean wait
 * to a few per cent (waits are strongly correlated near saturation, so up to about 10 % at 80 % utilisation); the
 * tolerances are set from that, not from the machine's speed (nothing here is timed).
 */
class ModelQueueingTest {

  @ParameterizedTest(name = "M/M/{0} at {1} Erlangs")
  @CsvSource({"1, 0.5", "4, 3.0", "10, 8.0", "20, 17.0"})
  void openArrivalsWaitAsErlangCSays(int connections, double load) {
    PoolQueue.Result simulated = PoolQueue.openArrivals(connections, load, 400_000, 11);

    assertThat(simulated.waitProbability()).isCloseTo(ErlangC.waitProbability(connections, load), within(0.03));
    double exact = ErlangC.meanWait(connections, load);
    assertThat(simulated.meanWait()).isCloseTo(exact, within(0.15 * exact + 0.005));
    double p99 = ErlangC.waitQuantile(connections, load, 0.99);
    assertThat(simulated.p99Wait()).isCloseTo(p99, within(0.1 * p99 + 0.02));
  }

  @ParameterizedTest(name = "{0} callers on {1} connections, think {2}")
  @CsvSource({"5, 2, 1.0", "20, 10, 1.0", "40, 20, 2.0", "12, 4, 0.5"})
  void aFixedNumberOfCallersWaitsAsEngsetSays(int sources, int connections, double think) {
    PoolQueue.Result simulated = PoolQueue.finiteSources(sources, connections, think, 200_000, 13);

    assertThat(simulated.waitProbability()).isCloseTo(Engset.waitProbability(sources, connections, think),
        within(0.03));
    double exact = Engset.meanWait(sources, connections, think);
    assertThat(simulated.meanWait()).isCloseTo(exact, within(0.08 * exact + 0.005));
  }

  @Test
  void engsetWaitsLessThanErlangCAtTheSameMeanRate() {
    // 20 callers, 10 connections, think 1: the callers' mean rate offers A Erlangs; an open stream at that rate
    // would wait more, because waiting callers do not arrive.
    int sources = 20;
    int connections = 10;
    double think = 1.0;
    double[] p = Engset.distribution(sources, connections, think);
    double busy = 0;
    for (int k = 0; k < p.length; k++) {
      busy += Math.min(k, connections) * p[k];
    }
    assertThat(Engset.meanWait(sources, connections, think)).isLessThan(ErlangC.meanWait(connections, busy));
  }

  @Test
  void engsetWithNoMoreCallersThanConnectionsNeverWaits() {
    assertThat(Engset.waitProbability(8, 8, 0.3)).isZero();
    assertThat(Engset.meanWait(8, 8, 0.3)).isZero();
  }
}
