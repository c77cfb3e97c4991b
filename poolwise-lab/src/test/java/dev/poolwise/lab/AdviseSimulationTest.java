package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwise.lab.LabResults.TopologyResult;
import dev.poolwise.lab.model.AutoSizing;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code advise --results} on a calibrated run sizes from the simulation, with Erlang C as the cross-check. */
class AdviseSimulationTest {

  private static final Scenario SHORT = new Scenario(12, 2, 1, 8, 12, 1, 3, 0.2, 0.3, 0.01, 100, 70, 2000, false,
      0, 42);

  private static LabResults calibratedRun() {
    LabResults predicted = PredictionJsonTest.predicted();
    List<TopologyResult> rows = predicted.results();
    return new LabResults(predicted.server(), SHORT, rows, predicted.verdict(), predicted.calibration());
  }

  @Test
  void recommendsTheSimulatedSizeAndShowsTheErlangCCrossCheck(@TempDir Path directory) throws Exception {
    Path file = directory.resolve("results.json");
    Reports.writeJson(calibratedRun(), file);
    JsonNode root = ResultsJson.mapper().readTree(file.toFile());
    AutoSizing.Choice expected = AdviseCommand.simulate(root, 97);

    String out = run("advise", "--results", file.toString());

    assertThat(expected).isNotNull();
    assertThat(out).contains("Recommended pool size: " + expected.size() + "\n")
        .contains("Simulation of the run's scenario on its calibrated server")
        .contains("Erlang C cross-check")
        .contains("← recommended");
  }

  @Test
  void anUncalibratedRunHasNoSimulation(@TempDir Path directory) throws Exception {
    Path file = directory.resolve("results.json");
    Reports.writeJson(SampleResults.typical(), file);

    assertThat(AdviseCommand.simulate(ResultsJson.mapper().readTree(file.toFile()), 97)).isNull();
    assertThat(run("advise", "--results", file.toString())).doesNotContain("Simulation of the run's scenario");
  }

  private static synchronized String run(String... arguments) {
    PrintStream originalOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      PoolwiseLab.execute(arguments);
      return out.toString(StandardCharsets.UTF_8);
    } finally {
      System.setOut(originalOut);
    }
  }
}
