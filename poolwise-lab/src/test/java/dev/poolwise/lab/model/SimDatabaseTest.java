package dev.poolwise.lab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The simulated server's scheduling by hand: a query that just arrived runs its first {@link SimDatabase#WAKE_UP_MS}
 * with {@link SimDatabase#WAKE_UP_WEIGHT} times the share of one that has been running, as the kernel prefers a task
 * that just woke up; two queries that start together are still shared equally.
 */
class SimDatabaseTest {

  private final EventLoop loop = new EventLoop();
  private final double[] finished = new double[2];

  /** One core; the list query takes 10 ms alone, every other kind 0.2 ms. */
  private SimDatabase oneCore() {
    Map<QueryKind, Double> demands = new EnumMap<>(QueryKind.class);
    for (QueryKind kind : QueryKind.values()) {
      demands.put(kind, 0.2);
    }
    demands.put(QueryKind.TASK_LIST, 10.0);
    return new SimDatabase(loop, new ServerModel(demands, 1, 0, 100), new SimDatabase.Window(0, 1_000));
  }

  @Test
  void aQueryThatJustArrivedGetsMostOfTheCoreUntilItsWakeUpPartIsDone() {
    SimDatabase database = oneCore();
    loop.after(0, () -> database.query(QueryKind.TASK_LIST, 0, false, () -> finished[0] = loop.now()));
    loop.after(5, () -> database.query(QueryKind.TASK_BY_ID, 0, false, () -> finished[1] = loop.now()));

    loop.runUntil(100);

    // At 5 ms the list query has had 5 ms and runs with weight 1; the new one has weight 5: 5/6 of the core, so its
    // 0.2 ms take 0.24 ms (0.4 ms under plain processor sharing). The list query loses those 0.2 ms of work.
    double weight = SimDatabase.WAKE_UP_WEIGHT;
    double shortDone = 5 + 0.2 * (weight + 1) / weight;
    assertThat(finished[1]).isCloseTo(shortDone, within(1e-9));
    assertThat(finished[0]).isCloseTo(10.2, within(1e-9));
  }

  @Test
  void twoQueriesThatStartTogetherShareTheCoreEqually() {
    SimDatabase database = oneCore();
    loop.after(0, () -> database.query(QueryKind.TASK_BY_ID, 0, false, () -> finished[0] = loop.now()));
    loop.after(0, () -> database.query(QueryKind.TASK_BY_ID, 0, false, () -> finished[1] = loop.now()));

    loop.runUntil(100);

    assertThat(finished[0]).isCloseTo(0.4, within(1e-9));
    assertThat(finished[1]).isCloseTo(0.4, within(1e-9));
  }
}
