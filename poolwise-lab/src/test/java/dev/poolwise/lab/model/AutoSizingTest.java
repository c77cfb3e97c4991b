package dev.poolwise.lab.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.lab.Scenario;
import org.junit.jupiter.api.Test;

class AutoSizingTest {

  @Test
  void picksTheSmallestSizeWithinTheNoiseOfTheBestAndSaysWhy() {
    Scenario scenario = new Scenario(12, 5, 1, 8, 12, 1, 3, 0.2, 0.3, 0.01, 100, 70, 2000, false, 0, 42);
    ServerModel server = ServerModel.uniform(1, 2, 3, 40);

    AutoSizing.Choice choice = AutoSizing.choose(Workload.of(scenario), server, 40);

    assertThat(choice.candidates()).extracting(AutoSizing.Candidate::size).contains(1, 2, 40).isSorted();
    AutoSizing.Candidate chosen = choice.candidates().stream().filter(c -> c.size() == choice.size()).findFirst()
        .orElseThrow();
    double best = choice.candidates().stream().mapToDouble(c -> c.prediction().pageLatencyMs().p99()).min()
        .orElseThrow();
    assertThat(chosen.prediction().pageLatencyMs().p99()).isLessThanOrEqualTo(best * 1.25);
    double mostPages = choice.candidates().stream().filter(c -> failures(c) == 0)
        .mapToDouble(c -> c.prediction().pagesPerS()).max().orElseThrow();
    assertThat(chosen.prediction().pagesPerS()).isGreaterThanOrEqualTo(AutoSizing.PAGES_SHARE * mostPages);
    for (AutoSizing.Candidate smaller : choice.candidates()) {
      if (smaller.size() < choice.size() && failures(smaller) == 0) {
        // a smaller clean size was passed over: its p99 is worse, or it serves too few pages
        assertThat(smaller.prediction().pageLatencyMs().p99() > chosen.prediction().pageLatencyMs().p99()
            || smaller.prediction().pagesPerS() < AutoSizing.PAGES_SHARE * mostPages)
            .as("size %d passed over", smaller.size()).isTrue();
      }
    }
    assertThat(choice.reason()).contains("single:auto = " + choice.size() + " connections");
  }

  @Test
  void aSizeWhoseRequestsFailFastIsNotFasterForIt() {
    // Nested requests on a pool of 1 are failed at once by the guard: short pages, every request failed.
    Scenario nested = new Scenario(12, 3, 1, 8, 12, 1, 3, 0.2, 0.3, 0.05, 100, 70, 2000, true, 0, 42);
    AutoSizing.Choice choice = AutoSizing.choose(Workload.of(nested), ServerModel.uniform(1, 2, 3, 40), 40);

    long fewest = choice.candidates().stream().mapToLong(AutoSizingTest::failures).min().orElseThrow();
    AutoSizing.Candidate chosen = choice.candidates().stream().filter(c -> c.size() == choice.size()).findFirst()
        .orElseThrow();
    assertThat(choice.size()).isGreaterThan(1);
    assertThat(failures(chosen)).isEqualTo(fewest);
  }

  private static long failures(AutoSizing.Candidate c) {
    return c.otherFailures() + c.prediction().failures().timeout() + c.prediction().failures().tooManyClients();
  }

  @Test
  void neverMoreThanTheServerAllows() {
    Scenario scenario = new Scenario(12, 3, 1, 8, 12, 1, 3, 0.2, 0.3, 0.01, 100, 70, 2000, false, 0, 42);
    AutoSizing.Choice choice = AutoSizing.choose(Workload.of(scenario), ServerModel.uniform(1, 64, 3, 6), 6);
    assertThat(choice.size()).isBetween(1, 6);
  }
}
