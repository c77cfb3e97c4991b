package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopologyTest {

  @Test
  void parsesEveryKind() {
    assertThat(Topology.parse("single:20")).isEqualTo(new Topology("single:20", Topology.Kind.SINGLE, 1, 20, 0));
    assertThat(Topology.parse("partitioned:3x12"))
        .isEqualTo(new Topology("partitioned:3x12", Topology.Kind.PARTITIONED, 3, 12, 0));
    assertThat(Topology.parse("per-module:70x5"))
        .isEqualTo(new Topology("per-module:70x5", Topology.Kind.PER_MODULE, 70, 5, 0));
    assertThat(Topology.parse("hikari:50")).isEqualTo(new Topology("hikari:50", Topology.Kind.HIKARI, 1, 50, 0));
    assertThat(Topology.parse("pgbouncer:70x5/20"))
        .isEqualTo(new Topology("pgbouncer:70x5/20", Topology.Kind.PGBOUNCER, 70, 5, 20));
    assertThat(Topology.parse("replicas:6x20")).isEqualTo(new Topology("replicas:6x20", Topology.Kind.REPLICAS, 6, 20, 0));
    assertThat(Topology.parse("replicas:6x20+fleet"))
        .isEqualTo(new Topology("replicas:6x20+fleet", Topology.Kind.REPLICAS, 6, 20, 0));
    assertThat(Topology.parse("replicas:6x20+fleet").fleet()).isTrue();
    assertThat(Topology.parse("replicas:6x20").fleet()).isFalse();
    assertThat(Topology.parse("replicas:6x20/20"))
        .isEqualTo(new Topology("replicas:6x20/20", Topology.Kind.REPLICAS, 6, 20, 20));
    Topology auto = Topology.parse("single:auto");
    assertThat(auto.auto()).isTrue();
    assertThat(auto.withSize(17).totalMaxConnections()).isEqualTo(17);
    assertThat(Topology.parse("per-module:70x5").totalMaxConnections()).isEqualTo(350);
    assertThat(Topology.parse("hikari:20").poolLibrary()).isEqualTo("hikari");
    assertThat(Topology.parse("partitioned:3x12").poolLibrary()).isEqualTo("poolwise");
  }

  @Test
  void parsesEveryPeerAsOnePoolOfThatLibrary() {
    for (String peer : List.of("hikari", "agroal", "vibur", "dbcp2", "tomcat")) {
      Topology topology = Topology.parse(peer + ":20");
      assertThat(topology.kind().peer).isEqualTo(PeerPool.of(peer));
      assertThat(topology.poolLibrary()).isEqualTo(peer);
      assertThat(topology.isOnePool()).isTrue();
      assertThat(topology.totalMaxConnections()).isEqualTo(20);
    }
    assertThat(Topology.parse("single:20").isOnePool()).isTrue();
    assertThat(Topology.parse("partitioned:3x12").isOnePool()).isFalse();
    assertThatThrownBy(() -> Topology.parse("agroal:20+lane:4")).hasMessageContaining("single:N and partitioned");
    assertThatThrownBy(() -> Topology.parse("ucp:20")).hasMessageContaining("agroal:N");
  }

  @Test
  void parsesListsSeparatedByCommasOrSpaces() {
    List<Topology> topologies = Topology.parseAll(List.of("single:20,per-module:70x5", "hikari:20  single:auto"));
    assertThat(topologies).extracting(Topology::text)
        .containsExactly("single:20", "per-module:70x5", "hikari:20", "single:auto");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "single         | has no ':'",
      "single:       | '' in topology 'single:' is not N or auto",
      "single:twenty  | 'twenty' in topology 'single:twenty' is not N or auto",
      "single:0       | '0' in topology 'single:0' is out of range",
      "partitioned:3  | '3' in topology 'partitioned:3' is not KxN",
      "per-module:70x | '70x' in topology 'per-module:70x' is not KxN",
      "pgbouncer:70x5 | '70x5' in topology 'pgbouncer:70x5' is not KxN/M",
      "hikari:99999999999 | '99999999999' in topology 'hikari:99999999999' is out of range",
      "round-robin:3x5 | unknown topology 'round-robin'",
      "replicas:33x5  | at most 32 replicas",
      "replicas:6x20/20+fleet | +fleet applies to replicas:KxN only",
      "single:20+fleet | +fleet applies to replicas:KxN only"})
  void rejectsBadSyntaxNamingTheBadPart(String text, String message) {
    assertThatThrownBy(() -> Topology.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void parsesTheBackgroundLaneSuffixOnSingleAndPartitioned() {
    assertThat(Topology.parse("single:20+lane:4"))
        .isEqualTo(new Topology("single:20+lane:4", Topology.Kind.SINGLE, 1, 20, 0, 4));
    assertThat(Topology.parse("partitioned:3x12+lane:2"))
        .isEqualTo(new Topology("partitioned:3x12+lane:2", Topology.Kind.PARTITIONED, 3, 12, 0, 2));
    assertThat(Topology.parse("single:20").backgroundLane()).isZero();
    assertThat(Topology.parse("single:20+lane:20").backgroundLane()).isEqualTo(20);
    assertThat(Topology.parseAll(List.of("single:20,single:20+lane:4"))).extracting(Topology::text)
        .containsExactly("single:20", "single:20+lane:4");
  }

  @Test
  void findsTheLaneAndTheLanelessTwinFromTheText() {
    assertThat(Topology.withoutLane("single:20+lane:4")).isEqualTo("single:20");
    assertThat(Topology.withoutLane("partitioned:3x12+lane:2")).isEqualTo("partitioned:3x12");
    assertThat(Topology.withoutLane("single:20")).isEqualTo("single:20");
    assertThat(Topology.laneOf("single:20+lane:4")).isEqualTo(4);
    assertThat(Topology.laneOf("single:20")).isZero();
    assertThat(Topology.laneOf("single:20+lane:x")).isZero();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "single:20+lane    | '+lane' in topology 'single:20+lane' is not a lane: the only suffix is +lane:K",
      "single:20+lanes:4 | '+lanes:4' in topology 'single:20+lanes:4' is not a lane",
      "single:20+lane:4+lane:2 | is not a lane",
      "single:20+LANE:4  | is not a lane",
      "single:20+lane:0  | '0' in topology 'single:20+lane:0' is out of range: the lane may hold between 1 and the"
          + " pool's size (20)",
      "single:20+lane:21 | '21' in topology 'single:20+lane:21' is out of range",
      "partitioned:3x5+lane:6 | is out of range: the lane may hold between 1 and the pool's size (5)",
      "hikari:20+lane:4  | +lane:K applies to single:N and partitioned:KxN only",
      "per-module:70x5+lane:2 | +lane:K applies to single:N and partitioned:KxN only",
      "pgbouncer:70x5/20+lane:2 | +lane:K applies to single:N and partitioned:KxN only",
      "single:auto+lane:4 | needs a fixed pool size",
      "single:x+lane:4   | 'x' in topology 'single:x' is not N or auto"})
  void rejectsABadLaneSuffixNamingTheBadPart(String text, String message) {
    assertThatThrownBy(() -> Topology.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void syntaxErrorsListTheAcceptedForms() {
    assertThatThrownBy(() -> Topology.parse("partitioned:3")).hasMessageContaining(Topology.SYNTAX);
  }

  @Test
  void rejectsAnEmptyList() {
    assertThatThrownBy(() -> Topology.parseAll(List.of(" , "))).hasMessageContaining("no topology given");
  }

  @Test
  void badTopologyOnTheCommandLineIsAUsageErrorNamingIt() {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    int code;
    try {
      picocli.CommandLine commandLine = new picocli.CommandLine(new PoolwiseLab());
      commandLine.setErr(new java.io.PrintWriter(err, true));
      code = commandLine.execute("run", "partitioned:3y12");
    } finally {
      System.setErr(original);
    }
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("'3y12' in topology 'partitioned:3y12' is not KxN");
  }

  @Test
  void theModelSeesReplicasAsOnePoolPerUserGroupAndTheFleetAsItsEqualShare() {
    dev.poolwise.lab.model.PoolLayout plain = Predictions.layout(Topology.parse("replicas:6x20"), 96);
    assertThat(plain.routing()).isEqualTo(dev.poolwise.lab.model.PoolLayout.Routing.BY_USER);
    assertThat(plain.pools()).isEqualTo(6);
    assertThat(plain.size()).isEqualTo(20);
    // 96 slots − 6 beacons − 2 kept for a newcomer, split six ways: 14 (the lab measured caps of 14–15)
    assertThat(Predictions.layout(Topology.parse("replicas:6x20+fleet"), 96).size()).isEqualTo(14);
    assertThat(Predictions.layout(Topology.parse("replicas:6x20/20"), 96).bouncerServerPool()).isEqualTo(20);
  }
}
