package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code advise} from a results.json and from numbers; the live mode is in {@link AdviseObserveTest}. */
class AdviseCommandTest {

  /**
   * The contract's keys (issue 6), as the compare command writes them, with two topologies: single:20 had
   * no failures, per-module:70x5 had 53300s. 20 s measured; 12,000 requests = 600 requests/s.
   */
  private static final String RESULTS = """
      {
        "server": {"version": "14.10", "max_connections": 100, "superuser_reserved_connections": 3, "embedded": true},
        "scenario": {"users": 20, "duration_seconds": 20, "warmup_seconds": 2, "min_requests_per_page": 8,
          "max_requests_per_page": 12, "min_queries_per_request": 1, "max_queries_per_request": 3,
          "cache_miss_probability": 0.1, "list_query_share": 0.2, "slow_query_share": 0.01, "think_time_ms": 100,
          "routes": 70, "acquire_timeout_ms": 5000, "nested": false, "seed": 42},
        "results": [
          {"topology": "single:20", "pool": "poolwise", "pages": 1200, "pages_per_s": 60.0, "requests": 12000,
           "page_latency_ms": {"p50": 40, "p95": 80, "p99": 120, "max": 300},
           "failures": {"pool_timeout": 0, "too_many_clients": 0, "other": 0},
           "acquire_wait_ms": {"p50": 0.1, "p99": 6.0, "max": 30}, "hold_ms": {"p50": 2.0, "p99": 12.0},
           "server_connections": {"peak": 20, "mean": 18}, "skipped": null},
          {"topology": "per-module:70x5", "pool": "poolwise", "pages": 900, "pages_per_s": 45.0, "requests": 9000,
           "page_latency_ms": {"p50": 60, "p95": 200, "p99": 900, "max": 5000},
           "failures": {"pool_timeout": 0, "too_many_clients": 420, "other": 0},
           "acquire_wait_ms": {"p50": 0.2, "p99": 40.0, "max": 5000}, "hold_ms": {"p50": 2.5, "p99": 15.0},
           "server_connections": {"peak": 97, "mean": 90}, "skipped": null},
          {"topology": "pgbouncer:4x10/20", "pool": "poolwise", "skipped": "pgbouncer is not installed"}
        ],
        "verdict": "..."
      }
      """;

  record Run(int exitCode, String out, String err) {}

  static synchronized Run advise(String... arguments) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      String[] withCommand = new String[arguments.length + 1];
      withCommand[0] = "advise";
      System.arraycopy(arguments, 0, withCommand, 1, arguments.length);
      int exitCode = PoolwiseLab.execute(withCommand);
      return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  @Test
  void derivesTheLoadFromTheFastestCleanRow(@TempDir Path directory) throws Exception {
    AdviseCommand.Load load = AdviseCommand.fromResults(new ObjectMapper().readTree(RESULTS), null, "results.json",
        new PrintWriter(new StringWriter()));
    // 600 requests/s × (2 × 0.1 + 2) acquisitions per request = 1320/s.
    assertThat(load.acquisitionsPerSecond()).isCloseTo(1320, within(1e-9));
    // Log-normal through p50 = 2 and p99 = 12: σ = ln 6 / 2.3263, mean = 2·e^(σ²/2).
    double sigma = Math.log(6) / 2.3263478740408408;
    assertThat(load.meanHoldMs()).isCloseTo(2 * Math.exp(sigma * sigma / 2), within(1e-9));
    assertThat(load.maxConnections()).isEqualTo(100);
    assertThat(load.reserved()).isEqualTo(3);
    assertThat(load.provenance().get(0)).contains("single:20", "fastest row without failures");
  }

  @Test
  void printsTheRecommendationTableAndReasoning(@TempDir Path directory) throws Exception {
    Path file = Files.writeString(directory.resolve("results.json"), RESULTS);
    Run run = advise("--results", file.toString());

    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    double load = 1320 * AdviseCommand.logNormalMean(2, 12) / 1000;
    Advisor.Advice expected = Advisor.advise(new Advisor.Input(1320, AdviseCommand.logNormalMean(2, 12), 97, 1, 1,
        240, 10));
    assertThat(run.out()).contains("Recommended pool size: " + expected.recommendedSize() + "\n");
    assertThat(run.out()).contains(String.format(java.util.Locale.ROOT, "%.2f connections busy on average", load));
    assertThat(run.out()).contains("← used", "per-module:70x5", "size", "utilisation", "P(wait)", "p99 wait",
        "← recommended", "Little's law", "Erlang C", "max_connections 100 − 3 reserved − 0 other clients = 97");
    assertThat(run.out()).doesNotContain("pgbouncer:4x10/20"); // skipped rows are not measurements
    // The model is checked against the single-pool row: its own prediction is printed next to the measured 6.0 ms.
    assertThat(run.out()).containsPattern("single:20 .* 6\\.0 ms +\\d+\\.\\d ms +← used");
  }

  @Test
  void aTopologyCanBeChosenAndInstancesShareTheBudget(@TempDir Path directory) throws Exception {
    Path file = Files.writeString(directory.resolve("results.json"), RESULTS);
    Run run = advise("--results", file.toString(), "--topology", "per-module:70x5", "--instances", "70");
    assertThat(run.out()).contains("Row per-module:70x5, as asked", "97 server connections ÷ 70 instances = 1 per"
        + " instance", "does not fit", "PgBouncer");
    assertThat(run.out()).contains("Recommended pool size: 1 per instance (× 70 instances = 70)");
    assertThat(run.exitCode()).isEqualTo(1);
  }

  @Test
  void whatIfFromNumbers() {
    Run run = advise("--rate", "2000", "--mean-hold-ms", "5", "--max-connections", "100", "--target-p99-ms", "10");
    int expected = Advisor.advise(new Advisor.Input(2000, 5, 97, 1, 1, 0, 10)).recommendedSize();
    assertThat(run.out()).contains("2000 acquisitions/s and 5 ms mean hold, as given",
        "Recommended pool size: " + expected);
    // The first stable size is 11 (load 10): P(wait) 68.2 %, the call-centre example.
    assertThat(run.out()).containsPattern("11\\s+90\\.9%\\s+68\\.2%");
    assertThat(run.out()).containsPattern("10\\s+100% \\(overloaded\\)\\s+100\\.0%\\s+∞");
  }

  @Test
  void badInputIsExplained(@TempDir Path directory) throws Exception {
    assertThat(advise().err()).contains("give exactly one of --results FILE, --jfr FILE, --url URL or --rate N");
    assertThat(advise("--rate", "10").err()).contains("--rate needs --mean-hold-ms");
    Path empty = Files.writeString(directory.resolve("results.json"), "{\"results\": []}");
    Run run = advise("--results", empty.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("has no \"results\" rows");
    assertThat(advise("--results", directory.resolve("missing.json").toString()).err()).contains("could not read");
  }

  @Test
  void helpHasExamples() {
    Run run = advise("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--results", "--url", "--observe-seconds", "--instances", "--target-p99-ms",
        "--max-connections", "Examples:", "./poolwise advise --results results.json");
  }
}
