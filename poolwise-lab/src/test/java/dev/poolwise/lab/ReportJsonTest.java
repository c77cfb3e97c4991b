package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.poolwise.lab.LabResults.TopologyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportJsonTest {

  @TempDir
  Path dir;

  private final ObjectMapper plain = new ObjectMapper();

  @Test
  void everyKeyOfTheContractIsWritten() throws Exception {
    JsonNode json = write(SampleResults.typical());

    assertHasKeys(json, "server", "scenario", "results", "verdict");
    assertHasKeys(json.get("server"), "version", "max_connections", "embedded");
    assertHasKeys(json.get("scenario"), "users", "duration_seconds", "warmup_seconds", "min_requests_per_page",
        "max_requests_per_page", "min_queries_per_request", "max_queries_per_request", "cache_miss_probability",
        "list_query_share", "slow_query_share", "think_time_ms", "routes", "acquire_timeout_ms", "nested", "seed");
    assertThat(json.get("results")).hasSize(8);
    for (JsonNode row : json.get("results")) {
      assertHasKeys(row, "topology", "pool", "pages", "pages_per_s", "page_latency_ms", "requests", "failures",
          "acquire_wait_ms", "hold_ms", "server_connections", "skipped");
      assertHasKeys(row.get("page_latency_ms"), "p50", "p95", "p99", "max");
      assertHasKeys(row.get("failures"), "pool_timeout", "too_many_clients", "other", "pool_locked");
      assertHasKeys(row.get("acquire_wait_ms"), "p50", "p99", "max");
      assertHasKeys(row.get("hold_ms"), "p50", "p99");
      assertHasKeys(row.get("server_connections"), "peak", "mean");
    }
    JsonNode perModule = json.get("results").get(3);
    assertThat(perModule.get("topology").asText()).isEqualTo("per-module:70x5");
    assertThat(perModule.get("failures").get("too_many_clients").asLong()).isEqualTo(1_234);
    assertThat(perModule.get("pages_per_s").asDouble()).isEqualTo(29.4);
    assertThat(json.get("server").get("max_connections").asInt()).isEqualTo(100);
    assertThat(json.get("scenario").get("seed").asLong()).isEqualTo(42);
  }

  @Test
  void skippedIsNullWhenTheTopologyRanAndTheReasonWhenNot() throws Exception {
    JsonNode results = write(SampleResults.typical()).get("results");

    assertThat(results.get(0).has("skipped")).isTrue();
    assertThat(results.get(0).get("skipped").isNull()).isTrue();
    assertThat(results.get(7).get("skipped").asText()).contains("pgbouncer is not installed");
  }

  @Test
  void convenienceMethodsDoNotLeakInAsKeys() throws Exception {
    JsonNode json = write(SampleResults.typical());

    assertThat(fieldNames(json.get("results").get(0).get("failures")))
        .containsExactly("pool_timeout", "too_many_clients", "other", "pool_locked");
    assertThat(json.get("scenario").has("duration")).as("Scenario.duration() is not a parameter").isFalse();
  }

  @Test
  void aResultsFileWrittenBeforePoolLockedExistedReadsItAsZero() throws Exception {
    Path file = dir.resolve("results.json");
    ResultsJson.write(SampleResults.typical(), file);
    Files.writeString(file, Files.readString(file).replaceAll(",\\s*\"pool_locked\"\\s*:\\s*0", ""));
    assertThat(Files.readString(file)).doesNotContain("pool_locked");

    LabResults read = ResultsJson.read(file);
    assertThat(read.results().get(0).failures()).isEqualTo(SampleResults.typical().results().get(0).failures());
    assertThat(read.results().get(0).failures().poolLocked()).isZero();
  }

  @Test
  void isPrettyPrintedWithSnakeCaseKeysOnly() throws Exception {
    Path file = dir.resolve("results.json");
    Reports.writeJson(SampleResults.typical(), file);
    String text = Files.readString(file);

    assertThat(text).contains("\n  \"server\" : {").contains("\"pages_per_s\"").contains("\"page_latency_histogram\"")
        .contains("\"server_connections_timeline\"").contains("\"up_to_ms\"").contains("\"at_ms\"");
    assertThat(text).doesNotContain("\"pagesPerS\"").doesNotContain("\"maxConnections\"");
  }

  @Test
  void readsBackWhatItWrote() throws Exception {
    LabResults sample = SampleResults.typical();
    Path file = dir.resolve("results.json");
    Reports.writeJson(sample, file);

    assertThat(Reports.readJson(file)).isEqualTo(sample);
  }

  @Test
  void writesTheComputedVerdictWhenTheResultsCarryNone() throws Exception {
    LabResults withoutVerdict = SampleResults.of(SampleResults.row("single:20").build());

    JsonNode json = write(withoutVerdict);

    assertThat(json.get("verdict").asText()).isEqualTo(Reports.verdict(withoutVerdict)).contains("single:20");
  }

  @Test
  void readerIgnoresKeysItDoesNotKnow() throws Exception {
    Path file = dir.resolve("results.json");
    Reports.writeJson(SampleResults.typical(), file);
    ObjectNode json = (ObjectNode) plain.readTree(file.toFile());
    json.put("generated_by", "a newer lab");
    ((ObjectNode) json.get("results").get(0)).put("a_figure_from_the_future", 3);
    Files.writeString(file, plain.writeValueAsString(json));

    LabResults read = Reports.readJson(file);

    assertThat(read.results()).hasSize(8);
    assertThat(read.results().get(0).topology()).isEqualTo("single:20");
  }

  @Test
  void aPredictionThatIsNotANumberStaysReadable() throws Exception {
    TopologyResult row = SampleResults.row("single:20").predicted(Double.NaN).build();
    Path file = dir.resolve("results.json");

    Reports.writeJson(SampleResults.of(row), file);

    assertThat(plain.readTree(file.toFile())).isNotNull();
    assertThat(Reports.readJson(file).results().get(0).predictedP99WaitMs()).isNaN();
  }

  @Test
  void readerFillsMissingPartsOfARowWithZeros() throws Exception {
    Path file = dir.resolve("results.json");
    Files.writeString(file, """
        {"server": {"version": "16.4", "max_connections": 100, "embedded": false},
         "results": [{"topology": "single:20", "pool": "poolwise", "pages": 10, "pages_per_s": 1.0}],
         "verdict": null}
        """);

    LabResults read = Reports.readJson(file);

    TopologyResult row = read.results().get(0);
    assertThat(row.failures().total()).isZero();
    assertThat(row.pageLatencyHistogram()).isEmpty();
    assertThat(Reports.table(read)).contains("single:20");
  }

  private JsonNode write(LabResults results) throws Exception {
    Path file = dir.resolve("results.json");
    Reports.writeJson(results, file);
    return plain.readTree(file.toFile());
  }

  private static void assertHasKeys(JsonNode node, String... keys) {
    assertThat(node).as("object").isNotNull();
    assertThat(fieldNames(node)).as("keys of %s", node).contains(keys);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
