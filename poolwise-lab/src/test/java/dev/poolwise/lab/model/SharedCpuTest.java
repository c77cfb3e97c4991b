package dev.poolwise.lab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shared cores worked out by hand: processor sharing with cores that depend on the concurrency, weights per job
 * (discriminatory sharing), the client's threads as a FIFO stage, and the calibration's capacity curve and shares.
 */
class SharedCpuTest {

  private final EventLoop loop = new EventLoop();
  private final List<String> finished = new ArrayList<>();

  private Runnable done(String name) {
    return () -> finished.add(name + "@" + Math.round(loop.now() * 1000) / 1000.0);
  }

  @Test
  void coresThatShrinkWithConcurrencyStretchEveryJob() {
    // One core alone, but two jobs together get only 0.5 core between them: each runs at 0.25, so 1 ms of work
    // takes 4 ms.
    SharedCpu cpu = new SharedCpu(loop, running -> running == 1 ? 1 : 0.5);
    cpu.run(1, done("a"));
    cpu.run(1, done("b"));
    loop.runUntil(100);

    assertThat(finished).containsExactly("a@4.0", "b@4.0");
  }

  @Test
  void aJobOfHalfTheWeightGetsHalfTheShareWhileTheyRunTogether() {
    // One core. a (1 ms, weight 1) runs at 2/3, b (1 ms, weight 0.5) at 1/3: a ends at 1.5 ms, when b has done
    // 0.5 ms of its work; alone, b runs at full speed and ends at 2.0 ms.
    SharedCpu cpu = new SharedCpu(loop, running -> 1);
    cpu.run(1, 1, done("a"));
    cpu.run(1, 0.5, done("b"));
    loop.runUntil(100);

    assertThat(finished).containsExactly("a@1.5", "b@2.0");
  }

  @Test
  void clientJobsBeyondTheClientsThreadsWaitTheirTurnInOrder() {
    // Plenty of cores, one client thread: three client jobs of 1 ms run one after the other; a server job beside
    // them is not held up.
    SharedCpu cpu = new SharedCpu(loop, running -> 64, 1);
    cpu.runOnClient(1, done("c1"));
    cpu.runOnClient(1, done("c2"));
    cpu.run(1, done("server"));
    cpu.runOnClient(1, done("c3"));
    loop.runUntil(100);

    assertThat(finished).containsExactly("c1@1.0", "server@1.0", "c2@2.0", "c3@3.0");
  }

  @Test
  void theClientsThreadsShareTheCoresWithTheServer() {
    // One core, one client thread: a client job and a server job of 1 ms each run together at half speed.
    SharedCpu cpu = new SharedCpu(loop, running -> 1, 1);
    cpu.runOnClient(1, done("client"));
    cpu.run(1, done("server"));
    loop.runUntil(100);

    assertThat(finished).containsExactly("client@2.0", "server@2.0");
  }

  @Test
  void theCapacityCurveIsInterpolatedAndNeverGivesAJobMoreThanOneCore() {
    ServerModel server = new ServerModel(ServerModel.uniform(1, 2, 1, 10).demandMs(), 2, 1, 10,
        List.of(new ServerModel.CoresAt(1, 1), new ServerModel.CoresAt(4, 2), new ServerModel.CoresAt(8, 1.6)),
        Map.of(), 0, Map.of(), 0);

    assertThat(server.coresFor(1)).isEqualTo(1);
    assertThat(server.coresFor(2)).isCloseTo(4 / 3.0, within(1e-9));
    assertThat(server.coresFor(4)).isEqualTo(2);
    assertThat(server.coresFor(6)).isCloseTo(1.8, within(1e-9));
    assertThat(server.coresFor(50)).isEqualTo(1.6); // beyond the last point: its value
    assertThat(ServerModel.uniform(1, 2.5, 1, 10).coresFor(1)).isEqualTo(1); // one query, one core at most
    assertThat(ServerModel.uniform(1, 2.5, 1, 10).coresFor(9)).isEqualTo(2.5);
  }

  @Test
  void theCalibrationsSharesComeFromTheContendedSweepLevels() {
    // Demands alone: lookups 0.2 ms, the list 5 ms, the report 60 ms. At 8 connections a lookup took 20 ms (speed
    // 0.01), the list 50 ms (0.1), the report 120 ms (0.5): shares 0.02, 0.2 and 1. The level of 1 connection
    // (uncontended) does not count; kinds that never ran take the share of the kind closest in demand.
    Map<QueryKind, Double> demands = new EnumMap<>(QueryKind.class);
    for (QueryKind kind : QueryKind.values()) {
      demands.put(kind, 0.2);
    }
    demands.put(QueryKind.TASK_LIST, 5.0);
    demands.put(QueryKind.ACTIVITY_REPORT, 60.0);
    Calibration.SweepPoint alone = new Calibration.SweepPoint(1, 500, 1,
        Map.of(QueryKind.USER_BY_ID, 0.2, QueryKind.TASK_LIST, 50.0), Map.of(QueryKind.USER_BY_ID, 100L,
            QueryKind.TASK_LIST, 10L));
    Calibration.SweepPoint contended = new Calibration.SweepPoint(8, 700, 1.5,
        Map.of(QueryKind.USER_BY_ID, 20.0, QueryKind.TASK_LIST, 50.0, QueryKind.ACTIVITY_REPORT, 120.0),
        Map.of(QueryKind.USER_BY_ID, 100L, QueryKind.TASK_LIST, 10L, QueryKind.ACTIVITY_REPORT, 2L));
    Calibration calibration = new Calibration(demands, 1.5, 20, 96, List.of(alone, contended), 9, 0.5,
        Map.of(), 0, 0);

    Map<QueryKind, Double> shares = calibration.shares();
    assertThat(shares.get(QueryKind.USER_BY_ID)).isCloseTo(0.02, within(1e-9));
    assertThat(shares.get(QueryKind.TASK_LIST)).isCloseTo(0.2, within(1e-9));
    assertThat(shares.get(QueryKind.ACTIVITY_REPORT)).isEqualTo(1.0);
    assertThat(shares.get(QueryKind.TASK_BY_ID)).isCloseTo(0.02, within(1e-9)); // closest demand: the lookup
    ServerModel server = calibration.serverModel();
    assertThat(server.share(QueryKind.TASK_LIST)).isCloseTo(0.2, within(1e-9));
    assertThat(server.coresFor(8)).isEqualTo(1.5);
    assertThat(server.coresFor(1)).isEqualTo(1);
  }
}
