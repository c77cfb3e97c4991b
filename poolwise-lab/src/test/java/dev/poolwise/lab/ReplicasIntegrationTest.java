package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The lab's many-instance topologies end to end on an embedded PostgreSQL: {@code replicas:KxN} in separate JVMs
 * (plain, {@code +fleet}, through PgBouncer) and {@code pgbouncer:KxN/M}. PgBouncer must be installed (.ci/run
 * installs it): a row skipped for a missing pgbouncer fails this test rather than passing it silently.
 */
class ReplicasIntegrationTest {

  @Test
  void replicasRunInTheirOwnJvmsAndTheirMeasurementsAreMerged() throws Exception {
    LabResults results = CompareIntegrationTest.compare("--duration", "8", "--warmup", "2", "--users", "4",
        "--max-connections", "40", "--topologies", "replicas:2x5,replicas:2x5+fleet,replicas:2x4/3,pgbouncer:4x5/4");

    assertThat(results.results()).extracting(LabResults.TopologyResult::topology)
        .containsExactly("replicas:2x5", "replicas:2x5+fleet", "replicas:2x4/3", "pgbouncer:4x5/4");
    StringBuilder rows = new StringBuilder();
    for (LabResults.TopologyResult row : results.results()) {
      rows.append(row.topology()).append(": ").append(row.pages()).append(" pages, ").append(row.requests())
          .append(" requests, ").append(row.failures()).append(", peak ").append(row.serverConnections().peak())
          .append(", skipped ").append(row.skipped()).append('\n');
    }
    for (LabResults.TopologyResult row : results.results()) {
      assertThat(row.skipped()).as(row.topology() + " skipped").isNull();
      assertThat(row.pages()).as(row.topology() + " pages in\n" + rows).isPositive();
      assertThat(row.requests()).as(row.topology() + " requests").isGreaterThanOrEqualTo(row.pages() * 8);
      assertThat(row.failures().tooManyClients()).as(row.topology() + " 53300").isZero();
      assertThat(row.pageLatencyHistogram().stream().mapToLong(LabResults.Bucket::count).sum())
          .as(row.topology() + " histogram").isEqualTo(row.pages());
      assertThat(row.serverConnections().peak()).as(row.topology() + " peak").isPositive();
      // Every replica's pool counts its failed connects; 40 slots hold what these rows open.
      assertThat(row.connectsFailed()).as(row.topology() + " connects failed").isZero();
    }
    LabResults.TopologyResult plain = results.results().get(0);
    assertThat(plain.poolCount()).isEqualTo(2);
    assertThat(plain.totalMaxConnections()).isEqualTo(10);
    // Two pools of 5 and nothing else of the lab's (the sampler excludes itself).
    assertThat(plain.serverConnections().peak()).isLessThanOrEqualTo(10);
    // The fleet adds one beacon connection per replica.
    assertThat(results.results().get(1).serverConnections().peak()).isLessThanOrEqualTo(12);
    // Through PgBouncer the server sees its server pool of 3, never the replicas' 8.
    assertThat(results.results().get(2).serverConnections().peak()).isLessThanOrEqualTo(3);
    assertThat(results.results().get(3).serverConnections().peak()).isLessThanOrEqualTo(4);
  }

  @Test
  void mergingAddsCountsAndHistograms() {
    Histogram first = new Histogram(3);
    first.recordValue(1_000);
    Histogram second = new Histogram(3);
    second.recordValue(3_000);
    second.recordValue(5_000);
    Replicas.Result a = new Replicas.Result(1, 9, new LabResults.Failures(1, 0, 0), 9, 90, Replicas.encode(first),
        Replicas.encode(first), Replicas.encode(first), 0, 5, 2);
    Replicas.Result b = new Replicas.Result(2, 20, new LabResults.Failures(0, 2, 1), 18, 200, Replicas.encode(second),
        Replicas.encode(second), Replicas.encode(second), 3, 7, 2);
    Replicas.Merged merged = Replicas.merge(List.of(a, b), true);
    assertThat(merged.snapshot().pages()).isEqualTo(3);
    assertThat(merged.snapshot().requests()).isEqualTo(29);
    assertThat(merged.snapshot().failures()).isEqualTo(new LabResults.Failures(1, 2, 1));
    assertThat(merged.snapshot().pageLatency().getTotalCount()).isEqualTo(3);
    assertThat(merged.snapshot().pageLatency().getMaxValue()).isBetween(4_990L, 5_010L);
    assertThat(merged.connectsFailed()).isEqualTo(3);
    assertThat(merged.fleetNote()).isEqualTo("fleet caps at the end 5/7");
    assertThat(Map.of(0, Replicas.usersOf(12, 5, 0), 4, Replicas.usersOf(12, 5, 4))).containsEntry(0, 3).containsEntry(4, 2);
  }
}
