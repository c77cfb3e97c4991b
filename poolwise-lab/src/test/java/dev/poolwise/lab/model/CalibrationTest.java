package dev.poolwise.lab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a calibration's sweep becomes the model's capacity curve. */
class CalibrationTest {

  @Test
  void beyondTheBestLevelTheCurveLosesHalfOfWhatTheSweepLost() {
    Calibration calibration = calibrationWithSweep(
        point(1, 1.0), point(2, 2.0), point(4, 1.6), point(8, 1.0), point(16, 1.2), point(32, 0.4));

    ServerModel server = calibration.serverModel();

    assertThat(server.capacity()).extracting(ServerModel.CoresAt::cores)
        .containsExactly(1.0, 2.0, 1.8, 1.5, 1.6, 1.2);
    assertThat(server.coresFor(2)).isEqualTo(2.0);
    assertThat(server.coresFor(6)).isCloseTo(1.65, within(1e-9)); // halfway between 1.8 and 1.5
    assertThat(server.effectiveCores()).isEqualTo(2.0); // the best level, as measured
  }

  @Test
  void aSweepThatKeepsGainingIsTakenAsMeasured() {
    Calibration calibration = calibrationWithSweep(point(1, 1.0), point(2, 1.9), point(4, 3.5), point(8, 6.0));

    assertThat(calibration.serverModel().capacity()).extracting(ServerModel.CoresAt::cores)
        .containsExactly(1.0, 1.9, 3.5, 6.0);
  }

  private static Calibration.SweepPoint point(int connections, double cores) {
    return new Calibration.SweepPoint(connections, 1000.0 * cores, cores, Map.of(), Map.of());
  }

  private static Calibration calibrationWithSweep(Calibration.SweepPoint... points) {
    Map<QueryKind, Double> demands = new EnumMap<>(QueryKind.class);
    for (QueryKind kind : QueryKind.values()) {
      demands.put(kind, 1.0);
    }
    double best = 0;
    for (Calibration.SweepPoint point : points) {
      best = Math.max(best, point.effectiveCores());
    }
    return new Calibration(demands, best, 20, 96, List.of(points), 10, 0.5);
  }
}
