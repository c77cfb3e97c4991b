package dev.poolwise.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./poolwise compare}: the seed's question — one pool, a few pools, or seventy? — answered by running the
 * page-load scenario against every topology on one PostgreSQL and printing them side by side.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
    headerHeading = "%n", synopsisHeading = "Usage: ",
    description = {
        "Runs the page-load scenario (users loading pages that fan out 8-12 parallel API requests of 1-3"
            + " queries each, every query on its own connection) against each pool topology in turn, on one"
            + " PostgreSQL (an embedded one with max_connections = 100 unless --url is given), and prints one"
            + " table: pages/s, page latency, failed requests by cause, acquire wait, hold time and server"
            + " connections. Each row is predicted first by the workload model, calibrated on the server in about"
            + " 8 s before the first row, and the table shows predicted beside measured (docs/model.md)."
            + " Writes results.json and report.html into --output-dir.",
        "",
        "Topologies:",
        "  single:N           one Poolwise pool of N",
        "  single:auto        one pool sized by the workload model (simulation, docs/model.md) before it runs",
        "  partitioned:KxN    K Poolwise pools of N, round robin per request (the seed's \"middle way\")",
        "  per-module:KxN     K lazily-growing pools of N, each API route bound to one (the seed's 70 clients)",
        "  hikari:N           one HikariCP pool of N, same timeout (the peer)",
        "  pgbouncer:KxN/M    K pools of N through PgBouncer in transaction mode with a server pool of M",
        "                     (skipped with the reason when pgbouncer is not installed)",
        "",
        "Default: " + CompareCommand.DEFAULT_TOPOLOGIES + ", plus " + CompareCommand.PGBOUNCER_TOPOLOGY
            + " when pgbouncer is installed; about 3 minutes on a 2-core machine.",
        ""},
    footerHeading = "%nExamples:%n",
    footer = {
        "  ./poolwise compare",
        "      every default topology on an embedded PostgreSQL (max_connections = 100)",
        "  ./poolwise compare --topologies single:20,partitioned:3x12,per-module:70x5 --duration 10",
        "      three topologies, 10 measured seconds each",
        "  ./poolwise compare --users 30 --nested --topologies 'single:20 hikari:20'",
        "      heavier load with requests that hold one connection while borrowing others",
        "  ./poolwise compare --users 40 --retry 3x1000ms --topologies single:20,single:50",
        "      overload with the seed's executeWithRetry: a timed-out request tries twice more, 1 s apart",
        "  ./poolwise compare --url postgresql://app:secret@localhost:5432/app --output-dir /tmp/lab",
        "      your own (local) server; the lab seeds its schema poolwise_lab there",
        "",
        "Exit codes: 0 done, 1 the run failed (e.g. server unreachable), 2 bad arguments."})
final class CompareCommand implements Callable<Integer> {

  static final String DEFAULT_TOPOLOGIES = "single:20 single:50 partitioned:3x12 per-module:70x5 hikari:20 hikari:50 single:auto";
  static final String PGBOUNCER_TOPOLOGY = "pgbouncer:70x5/20";

  @Spec
  CommandSpec spec;

  @Mixin
  LabOptions options;

  @Option(names = {"-t", "--topologies"}, paramLabel = "TOPOLOGY", split = ",", arity = "1..*",
      description = {"Topologies to run, in order, comma- or space-separated (default: see above)."})
  List<String> topologies;

  @Override
  public Integer call() {
    return options.execute(spec, LabOptions.topologies(spec, topologies != null ? topologies : defaultTopologies()));
  }

  /** The default list; the PgBouncer row only when the binary is there (so nobody sees a row they cannot get). */
  static List<String> defaultTopologies() {
    List<String> defaults = new ArrayList<>(List.of(DEFAULT_TOPOLOGIES.split(" ")));
    if (PgBouncerProcess.findBinary().isPresent()) {
      defaults.add(PGBOUNCER_TOPOLOGY);
    }
    return defaults;
  }
}
