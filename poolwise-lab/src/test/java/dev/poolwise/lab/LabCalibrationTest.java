package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

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
    assertThat(calibration.serviceDemandMs().get(QueryKind.TASK_BY_ID)).isBetween(4.0, 30.0);
    assertThat(calibration.serviceDemandMs().get(QueryKind.ACTIVITY_REPORT))
        .isGreaterThan(calibration.serviceDemandMs().get(QueryKind.TASK_BY_ID));
    // Two cores: 4 and 8 connections run no faster than two (a little slower for the queueing's overhead).
    assertThat(calibration.effectiveParallelism()).isBetween(1.4, 2.6);
    assertThat(calibration.connectionSetupMs()).isGreaterThanOrEqualTo(20.0);
    assertThat(calibration.connectionLimit()).isEqualTo(42);
    assertThat(calibration.sweep()).extracting(Calibration.SweepPoint::connections).containsExactly(1, 2, 4, 8);
    assertThat(calibration.serverModel().effectiveCores()).isEqualTo(calibration.effectiveParallelism());
    assertThat(stub.openConnections()).isZero();
  }
}
