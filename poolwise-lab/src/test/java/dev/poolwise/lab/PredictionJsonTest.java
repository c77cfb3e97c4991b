package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwise.lab.LabResults.TopologyResult;
import dev.poolwise.lab.model.Calibration;
import dev.poolwise.lab.model.PageLoadSimulation;
import dev.poolwise.lab.model.Prediction;
import dev.poolwise.lab.model.QueryKind;
import dev.poolwise.lab.model.Workload;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** results.json carries each row's prediction and the calibration it came from, and reads them back. */
class PredictionJsonTest {

  @TempDir
  Path dir;

  static Calibration calibration() {
    Map<QueryKind, Double> demands = new EnumMap<>(QueryKind.class);
    for (QueryKind kind : QueryKind.values()) {
      demands.put(kind, kind == QueryKind.TASK_LIST ? 2.5 : 0.4);
    }
    return new Calibration(demands, 1.6, 4.2, 96, List.of(new Calibration.SweepPoint(1, 900),
        new Calibration.SweepPoint(2, 1400)), 7.9, 3.1);
  }

  /** The typical rows, each with a prediction simulated from {@link #calibration()}. */
  static LabResults predicted() {
    LabResults typical = SampleResults.typical();
    Calibration calibration = calibration();
    List<TopologyResult> rows = typical.results().stream().map(row -> {
      if (row.skipped() != null) {
        return row;
      }
      Topology topology = Topology.parse(row.topology().equals("single:auto") ? "single:13" : row.topology());
      Prediction prediction = PageLoadSimulation.predict(Workload.of(shortScenario()), Predictions.layout(topology,
          calibration.serverModel().connectionLimit()),
          calibration.serverModel());
      return row.withPrediction(prediction, Predictions.FROM_CALIBRATION);
    }).toList();
    return new LabResults(typical.server(), typical.scenario(), rows, typical.verdict(), calibration);
  }

  private static Scenario shortScenario() {
    return new Scenario(12, 2, 1, 8, 12, 1, 3, 0.2, 0.3, 0.01, 100, 70, 2000, false, 0, 42);
  }

  @Test
  void everyRowHasItsPredictionAndTheTopLevelTheCalibration() throws Exception {
    Path file = dir.resolve("results.json");
    Reports.writeJson(predicted(), file);
    JsonNode json = new ObjectMapper().readTree(file.toFile());

    assertThat(json.get("calibration").get("effective_parallelism").asDouble()).isEqualTo(1.6);
    assertThat(json.get("calibration").get("service_demand_ms").get("TASK_LIST").asDouble()).isEqualTo(2.5);
    assertThat(json.get("calibration").get("connection_setup_ms").asDouble()).isEqualTo(4.2);
    for (JsonNode row : json.get("results")) {
      if (!row.get("skipped").isNull()) {
        assertThat(row.get("prediction").isNull()).isTrue();
        continue;
      }
      assertThat(row.get("prediction_from").asText()).isEqualTo("calibration");
      JsonNode prediction = row.get("prediction");
      assertThat(prediction.get("pages_per_s").asDouble()).isPositive();
      assertThat(prediction.get("page_latency_ms").has("p50")).isTrue();
      assertThat(prediction.get("page_latency_ms").get("p99").asDouble())
          .isGreaterThanOrEqualTo(prediction.get("page_latency_ms").get("p50").asDouble());
      assertThat(prediction.get("acquire_wait_ms").has("p99")).isTrue();
      assertThat(prediction.get("failures").has("too_many_clients")).isTrue();
      assertThat(prediction.get("failures").has("timeout")).isTrue();
      assertThat(prediction.get("server_connections_peak").asInt()).isPositive();
      // The old single-number prediction is the model's p99 acquire wait now, for tools that read it.
      assertThat(row.get("predicted_p99_wait_ms").asDouble()).isEqualTo(prediction.get("acquire_wait_ms").get("p99")
          .asDouble());
    }
  }

  @Test
  void readsBackWhatItWrote() throws Exception {
    Path file = dir.resolve("results.json");
    LabResults written = predicted();
    Reports.writeJson(written, file);

    LabResults read = Reports.readJson(file);

    assertThat(read.calibration()).isEqualTo(written.calibration());
    assertThat(read.results().get(0).prediction()).isEqualTo(written.results().get(0).prediction());
  }

  @Test
  void aTableWithPredictionsShowsThemBesideTheMeasurements() {
    String table = Reports.table(predicted());
    assertThat(table).contains("model: predicted before the row ran").contains("wait p99");
  }

  @Test
  void theReportHasAModelSectionWithTheErrors() throws Exception {
    Path file = dir.resolve("report.html");
    Reports.writeHtml(predicted(), file);
    String html = java.nio.file.Files.readString(file);

    assertThat(html).contains("The model: predicted before each row ran").contains("predicted / measured (error)")
        .contains("effective cores");
    assertThat(ModelAccuracy.markdown(predicted())).contains("| single:20 | ").contains("Calibration: 1.60 effective");
  }

  @Test
  void withoutPredictionsTheReportHasNoModelSection() throws Exception {
    assertThat(ModelAccuracy.html(SampleResults.typical())).isEmpty();
  }
}
