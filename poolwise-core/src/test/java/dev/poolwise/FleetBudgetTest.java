package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwise.FleetBudget.Decision;
import dev.poolwise.FleetBudget.FleetView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The fleet's arithmetic and naming on fixed numbers; the behaviour on PostgreSQL is in FleetBudgetPostgresTest. */
class FleetBudgetTest {

  @Test
  void maxMinFairnessGivesSmallDemandsWhatTheyWantAndSplitsTheRest() {
    Map<String, Integer> shares = FleetBudget.maxMinShares(Map.of("a", 2, "b", 50, "c", 50), 97);
    assertThat(shares).containsEntry("a", 2).containsEntry("b", 48).containsEntry("c", 47);
    assertThat(FleetBudget.maxMinShares(Map.of("a", 0, "b", 0), 10)).containsEntry("a", 1).containsEntry("b", 1);
    // Twelve equal members share 97: 8 or 9 each, never more than the budget together.
    Map<String, Integer> twelve = new java.util.HashMap<>();
    for (int i = 0; i < 12; i++) {
      twelve.put(String.format("m%02d", i), 20);
    }
    Map<String, Integer> split = FleetBudget.maxMinShares(twelve, 97);
    assertThat(split.values()).allSatisfy(share -> assertThat(share).isBetween(8, 9));
    assertThat(split.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(97);
  }

  @Test
  void everyMemberComputesTheSameSplitWhateverOrderItReadsTheRowsIn() {
    List<String> rows = new ArrayList<>();
    for (String member : List.of("aaaa0001", "bbbb0002", "cccc0003")) {
      rows.add("pwf:orders:" + member + ":40");
      for (int i = 0; i < 10; i++) {
        rows.add("pwf:orders:" + member + " orders-service");
      }
    }
    rows.add("psql");
    rows.add("pwf:other:dddd0004:5");
    FleetView view = FleetView.of(rows, "orders");
    Collections.shuffle(rows);
    assertThat(FleetView.of(rows, "orders")).isEqualTo(view);
    assertThat(view.held()).containsEntry("aaaa0001", 10).hasSize(3);
    assertThat(view.demand()).containsEntry("cccc0003", 40).hasSize(3);
    assertThat(view.outside()).isEqualTo(2); // psql and the other fleet's beacon
    int sum = 0;
    for (String member : view.members()) {
      Decision decision = FleetBudget.decide(view, member, 40, 40, 10, 97);
      assertThat(decision.members()).isEqualTo(3);
      assertThat(decision.budget()).isEqualTo(97 - 2 - 3 - FleetBudget.NEWCOMER_HEADROOM);
      sum += decision.share();
    }
    assertThat(sum).isEqualTo(90);
  }

  @Test
  void aMemberBelowItsShareGrowsOnlyIntoFreeSlots() {
    // Busy member "a" holds 90 of 97, idle member "b" now wants 40: b's share is 46, but only 5 slots are free.
    List<String> rows = new ArrayList<>(Collections.nCopies(90, "pwf:f:a"));
    rows.add("pwf:f:a:97");
    rows.add("pwf:f:b:0");
    Decision b = FleetBudget.decide(FleetView.of(rows, "f"), "b", 40, 97, 0, 97);
    assertThat(b.share()).isEqualTo(40);
    assertThat(b.cap()).isEqualTo(3); // 97 − 92 clients − 2 kept for a newcomer
    Decision a = FleetBudget.decide(FleetView.of(rows, "f"), "a", 97, 97, 90, 97);
    assertThat(a.share()).isEqualTo(92); // 97 − 2 beacons − 2 for a newcomer, and b still published 0 (counted as 1)
    rows.set(rows.size() - 1, "pwf:f:b:40");
    Decision aAfter = FleetBudget.decide(FleetView.of(rows, "f"), "a", 97, 97, 90, 97);
    assertThat(aAfter.cap()).isEqualTo(53); // 93 − 40: a shrinks to make room
  }

  @Test
  void theSettingComesFromTheBuilderPropertiesAndUrl() {
    PoolSettings built = PoolwiseDataSource.builder().url("jdbc:postgresql://localhost/shop?application_name=orders")
        .fleet("orders").settings();
    assertThat(built.fleet()).isEqualTo("orders");
    assertThat(built.driverProperties().get("ApplicationName")).matches("pwf:orders:[0-9a-f]{8} orders");
    assertThat(built.driverProperties()).containsEntry("assumeMinServerVersion", "9.0");

    Properties properties = new Properties();
    properties.setProperty("poolwise.url", "jdbc:postgresql://localhost/shop");
    properties.setProperty("poolwise.fleet", "billing");
    properties.setProperty("poolwise.fleetInterval", "2s");
    PoolSettings fromProperties = PoolwiseDataSource.builder().properties(properties).settings();
    assertThat(fromProperties.fleet()).isEqualTo("billing");
    assertThat(fromProperties.fleetInterval()).hasSeconds(2);

    assertThat(PoolwiseDataSource.builder().url("postgresql://app@localhost/shop?fleet=web").settings().fleet())
        .isEqualTo("web");
    assertThatThrownBy(() -> PoolwiseDataSource.builder().url("jdbc:postgresql://localhost/shop").fleet("no spaces")
        .settings()).hasMessageContaining("fleet must be 1 to 24 letters");
    assertThatThrownBy(() -> PoolwiseDataSource.builder().url("jdbc:postgresql://localhost/shop?ApplicationName=x")
        .fleet("web").settings()).hasMessageContaining("application_name");
  }
}
