package dev.poolwise.lab.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.lab.Scenario;
import org.junit.jupiter.api.Test;

/**
 * The simulator on workloads small enough to work out by hand: one query per page, no cache misses, so every page is
 * one borrow of one connection for one query.
 */
class PageLoadSimulationTest {

  /** {@code users} users, 1 request of 1 short query per page, no misses, think 90 ms, 1 s measured, no warm-up. */
  private static Scenario tiny(int users, int acquireTimeoutMs, boolean nested) {
    return new Scenario(users, 1, 0, 1, 1, 1, 1, 0, 0, 0, 90, 1, acquireTimeoutMs, nested, 0, 42);
  }

  @Test
  void oneUserOnOneConnectionByHand() {
    // t = 0: the pool opens its connection (5 ms of setup), the user waits for it, the query takes 10 ms: the
    // first page takes 15 ms (wait 5). Then think 90 ms; from t = 105 every page is 10 ms with no wait: pages start
    // at 0, 105, 205, ..., 905 — ten in the window of one second.
    Prediction p = PageLoadSimulation.predict(Workload.of(tiny(1, 2000, false)), PoolLayout.single(1),
        ServerModel.uniform(10, 1, 5, 100));

    assertThat(p.pagesPerS()).isEqualTo(10.0);
    assertThat(p.pageLatencyMs().p50()).isEqualTo(10.0);
    assertThat(p.pageLatencyMs().p99()).isEqualTo(15.0); // the 10th of ten values
    assertThat(p.acquireWaitMs().p99()).isEqualTo(5.0);
    assertThat(p.serverConnectionsPeak()).isEqualTo(1);
    assertThat(p.failures().timeout()).isZero();
    assertThat(p.failures().tooManyClients()).isZero();
  }

  @Test
  void twoQueriesOnOneCoreStretchToTwiceTheirDemand() {
    // Two users, two connections, one core. Both connections are opened at once (setup is a 5 ms delay, not work):
    // both are open at 5 ms. Both queries then run together: 10 ms of work each at half speed, done at 25 ms.
    // Afterwards every page is both queries together again (20 ms), 90 ms of think apart: pages start at 0, 115,
    // 225, ..., 995 — ten per user, twenty in all; p50 20 ms, p99 25 ms (the largest of twenty).
    Prediction p = PageLoadSimulation.predict(Workload.of(tiny(2, 2000, false)), PoolLayout.single(2),
        ServerModel.uniform(10, 1, 5, 100));

    assertThat(p.pagesPerS()).isEqualTo(20.0);
    assertThat(p.pageLatencyMs().p50()).isEqualTo(20.0);
    assertThat(p.pageLatencyMs().p99()).isEqualTo(25.0);
    assertThat(p.acquireWaitMs().p99()).isEqualTo(5.0);
  }

  @Test
  void aPoolTheServerRefusesFailsWith53300AfterTheTimeoutAndRetriesAddUp() {
    // No connection slot at all: every connect is refused, every borrow times out after 100 ms and counts as
    // 53300 (the pool's last connect was refused). With 3 tries 100 ms apart a page takes 100+100+100+100+100 ms.
    ServerModel full = ServerModel.uniform(1, 2, 1, 0);
    Scenario scenario = tiny(1, 100, false);

    Prediction once = PageLoadSimulation.predict(Workload.of(scenario), PoolLayout.single(1), full);
    Prediction retried = PageLoadSimulation.predict(Workload.of(scenario).withRetry(3, 100), PoolLayout.single(1),
        full);

    assertThat(once.pageLatencyMs().p50()).isEqualTo(100.0);
    assertThat(once.failures().tooManyClients()).isEqualTo(6); // pages at 0, 190, 380, 570, 760 and 950 ms
    assertThat(once.failures().timeout()).isZero();
    assertThat(retried.pageLatencyMs().p50()).isEqualTo(500.0);
    assertThat(retried.failures().tooManyClients()).isEqualTo(2); // pages at 0 and 590 ms
    assertThat(once.serverConnectionsPeak()).isZero();
  }

  @Test
  void nestedRequestsOnAPoolOfOneAreFailedByPoolwisesGuardButTimeOutOnHikari() {
    Scenario nested = tiny(1, 300, true);
    ServerModel server = ServerModel.uniform(1, 2, 1, 100);

    PageLoadSimulation.Outcome poolwise = PageLoadSimulation.simulate(Workload.of(nested), PoolLayout.single(1),
        server);
    PageLoadSimulation.Outcome hikari = PageLoadSimulation.simulate(Workload.of(nested), PoolLayout.hikari(1),
        server);

    assertThat(poolwise.otherFailures()).isEqualTo(poolwise.requests()).isPositive();
    assertThat(poolwise.prediction().pageLatencyMs().p99()).isLessThan(50);
    assertThat(hikari.prediction().failures().timeout()).isEqualTo(hikari.requests()).isPositive();
    assertThat(hikari.prediction().pageLatencyMs().p50()).isGreaterThanOrEqualTo(300);
  }

  @Test
  void perModulePoolsBeyondTheServersSlotsAreRefused() {
    // 70 pools growing lazily against 10 slots: once 10 connections are open, every other pool's borrows fail.
    Scenario scenario = new Scenario(12, 5, 1, 8, 12, 1, 3, 0.2, 0.3, 0.01, 100, 70, 500, false, 0, 42);
    Prediction p = PageLoadSimulation.predict(Workload.of(scenario), PoolLayout.perModule(70, 5),
        ServerModel.uniform(1, 2, 2, 10));

    assertThat(p.serverConnectionsPeak()).isEqualTo(10);
    assertThat(p.failures().tooManyClients()).isPositive();
  }

