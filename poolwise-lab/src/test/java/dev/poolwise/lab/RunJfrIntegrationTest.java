package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.lab.model.ObservedBorrow;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./poolwise run single:5 --jfr FILE --retry 2x10ms} on an embedded PostgreSQL, as the command line would
 * run it: the recording holds the run's borrows, paired, the run's own warm-up apart in a pool of its own, and the
 * row carries its retries. About 25 s.
 */
class RunJfrIntegrationTest {

  @TempDir
  Path dir;

  @Test
  void runWritesARecordingOfItsBorrowsAndCountsRetries() throws Exception {
    Path file = dir.resolve("run.jfr");
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs("single:5", "--duration", "2", "--warmup", "1", "--users", "4", "--retry",
        "2x10ms", "--jfr", file.toString());
    run.options.jfrRecording = run.jfr;
    Scenario scenario = run.options.scenario(run.spec);

    LabResults results = run.options.run(scenario, LabOptions.topologies(run.spec, List.of(run.topology)), null);

    LabResults.TopologyResult row = results.results().get(0);
    assertThat(row.skipped()).isNull();
    assertThat(row.pages()).isPositive();
    assertThat(row.retries()).as("the scenario retried, so the row counts retries").isNotNull();
    assertThat(row.pagesPerSCi()).isNotNull();
    assertThat(results.scenario().retryTries()).isEqualTo(2);
    JfrBorrowTrace.Trace trace = JfrBorrowTrace.read(file);
    List<ObservedBorrow> borrows = trace.borrows().stream().filter(b -> b.pool().equals("lab-single")).toList();
    // Every measured request borrowed at least once; the recording also holds the pages after the window.
    assertThat((long) borrows.size()).isGreaterThanOrEqualTo(row.requests());
    assertThat(borrows).allSatisfy(b -> assertThat(b.tag()).startsWith("GET /api/route-"));
    assertThat(trace.heldAtEnd()).isZero();
    // The warm-up before the calibration ran the scenario on a pool named apart, so advise does not mix it in.
    assertThat(JfrBorrowTrace.traffic(trace)).extracting(JfrBorrowTrace.PoolTraffic::pool)
        .containsExactlyInAnyOrder("lab-single", PoolGroup.WARM_UP_POOL);
    assertThat(JfrBorrowTrace.traffic(trace)).filteredOn(t -> t.pool().equals("lab-single")).singleElement()
        .satisfies(t -> assertThat(t.peakBorrowed()).isBetween(1, 5));
  }
}
