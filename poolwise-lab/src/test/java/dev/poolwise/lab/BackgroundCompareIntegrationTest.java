package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A short {@code compare --background} on an embedded PostgreSQL: a pool without a lane and the same pool with
 * a background lane both carry background figures (three background requests after every measured page), the
 * lane row never holds more server connections than the pool, and the verdict weighs the lane against its twin,
 * whichever way the numbers went. About 15 s.
 */
class BackgroundCompareIntegrationTest {

  @Test
  void bothRowsCarryBackgroundFiguresAndTheVerdictWeighsTheLane() throws Exception {
    // A generous acquire timeout: this test is about what is recorded, not about a loaded CI machine's latency.
    LabResults results = CompareIntegrationTest.compare("--duration", "2", "--warmup", "1", "--users", "6",
        "--background", "3", "--acquire-timeout", "30000", "--topologies", "single:10,single:10+lane:2");

    assertThat(results.scenario().backgroundRequests()).isEqualTo(3);
    assertThat(results.results()).extracting(LabResults.TopologyResult::topology)
        .containsExactly("single:10", "single:10+lane:2");
    for (LabResults.TopologyResult row : results.results()) {
      assertThat(row.skipped()).as(row.topology() + " skipped").isNull();
      assertThat(row.pages()).as(row.topology() + " pages").isPositive();
      LabResults.Background background = row.background();
      assertThat(background).as(row.topology() + " background").isNotNull();
      assertThat(background.requests()).as(row.topology() + ": 3 after every measured page")
          .isEqualTo(3 * row.pages());
      assertThat(background.failures().total()).as(row.topology() + " failed background requests").isZero();
      assertThat(background.latencyMs().p50()).isPositive().isLessThanOrEqualTo(background.latencyMs().p99());
      assertThat(background.latencyP99CiMs().low()).isLessThanOrEqualTo(background.latencyP99CiMs().high());
      assertThat(row.pageLatencyP99CiMs().low()).isLessThanOrEqualTo(row.pageLatencyP99CiMs().high())
          .isLessThanOrEqualTo(row.pageLatencyMs().max());
      assertThat(row.serverConnections().peak()).as(row.topology() + " peak").isLessThanOrEqualTo(10);
    }
    assertThat(results.verdict()).containsPattern("With 3 background requests after every page, single:10\\+lane:2"
        + " (lowered|raised|did not change) the foreground p99 page latency");
  }
}
