package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./poolwise bench}: arguments, figures and one tiny real run. No timing or throughput is asserted. */
class BenchCommandTest {

  @Test
  void helpListsExamplesAndTheQuickMode() {
    String help = captureStdout(() -> assertThat(PoolwiseLab.execute("bench", "--help")).isZero());
    assertThat(help).contains("./poolwise bench --quick", "Examples:", "--clients", "no-pool limit");
    assertThat(help).contains("--barging-reference", "naive barging LIFO pool");
  }

  @Test
  void badClientsAreAUsageError() {
    assertThat(PoolwiseLab.execute("bench", "--clients", "green:10")).isEqualTo(2);
    assertThatThrownBy(() -> BenchCommand.Clients.parse("virtual:0")).hasMessageContaining("virtual:N");
    assertThat(BenchCommand.Clients.parse("virtual:10000")).isEqualTo(new BenchCommand.Clients(true, 10000));
  }

  @Test
  void medianAndSpread() {
    assertThat(BenchCommand.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(BenchCommand.median(new double[] {4, 1, 2, 3})).isEqualTo(2.5);
    assertThat(BenchCommand.spread(new double[] {5, 1, 3})).containsExactly(3, 1, 5);
  }

  @Test
  void aTinyRunWritesBenchJsonWithEveryField(@TempDir Path directory) throws Exception {
    int exit = PoolwiseLab.execute("bench", "--quiet", "--workloads", "select1", "--clients", "platform:10,virtual:30",
        "--rounds", "1", "--warmup", "0", "--seconds", "0.2", "--output-dir", directory.toString());
    assertThat(exit).isZero();
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(directory.resolve("bench.json").toFile());
    assertThat(json.get("cases")).hasSize(2);
    for (var c : json.get("cases")) {
      for (String field : List.of("case", "poolwise_ops_s", "hikari_ops_s", "limit_ops_s", "ratio_vs_hikari",
          "ratio_vs_limit", "acquire_wait_p99_ms", "acquire_wait_max_ms", "fifo_check")) {
        assertThat(c.has(field)).as(field).isTrue();
      }
      assertThat(c.get("poolwise_ops_s").get("median").asDouble()).isPositive();
      // without --barging-reference: no naive series, and the wait objects keep their two keys
      assertThat(c.get("naive_ops_s").isNull()).isTrue();
      assertThat(c.get("ratio_vs_naive").isNull()).isTrue();
      assertThat(c.get("acquire_wait_max_ms").has("naive")).isFalse();
      assertThat(c.get("acquire_wait_p99_ms").has("naive")).isFalse();
    }
    assertThat(json.get("cases").get(0).get("limit_ops_s").isNull()).isFalse();
    assertThat(json.get("cases").get(1).get("limit_ops_s").isNull()).isTrue();
    var fifo = json.get("cases").get(1).get("fifo_check");
    assertThat(fifo.get("queue_length").asInt()).isEqualTo(20);
    // Poolwise's own view of each wait ends at the hand-over, so it cannot be longer than the wait the client saw
    double handOver = fifo.get("hand_over_max_wait_ms").get("poolwise").asDouble();
    assertThat(handOver).isPositive()
        .isLessThanOrEqualTo(json.get("cases").get(1).get("acquire_wait_max_ms").get("poolwise").asDouble() + 0.01);
    assertThat(fifo.get("hand_over_factor").get("poolwise").asDouble()).isPositive();
    assertThat(json.get("command").asText()).isEqualTo("./poolwise bench --quiet --workloads select1 --clients"
        + " platform:10,virtual:30 --rounds 1 --warmup 0 --seconds 0.2 --output-dir " + directory);
    assertThat(Files.readString(directory.resolve("bench.json"))).contains("\"hikaricp\" : \"7.1.0\"");
  }

  @Test
  void theBargingReferenceAddsANaiveSeriesToOversubscribedCases(@TempDir Path directory) throws Exception {
    String table = captureStdout(() -> assertThat(PoolwiseLab.execute("bench", "--quiet", "--barging-reference",
        "--workloads", "select1", "--clients", "platform:20", "--rounds", "1", "--warmup", "0.1", "--seconds", "0.2",
        "--output-dir", directory.toString())).isZero());
    assertThat(table).contains("naive ops/s", "P/naive", "max wait N ms");
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(directory.resolve("bench.json").toFile());
    var c = json.get("cases").get(0);
    assertThat(c.get("naive_ops_s").get("median").asDouble()).isPositive();
    assertThat(c.get("naive_ops_s").get("rounds")).hasSize(1);
    assertThat(c.get("ratio_vs_naive").get("median").asDouble()).isPositive();
    assertThat(c.get("acquire_wait_p99_ms").get("naive").isNumber()).isTrue();
    assertThat(c.get("acquire_wait_max_ms").get("naive").asDouble()).isPositive();
    assertThat(c.get("acquire_wait_max_ms").has("poolwise")).isTrue();
    assertThat(json.get("order").asText()).contains("naive");
  }

  @Test
  void everyPeerAndBothReferencesRunInTheSameRounds(@TempDir Path directory) throws Exception {
    String table = captureStdout(() -> assertThat(PoolwiseLab.execute("bench", "--quiet", "--peers",
        "agroal,vibur,dbcp2,tomcat", "--fair-reference", "--barging-reference", "--workloads", "select1", "--clients",
        "virtual:20", "--rounds", "1", "--warmup", "0.1", "--seconds", "0.2", "--output-dir",
        directory.toString())).isZero());
    assertThat(table).contains("Every pool", "fair reference", "naive (barging)", "agroal", "vibur", "dbcp2",
        "tomcat", "Poolwise/pool");
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(directory.resolve("bench.json").toFile());
    var c = json.get("cases").get(0);
    assertThat(c.get("peers").fieldNames()).toIterable()
        .containsExactly("hikari", "agroal", "vibur", "dbcp2", "tomcat");
    for (var peer : c.get("peers")) {
      // A 0.2 s round right after the pool opened can end before a library's background fill serves a borrow (seen
      // with Agroal and Vibur on a loaded machine): the figures must be there, not fast. PeerCompareIntegrationTest
      // checks that each library serves real work.
      assertThat(peer.get("ops_per_s").get("rounds")).hasSize(1);
      assertThat(peer.get("ops_per_s").get("median").asDouble()).isNotNegative();
      assertThat(peer.get("ratio").get("median").isNumber()).isTrue();
      assertThat(peer.get("acquire_wait_p99_ms").isNumber()).isTrue();
      // a library that barges can serve every borrow of a 0.2 s round at once: zero is a valid longest wait
      assertThat(peer.get("acquire_wait_max_ms").asDouble()).isNotNegative();
      assertThat(peer.get("fifo_factor").isNumber()).isTrue();
    }
    // the existing keys stay, against HikariCP
    assertThat(c.get("hikari_ops_s").get("median").asDouble())
        .isEqualTo(c.get("peers").get("hikari").get("ops_per_s").get("median").asDouble());
    assertThat(c.get("fair_reference_ops_s").get("median").asDouble()).isPositive();
    assertThat(c.get("ratio_vs_fair_reference").get("median").asDouble()).isPositive();
    assertThat(c.get("acquire_wait_max_ms").get("fair_reference").isNumber()).isTrue();
    assertThat(json.get("order").asText()).contains("agroal", "fair_reference", "naive");
    assertThat(json.get("peer_settings").get("vibur").asText()).contains("poolFair=true");
    assertThat(json.get("peer_settings").get("dbcp2").asText()).contains("fairness=true");
    assertThat(json.get("peer_settings").get("tomcat").asText()).contains("fairQueue=true");
    assertThat(json.get("versions").get("agroal").asText()).isEqualTo("2.8");
  }

  @Test
  void anUnknownPeerIsAUsageError() {
    assertThat(PoolwiseLab.execute("bench", "--peers", "c3p0")).isEqualTo(2);
    assertThat(BenchCommand.peerList(List.of("tomcat", "hikari", "tomcat")))
        .containsExactly(PeerPool.HIKARI, PeerPool.TOMCAT);
    assertThat(BenchCommand.peerList(null)).containsExactly(PeerPool.HIKARI);
  }

  private static String captureStdout(Runnable action) {
    PrintStream original = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setOut(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
