package dev.poolwise.lab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TraceModelTest {

  private static final long MS = 1_000_000;
  /** Cores enough that no hold stretches: the replay is then pure queueing, easy to work out by hand. */
  private static final ServerModel PLENTY_OF_CORES = ServerModel.uniform(1, 1_000, 0, 100);

  /** Three threads ask at once, each held its connection 10 ms, nobody waited (the recording's pool had 3). */
  private static final List<ObservedBorrow> THREE_AT_ONCE = List.of(
      new ObservedBorrow(0, 0, 10 * MS, "app", "GET /a", 1),
      new ObservedBorrow(0, 0, 10 * MS, "app", "GET /b", 2),
      new ObservedBorrow(0, 0, 10 * MS, "app", "GET /c", 3));

  @Test
  void onePoolOfOneServesThemInTurn() {
    // Waits 0, 10 and 20 ms; the p99 of three values is the largest.
    TraceModel.Forecast forecast = TraceModel.predict(THREE_AT_ONCE, 1, PLENTY_OF_CORES);

    assertThat(forecast.p99WaitMs()).isEqualTo(20.0);
    assertThat(forecast.meanWaitMs()).isEqualTo(10.0);
    assertThat(forecast.p99HoldMs()).isEqualTo(10.0);
    assertThat(forecast.peakConnections()).isEqualTo(1);
    assertThat(forecast.borrows()).isEqualTo(3);
  }

  @Test
  void aPoolOfThreeServesThemAtOnce() {
    TraceModel.Forecast forecast = TraceModel.predict(THREE_AT_ONCE, 3, PLENTY_OF_CORES);

    assertThat(forecast.p99WaitMs()).isZero();
    assertThat(forecast.peakConnections()).isEqualTo(3);
  }

  @Test
  void aThreadBorrowsAgainAsLongAfterItsReturnAsItDid() {
    // Thread 1 borrows at 0 for 10 ms and again 5 ms after returning (at 15). Thread 2 holds the only connection
    // from 0 to 30 in the replay if it asks first... here it asks at 1 ms, so thread 1 goes first: 0-10, thread 2
    // 10-40 (waits 9 ms), thread 1's second borrow asks at 15 and waits until 40 (25 ms).
    List<ObservedBorrow> trace = List.of(
        new ObservedBorrow(0, 0, 10 * MS, "app", "t", 1),
        new ObservedBorrow(1 * MS, 0, 30 * MS, "app", "t", 2),
        new ObservedBorrow(15 * MS, 0, 10 * MS, "app", "t", 1));

    TraceModel.Forecast forecast = TraceModel.predict(trace, 1, PLENTY_OF_CORES);

    assertThat(forecast.p99WaitMs()).isEqualTo(25.0);
    assertThat(forecast.meanWaitMs()).isEqualTo(round((0 + 9 + 25) / 3.0));
  }

  @Test
  void holdsShrinkWhenFewerShareTheCores() {
    // Recorded: 4 holds at once on 1 core, each 40 ms (10 ms of work, stretched ×4). A pool of 1 runs them one
    // at a time: each holds about its work alone.
    List<ObservedBorrow> trace = List.of(
        new ObservedBorrow(0, 0, 40 * MS, "app", "t", 1),
        new ObservedBorrow(0, 0, 40 * MS, "app", "t", 2),
        new ObservedBorrow(0, 0, 40 * MS, "app", "t", 3),
        new ObservedBorrow(0, 0, 40 * MS, "app", "t", 4));
    ServerModel oneCore = ServerModel.uniform(1, 1, 0, 100);

    TraceModel.Forecast one = TraceModel.predict(trace, 1, oneCore);

    assertThat(one.p99HoldMs()).isLessThan(40.0);
  }

  private static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }
}
