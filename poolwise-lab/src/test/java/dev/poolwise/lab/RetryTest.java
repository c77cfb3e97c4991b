package dev.poolwise.lab;

import static dev.poolwise.lab.SampleResults.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.testkit.StubDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code --retry}, the seed's {@code executeWithRetry}: parsing, the page-load workload retrying a request whose
 * connection did not come in time (on the stub driver, with the pool's only connection held by the test), and the
 * retries in the table, the verdict and results.json.
 */
class RetryTest {

  private final StubDatabase database = StubDatabase.create();
  private PoolwiseDataSource pool;

  @TempDir
  Path dir;

  @AfterEach
  void close() {
    if (pool != null) {
      pool.close();
    }
    database.forget();
  }

  /* --- Parsing --- */

  @Test
  void parsesTriesAndIntervalLikeTheSeedsHelper() {
    assertThat(retry("3x1000ms")).isEqualTo(new RetryPolicy(3, Duration.ofSeconds(1)));
    assertThat(retry("3x1s")).isEqualTo(new RetryPolicy(3, Duration.ofSeconds(1)));
    assertThat(retry("2x1.5s")).isEqualTo(new RetryPolicy(2, Duration.ofMillis(1_500)));
    assertThat(retry("4x250")).isEqualTo(new RetryPolicy(4, Duration.ofMillis(250)));
    assertThat(retry("1x0ms").retries()).isFalse();
    assertThat(retry(null)).isEqualTo(RetryPolicy.NONE);
  }

  @Test
  void aBadRetryIsAUsageErrorThatShowsTheForm() {
    for (String bad : List.of("3", "0x1s", "x1s", "3x-1s", "3x1h", "101x1ms", "3x61m")) {
      assertThatThrownBy(() -> retry(bad)).as(bad).isInstanceOf(ParameterException.class)
          .hasMessageContaining("--retry must be TRIESxINTERVAL").hasMessageContaining("e.g. 3x1000ms");
    }
  }

  @Test
  void theScenarioCarriesTheRetryAndAScenarioWithoutItHasOneTry() {
    CompareCommand compare = new CompareCommand();
    CommandLine line = new CommandLine(compare);
    line.parseArgs("--retry", "3x1000ms");

    Scenario scenario = compare.options.scenario(line.getCommandSpec());

    assertThat(scenario.retryTries()).isEqualTo(3);
    assertThat(scenario.retryIntervalMs()).isEqualTo(1_000);
    assertThat(scenario.retryPolicy()).isEqualTo(new RetryPolicy(3, Duration.ofSeconds(1)));
    assertThat(SampleResults.SCENARIO.retryPolicy()).isEqualTo(RetryPolicy.NONE);
  }

  /* --- The workload --- */

  @Test
  void aRequestThatNeverGetsAConnectionTriesEveryTryThenFailsAsATimeout() throws Exception {
    pool = onePooledConnection(Duration.ofMillis(50));
    Measurements pages = new Measurements();
    try (Connection held = pool.getConnection()) {
      PageLoadWorkload workload = workload(new RetryPolicy(3, Duration.ofMillis(20)), pages);
      List<Thread> users = workload.start();
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> pages.requestsSoFar() >= 2);
      } finally {
        assertThat(workload.stopAndJoin(users, Duration.ofSeconds(60))).as("users stopped").isTrue();
      }
    }

    Measurements.Snapshot measured = pages.snapshot();
    long requests = measured.requests();
    assertThat(requests).isGreaterThanOrEqualTo(2);
    assertThat(measured.failures().poolTimeout()).isEqualTo(requests);
    assertThat(measured.retries()).isEqualTo(new LabResults.Retries(2 * requests, requests, 0, requests));
    // Three acquire timeouts and two intervals at the least: 3 × 50 + 2 × 20 ms.
    assertThat(measured.pageLatency().getMinValue()).isGreaterThanOrEqualTo(190_000);
  }

  @Test
  void aRetryThatFindsAConnectionSucceeds() throws Exception {
    pool = onePooledConnection(Duration.ofMillis(100));
    Measurements pages = new Measurements();
    PageLoadWorkload workload = workload(new RetryPolicy(100, Duration.ofMillis(20)), pages);
    List<Thread> users;
    try (Connection held = pool.getConnection()) {
      users = workload.start();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
          .until(() -> pool.snapshot().timeouts() >= 1);
    } // released: the next try finds it
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> pages.requestsSoFar() >= 1);
    } finally {
      assertThat(workload.stopAndJoin(users, Duration.ofSeconds(60))).as("users stopped").isTrue();
    }

    Measurements.Snapshot measured = pages.snapshot();
    assertThat(measured.retries().succeededOnRetry()).isGreaterThanOrEqualTo(1);
    assertThat(measured.retries().failedAfterAllTries()).isZero();
    assertThat(measured.failures().total()).isZero();
  }

  /** A pool of one connection, opened before the test borrows it (the short acquire timeout is for the workload). */
  private PoolwiseDataSource onePooledConnection(Duration acquireTimeout) throws Exception {
    PoolwiseDataSource opened = PoolwiseDataSource.builder().url(database.url()).maxSize(1).minIdle(1)
        .acquireTimeout(acquireTimeout).build();
    await().atMost(Duration.ofSeconds(30)).until(() -> opened.snapshot().idle() == 1);
    return opened;
  }

  /** One user, one request a page, one query a request, no cache lookups: every request is one borrow. */
  private PageLoadWorkload workload(RetryPolicy retry, Measurements pages) {
    Scenario scenario = new Scenario(1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 50, false, 0, 7L).withRetry(retry);
    PageLoadWorkload workload = new PageLoadWorkload(scenario, new PoolGroup.RoundRobin(List.of(pool), null), pages,
        new Measurements());
    long now = System.nanoTime();
    workload.measureUntil(now, now + Duration.ofMinutes(5).toNanos());
    return workload;
  }

  /* --- Reports --- */

  @Test
  void theTableTheVerdictAndResultsJsonShowTheRetries() throws Exception {
    Scenario scenario = SampleResults.SCENARIO.withRetry(new RetryPolicy(3, Duration.ofSeconds(1)));
    LabResults results = new LabResults(SampleResults.SERVER, scenario, List.of(
        row("single:20").requests(9_000).failures(32, 0, 0).latency(200, 1_500, 2_900, 6_500)
            .retries(530, 412, 380, 32).build()), null);

    String table = Reports.table(results);
    Path file = dir.resolve("results.json");
    Reports.writeJson(results, file);
    JsonNode json = ResultsJson.mapper().readTree(Files.readString(file));

    assertThat(table).contains("retries (--retry)").contains("gave up")
        .containsPattern("single:20 .* 32\\s+0\\s+0\\s+0\\s+530\\s+412\\s+32\\s");
    assertThat(Reports.verdict(results)).contains("single:20 retried 412 of 9,000 requests after a pool timeout (530"
        + " more tries, up to 3 tries 1,000 ms apart): 380 succeeded on a later try and 32 timed out on every try;"
        + " each retry kept its page waiting for an acquire timeout (2,000 ms) and the interval, p99 page latency"
        + " 2,900 ms.");
    assertThat(json.at("/scenario/retry_tries").asInt()).isEqualTo(3);
    assertThat(json.at("/scenario/retry_interval_ms").asLong()).isEqualTo(1_000);
    assertThat(json.at("/results/0/retries/retried_requests").asLong()).isEqualTo(412);
    assertThat(json.at("/results/0/retries/failed_after_all_tries").asLong()).isEqualTo(32);
    assertThat(Reports.readJson(file).results().get(0).retries()).isEqualTo(new LabResults.Retries(530, 412, 380, 32));
    assertThat(Reports.readJson(file).scenario()).isEqualTo(scenario);
  }

  @Test
  void withoutRetriesTheTableHasNoRetryColumnsAndOldResultsReadAsOneTry() throws Exception {
    assertThat(Reports.table(SampleResults.typical())).doesNotContain("retries");
    Path file = dir.resolve("old.json");
    String old = ResultsJson.toJson(SampleResults.typical()).replaceAll("\\s*\"retry_tries\" : \\d+,", "")
        .replaceAll(",\\s*\"retry_interval_ms\" : \\d+", "");
    Files.writeString(file, old);

    assertThat(old).doesNotContain("retry_");
    assertThat(Reports.readJson(file).scenario().retryPolicy()).isEqualTo(RetryPolicy.NONE);
  }

  private static RetryPolicy retry(String text) {
    return LabOptions.retryPolicy(new CommandLine(new CompareCommand()).getCommandSpec(), text);
  }
}