  @Test
  void pgBouncersHopRunsOnItsOneThreadBeforeEachQuery() {
    // One user, one pool of 1 behind PgBouncer: after the connects, every page is PgBouncer's hop (2 ms on its one
    // thread) and then the query (10 ms). Without a measured hop PgBouncer adds nothing.
    ServerModel plain = ServerModel.uniform(10, 1, 5, 100);
    ServerModel hopped = new ServerModel(plain.demandMs(), 1, 5, 100, java.util.List.of(), java.util.Map.of(), 0,
        java.util.Map.of(), 2);
    Workload workload = Workload.of(tiny(1, 2000, false));

    assertThat(PageLoadSimulation.predict(workload, PoolLayout.pgbouncer(1, 1, 1), plain).pageLatencyMs().p50())
        .isEqualTo(10.0);
    assertThat(PageLoadSimulation.predict(workload, PoolLayout.pgbouncer(1, 1, 1), hopped).pageLatencyMs().p50())
        .isEqualTo(12.0);
    assertThat(PageLoadSimulation.predict(workload, PoolLayout.single(1), hopped).pageLatencyMs().p50())
        .as("a row without PgBouncer").isEqualTo(10.0);
  }

  @Test
  void eachBorrowWaitsForTheClientsOwnWorkFirstWhenTheClientIsModelled() {
    // As oneUserOnOneConnectionByHand, with the client modelled (one client thread, the queries' client parts 0):
    // before asking for its connection the user's thread does CLIENT_WORK_BEFORE_BORROW_MS of work on the client
    // thread, alone on the core. The first borrow is asked at 0.1 ms and waits 4.9 ms for the connection opened at
    // 5 ms; every page is 0.1 + 10 ms, and the acquire wait does not include the client's work.
    ServerModel plain = ServerModel.uniform(10, 1, 5, 100);
    java.util.Map<QueryKind, Double> noClientPart = new java.util.EnumMap<>(QueryKind.class);
    for (QueryKind kind : QueryKind.values()) {
      noClientPart.put(kind, 0.0);
    }
    ServerModel withClient = new ServerModel(plain.demandMs(), 1, 5, 100, java.util.List.of(), noClientPart, 1,
        java.util.Map.of(), 0);
    Workload workload = Workload.of(tiny(1, 2000, false));

    Prediction p = PageLoadSimulation.predict(workload, PoolLayout.single(1), withClient);

    double before = PageLoadSimulation.CLIENT_WORK_BEFORE_BORROW_MS;
    assertThat(p.pagesPerS()).isEqualTo(10.0);
    assertThat(p.pageLatencyMs().p50()).isCloseTo(10 + before, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(p.pageLatencyMs().p99()).isCloseTo(15.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(p.acquireWaitMs().p99()).isCloseTo(5 - before, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(PageLoadSimulation.predict(workload, PoolLayout.single(1), plain).pageLatencyMs().p50())
        .as("without a client model the borrow is asked at once").isEqualTo(10.0);
  }

  @Test
  void theSameInputsGiveTheSamePrediction() {
    Scenario scenario = new Scenario(12, 3, 1, 8, 12, 1, 3, 0.2, 0.3, 0.01, 100, 70, 2000, false, 2, 7);
    ServerModel server = ServerModel.uniform(0.5, 1.5, 3, 96);
    PoolLayout layout = PoolLayout.partitioned(3, 4).withBackgroundLane(1);

    assertThat(PageLoadSimulation.predict(Workload.of(scenario), layout, server))
        .isEqualTo(PageLoadSimulation.predict(Workload.of(scenario), layout, server));
  }

  @Test
  void moreCoresShortenTheStretchedPages() {
    Scenario scenario = new Scenario(12, 3, 1, 8, 12, 1, 3, 0.2, 0.3, 0.01, 100, 70, 2000, false, 0, 7);
    Prediction twoCores = PageLoadSimulation.predict(Workload.of(scenario), PoolLayout.single(20),
        ServerModel.uniform(1, 2, 3, 96));
    Prediction eightCores = PageLoadSimulation.predict(Workload.of(scenario), PoolLayout.single(20),
        ServerModel.uniform(1, 8, 3, 96));

    assertThat(eightCores.pageLatencyMs().p50()).isLessThan(twoCores.pageLatencyMs().p50());
    assertThat(eightCores.pagesPerS()).isGreaterThan(twoCores.pagesPerS());
  }

  @Test
  void replicasBindEachUserToItsOwnPool() {
    // One user on two pools of 2: round robin spreads each page's 8–12 requests over both pools (4 connections
    // for the page); as replicas the user's whole page goes to its own pool of 2, so its requests queue there and
    // the page takes longer.
    Scenario scenario = new Scenario(1, 3, 1, 8, 12, 1, 3, 0.2, 0.3, 0.01, 100, 70, 2000, false, 0, 7);
    ServerModel server = ServerModel.uniform(1, 8, 3, 96);
    Prediction roundRobin = PageLoadSimulation.predict(Workload.of(scenario), PoolLayout.partitioned(2, 2), server);
    Prediction replicas = PageLoadSimulation.predict(Workload.of(scenario), PoolLayout.replicas(2, 2), server);

    assertThat(replicas.pageLatencyMs().p50()).as("page p50, replicas vs round robin: %s vs %s", replicas,
        roundRobin).isGreaterThan(roundRobin.pageLatencyMs().p50() * 1.3);
    assertThat(replicas.serverConnectionsPeak()).isEqualTo(4); // both replicas fill their pools at start
  }
}
