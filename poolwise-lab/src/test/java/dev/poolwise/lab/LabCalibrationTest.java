package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.poolwise.lab.model.Calibration;
import dev.poolwise.lab.model.Calibrator;
import dev.poolwise.lab.model.QueryKind;
import dev.poolwise.testkit.StubDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The calibration on the stub driver, whose server is made to behave like the model: every statement needs a core
 * (two of them, a semaphore) for a time that depends on its kind, and every connect takes 20 ms. The calibration
 * must find those numbers back. Sleeps only ever overshoot on a loaded machine, so the bounds are one-sided where
 * load could push them (demands and setup at least what was set) and wide where it could not.
 */
class LabCalibrationTest {

  private static final int CORES = 2;
  private static final Map<String, Long> MILLIS_BY_SQL = Map.of(
      LabSchema.TASK_LIST_OF_ORGANIZATION, 8L,
      LabSchema.ACTIVITY_REPORT, 12L);
  private static final long OTHER_MILLIS = 4;

  private final StubDatabase stub = StubDatabase.create();

  @AfterEach
  void forget() {
    stub.forget();
  }

  @Test
  void findsTheStubsDemandsCoresAndConnectCost() throws Exception {
    Semaphore cores = new Semaphore(CORES, true);
    stub.connectDelay(Duration.ofMillis(20)).executeHook((connection, sql) -> {
      cores.acquireUninterruptibly();
      try {
        Thread.sleep(MILLIS_BY_SQL.getOrDefault(sql, OTHER_MILLIS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted", e);
      } finally {
        cores.release();
      }
    });
    Scenario scenario = SampleResults.SCENARIO;

    Calibration calibration = Calibrator.calibrate(
        () -> new LabCalibration.JdbcSession(stub.connect("app", "secret")), Calibrator.mixOf(scenario), 42,
        new Calibrator.Budget(Duration.ofMillis(150), Duration.ofMillis(600), 3, new int[] {1, 2, 4, 8}));

    assertThat(calibration.serviceDemandMs().get(QueryKind.TASK_LIST)).isBetween(8.0, 40.0);
    assertThat(calibration.serviceDemandMs().get(QueryKind.ACTIVITY_REPORT)).isBetween(12.0, 60.0);
    assertThat(calibration.serviceDemandMs().get(QueryKind.TASK_BY_ID)).isBetween(4.0, 60.0);
    assertThat(calibration.serviceDemandMs().get(QueryKind.ACTIVITY_REPORT))
        .isGreaterThan(calibration.serviceDemandMs().get(QueryKind.TASK_BY_ID));
    // Two cores: 4 and 8 connections run no faster than two (a little slower for the queueing's overhead).
    assertThat(calibration.effectiveParallelism()).isBetween(1.4, 2.6);
    assertThat(calibration.connectionSetupMs()).isGreaterThanOrEqualTo(20.0);
    assertThat(calibration.connectionLimit()).isEqualTo(42);
    assertThat(calibration.sweep()).extracting(Calibration.SweepPoint::connections).containsExactly(1, 2, 4, 8);
    assertThat(calibration.serverModel().effectiveCores()).isEqualTo(calibration.effectiveParallelism());
    // Every level counted its work: one connection is the unit, and no level gets more than two cores' worth.
    assertThat(calibration.sweep().get(0).effectiveCores()).isBetween(0.5, 1.0);
    assertThat(calibration.sweep()).allSatisfy(point -> {
      assertThat(point.effectiveCores()).isBetween(0.5, 2.6);
      assertThat(point.counts()).containsKey(QueryKind.TASK_LIST);
    });
    assertThat(calibration.serverModel().capacity()).hasSize(4);
    // The stub sleeps: the calling thread's CPU is a small part of each demand, and the client is modelled.
    assertThat(calibration.clientCpuMs().get(QueryKind.TASK_LIST))
        .isLessThan(calibration.serviceDemandMs().get(QueryKind.TASK_LIST) / 2);
    assertThat(calibration.clientThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    // Queued behind the fair "cores", a 4 ms query waits as long as a 12 ms one: the long kind keeps more speed.
    Map<QueryKind, Double> shares = calibration.serverModel().shares();
    assertThat(shares.get(QueryKind.ACTIVITY_REPORT)).isGreaterThan(shares.get(QueryKind.TASK_BY_ID));
    assertThat(stub.openConnections()).isZero();
  }

  /**
   * The kinds follow the mix query by query, not by chance: at every level each kind ran its share of the level's
   * queries within a handful (a random draw strays by about the square root of the count, 30 and more here).
   */
  @Test
  void eachSweepLevelRunsEveryKindInItsShare() throws Exception {
    stub.executeHook((connection, sql) -> {});
    Map<QueryKind, Double> mix = Calibrator.mixOf(SampleResults.SCENARIO);
    double total = mix.values().stream().mapToDouble(Double::doubleValue).sum();

    Calibration calibration = Calibrator.calibrate(
        () -> new LabCalibration.JdbcSession(stub.connect("app", "secret")), mix, 42,
        new Calibrator.Budget(Duration.ofMillis(20), Duration.ofMillis(200), 1, new int[] {1, 4}, Duration.ZERO));

    assertThat(calibration.sweep()).allSatisfy(point -> {
      long queries = point.counts().values().stream().mapToLong(Long::longValue).sum();
      assertThat(queries).isGreaterThan(1_000);
      mix.forEach((kind, share) -> assertThat((double) point.counts().getOrDefault(kind, 0L))
          .as("%s on %d connections", kind, point.connections())
          .isCloseTo(queries * share / total, offset(5.0)));
    });
  }

  @Test
  void theSweepStopsAtTheConnectionsTheServerAllows() throws Exception {
    stub.executeHook((connection, sql) -> {});
    Calibration calibration = Calibrator.calibrate(
        () -> new LabCalibration.JdbcSession(stub.connect("app", "secret")), Calibrator.mixOf(SampleResults.SCENARIO),
        3, new Calibrator.Budget(Duration.ofMillis(20), Duration.ofMillis(50), 1, new int[] {1, 2, 4, 8}));

    assertThat(calibration.sweep()).extracting(Calibration.SweepPoint::connections).containsExactly(1, 2);
    assertThat(stub.openConnections()).isZero();
  }
}
