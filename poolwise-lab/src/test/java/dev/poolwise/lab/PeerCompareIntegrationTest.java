package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The seed's scenario runs against every peer library ({@code agroal:N}, {@code vibur:N}, {@code dbcp2:N},
 * {@code tomcat:N}) on an embedded PostgreSQL, each measured like Poolwise's own rows. A smoke of each library's
 * configuration and of the lab's plumbing, not a speed test: no throughput is asserted.
 */
class PeerCompareIntegrationTest {

  @Test
  void everyPeerServesThePageLoadScenarioWithinItsSize() throws Exception {
    LabResults results = CompareIntegrationTest.compare("--duration", "2", "--warmup", "1", "--users", "4",
        "--max-connections", "100", "--topologies", "agroal:6,vibur:6,dbcp2:6,tomcat:6");

    assertThat(results.results()).extracting(LabResults.TopologyResult::topology)
        .containsExactly("agroal:6", "vibur:6", "dbcp2:6", "tomcat:6");
    for (LabResults.TopologyResult row : results.results()) {
      String name = row.topology();
      assertThat(row.skipped()).as(name + " skipped").isNull();
      assertThat(row.pool()).as(name + " library").isEqualTo(Topology.parse(name).poolLibrary());
      assertThat(row.pages()).as(name + " pages").isPositive();
      assertThat(row.requests()).as(name + " requests").isGreaterThanOrEqualTo(row.pages() * 8);
      assertThat(row.failures().tooManyClients()).as(name + " 53300").isZero();
      assertThat(row.totalMaxConnections()).as(name + " size").isEqualTo(6);
      // the library kept to its size: the lab's own connections are not counted in the peak
      assertThat(row.serverConnections().peak()).as(name + " peak").isLessThanOrEqualTo(6);
    }
  }
}
