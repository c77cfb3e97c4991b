package dev.poolwise.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./poolwise run TOPOLOGY}: the page-load scenario against one topology, reported as {@code compare} does. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Runs the page-load scenario against ONE pool topology and prints its row of the table; writes"
            + " results.json and report.html into --output-dir. Same scenario and options as 'compare'.",
        "",
        "Topology: " + Topology.SYNTAX,
        ""},
    footerHeading = "%nExamples:%n",
    footer = {
        "  ./poolwise run single:20",
        "  ./poolwise run per-module:70x5 --duration 10",
        "      the seed's 70 client instances against max_connections = 100",
        "  ./poolwise run single:20 --nested --multiple-acquisition FAIL",
        "      requests hold one connection while borrowing more; the guard refuses them",
        "  ./poolwise run pgbouncer:70x5/20",
        "      70 pools of 5 through PgBouncer (transaction mode, 20 server connections)",
        "  ./poolwise run single:20 --users 40 --retry 3x1000ms",
        "      overload with the seed's retries: a request that timed out tries twice more, 1 s apart",
        "  ./poolwise run single:20 --jfr single20.jfr && ./poolwise advise --jfr single20.jfr",
        "      record Poolwise's JFR events of the run, then size the pool from the recording",
        "",
        "Exit codes: 0 done, 1 the run failed (e.g. server unreachable), 2 bad arguments."})
final class RunCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  LabOptions options;

  @Parameters(index = "0", paramLabel = "TOPOLOGY", description = "The topology, e.g. single:20 or per-module:70x5.")
  String topology;

  @Option(names = "--jfr", paramLabel = "FILE",
      description = "Also write a JFR recording of Poolwise's events (dev.poolwise.Acquire, Release, Timeout, Leak)"
          + " for the whole run, warm-up included: what a production recording would hold, for './poolwise advise"
          + " --jfr FILE'.")
  Path jfr;

  @Override
  public Integer call() {
    options.jfrRecording = jfr;
    return options.execute(spec, LabOptions.topologies(spec, List.of(topology)));
  }
}
