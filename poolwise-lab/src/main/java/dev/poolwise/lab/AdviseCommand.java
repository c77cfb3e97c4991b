package dev.poolwise.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwise.lab.model.AutoSizing;
import dev.poolwise.lab.model.Calibration;
import dev.poolwise.lab.model.Prediction;
import dev.poolwise.lab.model.ServerModel;
import dev.poolwise.lab.model.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./poolwise advise}: a pool size from a measured load, with the reasoning in numbers (see
 * {@link Advisor} for the model). The load comes from one of three places: a {@code results.json} written by
 * {@code compare}/{@code run}, a live server observed for a while, or numbers given on the command line.
 */
@Command(name = "advise", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Recommend a pool size from a measured load: Little's law (offered load = acquisitions/s × mean hold),"
            + " Erlang C (probability of waiting and p99 acquire wait per candidate size), the server's connection"
            + " budget shared by --instances, and the pool-locking floor when a request holds one connection"
            + " while it asks for more.",
        "",
        "The load comes from exactly one of:",
        "  --results FILE   a results.json from './poolwise compare' or 'run'. The row used is --topology, or the"
            + " fastest row without failures (the least constrained measurement of the demand). Acquisitions/s"
            + " come from the row's own count when it has one, else requests ÷ duration × acquisitions per"
            + " request (2 × cache-miss probability for the user and organization lookups, plus the mean"
            + " queries per request, plus 1 in nested mode). The mean hold is the row's mean when present,"
            + " else estimated from its p50 and p99 with a log-normal fit.",
        "  --url URL        a live server, observed for --observe-seconds: pg_stat_activity is sampled for the"
            + " application's connections (active or idle in transaction = busy), so the mean busy count IS the"
            + " offered load. Acquisitions/s are the database's transactions/s from pg_stat_database (exact for"
            + " autocommit queries, database-wide), unless --mean-hold-ms is given. A connection a pool has lent"
            + " out but that sits between two autocommit statements shows as idle, so this undercounts holds"
            + " that do work outside the database; the advice says so.",
        "  --jfr FILE       a JFR recording of Poolwise's events (dev.poolwise.Acquire/Release/Timeout, recorded with"
            + " JFR's default or profile settings, or by './poolwise run … --jfr FILE'): each borrow's wait and hold"
            + " as the pool measured them, per pool; acquisitions/s are the borrows over the recording's span, the"
            + " pool-locking floor comes from the most connections one thread held at once.",
        "  --rate N         acquisitions per second, with --mean-hold-ms: a what-if without measuring.",
        ""},
    footerHeading = "%nExamples:%n",
    footer = {
        "  ./poolwise advise --results results.json",
        "  ./poolwise advise --results results.json --topology single:50 --instances 3 --target-p99-ms 5",
        "  ./poolwise advise --url jdbc:postgresql://localhost:5432/app --user postgres --observe-seconds 60"
            + " --application-name billing",
        "  ./poolwise advise --rate 2000 --mean-hold-ms 5 --max-connections 100 --instances 4",
        "  ./poolwise advise --jfr recording.jfr --max-connections 100",
        "",
        "Exit status: 0 a size that fits, 1 the workload does not fit the server budget, 2 bad input."})
final class AdviseCommand implements Callable<Integer> {

  @Option(names = "--results", paramLabel = "FILE", description = "A results.json to take the load from.")
  Path results;

  @Option(names = "--topology", paramLabel = "NAME",
      description = "Which results.json row to use (default: the fastest row without failures).")
  String topology;

  @Option(names = "--jfr", paramLabel = "FILE",
      description = "A JFR recording with Poolwise's events (e.g. from './poolwise run … --jfr FILE' or a production"
          + " JVM): borrows/s, waits, holds, tags and threads per pool, and a size for each.")
  Path jfr;

  @Option(names = "--server-cores", paramLabel = "N",
      description = "With --jfr: the database server's cores for the replay of the recording (holds stretch when more"
          + " of them run than the server has cores). Default: this machine's processors, said in the output.")
  Double serverCores;

  @Option(names = "--sizes", paramLabel = "N,N…", split = ",",
      description = "With --jfr: the pool sizes to replay the recording at (default: a quarter to twice the recorded"
          + " peak).")
  List<Integer> replaySizes;

  @Option(names = "--url", paramLabel = "URL",
      description = "A live server to observe: JDBC URL or DATABASE_URL (loopback only unless --allow-remote).")
  String url;

  @Option(names = "--user", paramLabel = "ROLE", description = "Role for --url when the URL names none"
      + " (password from PGPASSWORD). A superuser or pg_read_all_stats sees every application's state.")
  String user;

  @Option(names = "--allow-remote", description = "Allow a --url host that is not a loopback address.")
  boolean allowRemote;

  @Option(names = "--observe-seconds", defaultValue = "30", paramLabel = "SECONDS",
      description = "How long to observe --url (default: ${DEFAULT-VALUE}).")
  int observeSeconds;

  @Option(names = "--sample-ms", defaultValue = "100", paramLabel = "MS",
      description = "Sampling interval while observing (default: ${DEFAULT-VALUE}).")
  int sampleMs;

  @Option(names = "--application-name", paramLabel = "NAME",
      description = "Observe only connections with this application_name (default: every other client"
          + " connection to the URL's database).")
  String applicationName;

  @Option(names = "--rate", paramLabel = "PER_SECOND",
      description = "Acquisitions per second of ONE instance (what-if mode); the advice is that instance's pool.")
  Double rate;

  @Option(names = "--mean-hold-ms", paramLabel = "MS",
      description = "Mean connection hold in ms: required with --rate; overrides the measured one otherwise.")
  Double meanHoldMs;

  @Option(names = "--instances", defaultValue = "1", paramLabel = "N",
      description = "Service instances sharing the server (default: ${DEFAULT-VALUE}).")
  int instances;

  @Option(names = "--target-p99-ms", paramLabel = "MS",
      description = "Acceptable p99 acquire wait (default: 10 ms, or a tenth of the scenario's acquire timeout"
          + " when that is smaller).")
  Double targetP99Ms;

  @Option(names = "--max-connections", paramLabel = "N",
      description = "The server's max_connections (default: from results.json or the live server).")
  Integer maxConnections;

  @Option(names = "--reserved-connections", paramLabel = "N",
      description = "Slots ordinary roles may not use: superuser_reserved_connections + reserved_connections"
          + " (default: from results.json or the live server, else 3, PostgreSQL's default).")
  Integer reservedConnections;

  @Option(names = "--other-clients", paramLabel = "N",
      description = "Server connections used by other applications (default: 0 for results.json and --rate;"
          + " the peak seen for --url).")
  Integer otherClients;

  @Option(names = "--threads", paramLabel = "N",
      description = "Threads that may hold connections at once, for the pool-locking floor (default for"
          + " results.json: users × most requests per page).")
  Integer threads;

  @Option(names = "--connections-per-thread", paramLabel = "N",
      description = "Connections one thread holds at once when acquisitions nest (default: 1, or 1 + most"
          + " queries per request when the scenario ran nested).")
  Integer connectionsPerThread;

  @Spec
  CommandSpec spec;

  /** PostgreSQL's default {@code superuser_reserved_connections}. */
  static final int DEFAULT_RESERVED = 3;

  /** A measured load, with the lines that say where each number came from. */
  record Load(double acquisitionsPerSecond, double meanHoldMs, Integer maxConnections, Integer reserved,
      int otherClients, int threads, int connectionsPerThread, Double acquireTimeoutMs, List<String> provenance,
      List<String> caveats) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int sources = (results != null ? 1 : 0) + (url != null ? 1 : 0) + (rate != null ? 1 : 0) + (jfr != null ? 1 : 0);
    if (sources != 1) {
      err.println("advise: give exactly one of --results FILE, --jfr FILE, --url URL or --rate N (with"
          + " --mean-hold-ms); see ./poolwise advise --help");
      err.flush();
      return 2;
    }
    if (instances < 1) {
      err.println("advise: --instances must be at least 1, was " + instances);
      err.flush();
      return 2;
    }
    if (jfr != null) {
      return fromRecording(out, err);
    }
    Load load;
    LiveDatabase observed = null;
    JsonNode resultsRoot = null;
    try {
      if (results != null) {
        resultsRoot = new ObjectMapper().readTree(Files.readString(results));
        load = fromResults(resultsRoot, topology, results.toString(), out);
      } else if (url != null) {
        try (LiveDatabase database = LiveDatabase.connect(url, user, allowRemote)) {
          load = observe(database, applicationName, observeSeconds, sampleMs, meanHoldMs);
          observed = database;
        }
      } else {
        if (meanHoldMs == null) {
          err.println("advise: --rate needs --mean-hold-ms (the mean time a connection is held)");
          err.flush();
          return 2;
        }
        load = new Load(rate, meanHoldMs, null, null, 0, 0, 1, null,
            List.of(String.format(Locale.ROOT, "%s acquisitions/s and %s ms mean hold, as given.", Advisor.fmt(rate),
                Advisor.fmt(meanHoldMs))), List.of());
      }
    } catch (IOException e) {
      err.println("advise: could not read " + results + ": " + e.getMessage());
      err.flush();
      return 2;
    } catch (IllegalArgumentException | SQLException e) {
      err.println("advise: " + e.getMessage());
      err.flush();
      return 2;
    }
    if (meanHoldMs != null && results != null) {
      load = withHold(load, meanHoldMs);
    }
    return advise(load, out, observed, resultsRoot);
  }

  /**
   * The advice for {@code load}, printed with where its numbers came from; the exit code. With {@code resultsRoot}
   * (a calibrated results.json) the size comes from the simulation, the Advisor's Erlang C as the cross-check.
   */
  private int advise(Load load, PrintWriter out, LiveDatabase observed, JsonNode resultsRoot) {

    int max = maxConnections != null ? maxConnections : load.maxConnections() == null ? 0 : load.maxConnections();
    int reserved = reservedConnections != null ? reservedConnections
        : load.reserved() != null ? load.reserved() : DEFAULT_RESERVED;
    int others = otherClients != null ? otherClients : load.otherClients();
    int budget = max > 0 ? max - reserved - others : 0;
    int perThread = connectionsPerThread != null ? connectionsPerThread : load.connectionsPerThread();
    int threadCount = threads != null ? threads : load.threads();
    double target = targetP99Ms != null ? targetP99Ms
        : load.acquireTimeoutMs() != null ? Math.min(Advisor.DEFAULT_TARGET_P99_WAIT_MS, load.acquireTimeoutMs() / 10)
        : Advisor.DEFAULT_TARGET_P99_WAIT_MS;

    Advisor.Input input = new Advisor.Input(load.acquisitionsPerSecond(), load.meanHoldMs(), budget, instances,
        perThread, threadCount, target);
    Advisor.Advice advice = Advisor.advise(input);
    AutoSizing.Choice simulated = resultsRoot == null ? null : simulate(resultsRoot, budget / instances);
    int recommended = simulated == null ? advice.recommendedSize() : simulated.size();

    StringBuilder text = new StringBuilder();
    text.append("Load\n");
    load.provenance().forEach(line -> text.append("  ").append(line).append('\n'));
    if (max > 0) {
      text.append(String.format(Locale.ROOT, "  Server budget: max_connections %d − %d reserved − %d other clients"
          + " = %d for ordinary roles%s.%n", max, reserved, others, budget,
          instances > 1 ? ", shared by " + instances + " instances" : ""));
    }
    text.append('\n');
    text.append(String.format(Locale.ROOT, "Recommended pool size: %d%s%n%n", recommended,
        instances > 1 ? " per instance (× " + instances + " instances = " + recommended * instances + ")"
            : ""));
    if (simulated != null) {
      text.append("Simulation of the run's scenario on its calibrated server (docs/model.md)\n");
      text.append(simulationTable(simulated)).append('\n');
      text.append("  ").append(simulated.reason()).append(".\n");
      text.append(String.format(Locale.ROOT, "  Erlang C cross-check (Poisson arrivals, holds that do not stretch):"
          + " %d; the simulation models the page bursts and the server's cores, so its size is the one used.%n%n",
          advice.recommendedSize()));
    }
    text.append(candidateTable(advice)).append('\n');
    text.append("Reasoning\n");
    advice.reasoning().forEach(line -> text.append("  - ").append(line).append('\n'));
    load.caveats().forEach(line -> text.append("  - ").append(line).append('\n'));
    String printed = text.toString();
    if (observed != null) {
      printed = observed.scrub(printed); // belt and braces: nothing above quotes the URL's secrets
    }
    out.print(printed);
    out.flush();
    return advice.fitsBudget() ? 0 : 1;
  }

  /* --- A JFR recording --- */

  /**
   * {@code --jfr}: what the recording saw per pool, then today's Advisor answer for each pool from its measured
   * borrows/s and mean hold, with the pool-locking floor from the nesting seen in the trace (the most connections
   * one thread held at once, and the most threads borrowing at once) and the server budget from the options, the
   * other pools' peak borrowed connections counted as other clients.
   */
  private int fromRecording(PrintWriter out, PrintWriter err) {
    JfrBorrowTrace.Trace trace;
    try {
      trace = JfrBorrowTrace.read(jfr);
    } catch (IOException e) {
      err.println("advise: could not read the JFR recording " + jfr + ": " + e.getMessage());
      err.flush();
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("advise: " + e.getMessage());
      err.flush();
      return 2;
    }
    List<JfrBorrowTrace.PoolTraffic> pools = JfrBorrowTrace.traffic(trace);
    if (pools.isEmpty()) {
      err.println("advise: " + jfr + " holds no Poolwise borrows (dev.poolwise.Acquire paired with"
          + " dev.poolwise.Release). Record with those events enabled (they are in JFR's default and profile"
          + " settings) while the pool is under load, with Poolwise's diagnostics on (the default).");
      err.flush();
      return 2;
    }
    out.print(traceSummary(jfr.toString(), trace, pools));
    int exit = 0;
    for (JfrBorrowTrace.PoolTraffic pool : pools) {
      out.println();
      out.println("=== Pool '" + pool.pool() + "' ===");
      int otherPools = pools.stream().filter(p -> p != pool).mapToInt(JfrBorrowTrace.PoolTraffic::peakBorrowed).sum();
      exit = Math.max(exit, advise(fromTraffic(pool, otherPools), out, null, null));
      out.print(replayTable(pool, trace.borrows().stream().filter(b -> b.pool().equals(pool.pool())).toList()));
      out.flush();
    }
    return exit;
  }

  /**
   * The recording replayed by the model ({@link TraceModel}) against other sizes of the same pool: each thread
   * borrows again as long after its return as it did, and holds stretch with the server's cores in use.
   */
  private String replayTable(JfrBorrowTrace.PoolTraffic pool, List<dev.poolwise.lab.model.ObservedBorrow> borrows) {
    double cores = serverCores != null ? serverCores : Runtime.getRuntime().availableProcessors();
    ServerModel server = ServerModel.uniform(0, cores, 0, Integer.MAX_VALUE);
    int peak = Math.max(1, pool.peakBorrowed());
    java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>();
    if (replaySizes != null && !replaySizes.isEmpty()) {
      replaySizes.forEach(size -> sizes.add(Math.max(1, size)));
    } else {
      for (double factor : new double[] {0.25, 0.5, 0.75, 1, 1.5, 2}) {
        sizes.add(Math.max(1, (int) Math.round(peak * factor)));
      }
    }
    PlainTable table = new PlainTable(">size", ">p99 wait", ">mean wait", ">p99 hold", ">connections opened");
    for (int size : sizes) {
      dev.poolwise.lab.model.TraceModel.Forecast forecast =
          dev.poolwise.lab.model.TraceModel.predict(borrows, size, server);
      table.row(size, Figures.ms(forecast.p99WaitMs()) + " ms", Figures.ms(forecast.meanWaitMs()) + " ms",
          Figures.ms(forecast.p99HoldMs()) + " ms", forecast.peakConnections());
    }
    return String.format(Locale.ROOT, "%nReplay of this pool's %,d recorded borrows at other sizes (the model,"
        + " docs/model.md; server of %s cores%s; recorded: wait p99 %s ms, hold p99 %s ms, peak %d borrowed):%n%s",
        borrows.size(), Advisor.fmt(cores), serverCores != null ? "" : ", this machine's, set with --server-cores",
        Figures.ms(pool.waitP99Ms()), Figures.ms(pool.holdP99Ms()), pool.peakBorrowed(), table.render("  "));
  }

  /** The recording's pools side by side, and their busiest tags. */
  static String traceSummary(String source, JfrBorrowTrace.Trace trace, List<JfrBorrowTrace.PoolTraffic> pools) {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "Recording %s: %d borrows over %.1f s", source, trace.borrows().size(),
        trace.spanSeconds()));
    if (trace.heldAtEnd() + trace.borrowedBeforeStart() > 0) {
      text.append(String.format(Locale.ROOT, " (left out: %d still borrowed at the end, %d borrowed before the"
          + " start)", trace.heldAtEnd(), trace.borrowedBeforeStart()));
    }
    text.append(".\n");
    PlainTable table = new PlainTable("pool", ">borrows", ">borrows/s", ">wait p50", ">wait p99", ">hold p50",
        ">hold p99", ">threads", ">peak borrowed", ">timeouts");
    for (JfrBorrowTrace.PoolTraffic p : pools) {
      table.row(p.pool(), p.borrows(), Advisor.fmt(p.borrowsPerSecond()), Figures.ms(p.waitP50Ms()) + " ms",
          Figures.ms(p.waitP99Ms()) + " ms", Figures.ms(p.holdP50Ms()) + " ms", Figures.ms(p.holdP99Ms()) + " ms",
          p.threads(), p.peakBorrowed(), p.timeouts());
    }
    text.append(table.render("  "));
    for (JfrBorrowTrace.PoolTraffic p : pools) {
      text.append("  ").append(p.pool()).append(", busiest tags: ").append(p.busiestTags().entrySet().stream()
          .map(tag -> String.format(Locale.ROOT, "%s %.0f%%", tag.getKey(), 100 * tag.getValue()))
          .collect(java.util.stream.Collectors.joining(", "))).append('\n');
    }
    return text.toString();
  }

  /** One pool's traffic as the Advisor's load. */
  private static Load fromTraffic(JfrBorrowTrace.PoolTraffic pool, int otherPoolsPeak) {
    List<String> provenance = new ArrayList<>();
    provenance.add(String.format(Locale.ROOT, "%d borrows in the recording = %s borrows/s; mean hold %s ms (the pool's"
        + " own measurement of each borrow).", pool.borrows(), Advisor.fmt(pool.borrowsPerSecond()),
        Advisor.fmt(pool.meanHoldMs())));
    provenance.add(String.format(Locale.ROOT, "Offered load %s/s × %s ms = %.2f connections busy on average; at most"
        + " %d were borrowed at once, by up to %d threads (at most %d held by one thread).",
        Advisor.fmt(pool.borrowsPerSecond()), Advisor.fmt(pool.meanHoldMs()),
        pool.borrowsPerSecond() * pool.meanHoldMs() / 1000, pool.peakBorrowed(), pool.peakThreadsBorrowing(),
        pool.mostHeldByOneThread()));
    List<String> caveats = new ArrayList<>();
    if (otherPoolsPeak > 0) {
      caveats.add("The recording's other pools borrowed up to " + otherPoolsPeak + " connections at once; they are"
          + " counted as other clients of the server unless --other-clients says otherwise.");
    }
    if (pool.timeouts() > 0) {
      caveats.add(pool.timeouts() + " borrowers gave up waiting (Timeout events): their demand is missing from the"
          + " borrows, so the load is understated.");
    }
    return new Load(pool.borrowsPerSecond(), pool.meanHoldMs(), null, null, otherPoolsPeak,
        pool.peakThreadsBorrowing(), pool.mostHeldByOneThread(), null, provenance, caveats);
  }

  /**
   * single:N simulated for the scenario and calibration a results.json recorded, up to {@code budget} (the server's
   * budget per instance, 0 when unknown); null when the file has no calibration (an older lab, or it failed).
   */
  static AutoSizing.Choice simulate(JsonNode root, int budget) {
    LabResults recorded;
    try {
      recorded = ResultsJson.mapper().treeToValue(root, LabResults.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      return null;
    }
    Calibration calibration = recorded.calibration();
    if (calibration == null || recorded.scenario() == null || calibration.serviceDemandMs().isEmpty()) {
      return null;
    }
    int limit = budget > 0 ? budget : calibration.connectionLimit();
    ServerModel server = calibration.serverModel().withConnectionLimit(Math.max(1, limit));
    return AutoSizing.choose(Workload.of(recorded.scenario()), server, Math.max(1, limit));
  }

  static String simulationTable(AutoSizing.Choice choice) {
    PlainTable table = new PlainTable(">size", ">pages/s", ">p50 page", ">p99 page", ">p99 wait", ">failed", "");
    for (AutoSizing.Candidate candidate : choice.candidates()) {
      Prediction p = candidate.prediction();
      table.row(candidate.size(), String.format(Locale.ROOT, "%.1f", p.pagesPerS()),
          String.format(Locale.ROOT, "%.0f ms", p.pageLatencyMs().p50()),
          String.format(Locale.ROOT, "%.0f ms", p.pageLatencyMs().p99()),
          String.format(Locale.ROOT, "%.1f ms", p.acquireWaitMs().p99()),
          p.failures().timeout() + p.failures().tooManyClients() + candidate.otherFailures(),
          candidate.size() == choice.size() ? "← recommended" : "");
    }
    return table.render("  ");
  }

  static String candidateTable(Advisor.Advice advice) {
    PlainTable table = new PlainTable(">size", ">utilisation", ">P(wait)", ">p99 wait", "");
    int previous = -1;
    for (Advisor.Candidate candidate : advice.candidates()) {
      if (previous >= 0 && candidate.size() > previous + 1) {
        table.row("…", "", "", "", "");
      }
      previous = candidate.size();
      String note = candidate.size() == advice.recommendedSize() ? "← recommended"
          : candidate.size() == advice.queueingSize() ? "← meets the wait target"
          : candidate.size() == advice.lockingFloor() ? "← pool-locking floor"
          : candidate.size() == advice.budgetPerInstance() ? "← server budget per instance" : "";
      boolean unstable = Double.isInfinite(candidate.p99WaitMs());
      table.row(candidate.size(),
          unstable && candidate.utilization() >= 1 ? String.format(Locale.ROOT, "%.0f%% (overloaded)",
              100 * candidate.utilization()) : String.format(Locale.ROOT, "%.1f%%", 100 * candidate.utilization()),
          String.format(Locale.ROOT, "%.1f%%", 100 * candidate.waitProbability()),
          unstable ? "∞" : String.format(Locale.ROOT, "%.2f ms", candidate.p99WaitMs()), note);
    }
    return table.render("  ");
  }

  private static Load withHold(Load load, double holdMs) {
    List<String> provenance = new ArrayList<>(load.provenance());
    provenance.add("Mean hold overridden: " + Advisor.fmt(holdMs) + " ms (--mean-hold-ms).");
    return new Load(load.acquisitionsPerSecond(), holdMs, load.maxConnections(), load.reserved(), load.otherClients(),
        load.threads(), load.connectionsPerThread(), load.acquireTimeoutMs(), provenance, load.caveats());
  }

  /* --- results.json --- */

  /**
   * The load one row of a {@code results.json} measured. Reads leniently: the row keys are the contract's
   * ({@code requests}, {@code hold_ms}, …) plus, when a later version writes them, {@code acquisitions},
   * {@code acquisitions_per_s} and {@code hold_ms.mean}, which are then preferred. Prints a table of every row
   * to {@code out} so the reader sees which one was used and how the others compare.
   */
  static Load fromResults(JsonNode root, String wantedTopology, String source, PrintWriter out) {
    JsonNode rows = root.path("results");
    if (!rows.isArray() || rows.isEmpty()) {
      throw new IllegalArgumentException(source + " has no \"results\" rows; is it a results.json from"
          + " './poolwise compare'?");
    }
    JsonNode scenario = root.path("scenario");
    JsonNode server = root.path("server");
    List<RowLoad> loads = new ArrayList<>();
    for (JsonNode row : rows) {
      if (row.hasNonNull("skipped") && !row.path("skipped").asText().isEmpty()) {
        continue;
      }
      RowLoad load = RowLoad.of(row, scenario);
      if (load != null) {
        loads.add(load);
      }
    }
    if (loads.isEmpty()) {
      throw new IllegalArgumentException(source + " has no row with measurements (every row skipped or empty)");
    }
    RowLoad chosen;
    String why;
    if (wantedTopology != null) {
      chosen = loads.stream().filter(l -> l.topology().equals(wantedTopology)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no measured row '" + wantedTopology + "' in " + source
              + "; rows: " + String.join(", ", loads.stream().map(RowLoad::topology).toList())));
      why = "as asked (--topology)";
    } else {
      List<RowLoad> clean = loads.stream().filter(l -> l.failures() == 0).toList();
      List<RowLoad> pool = clean.isEmpty() ? loads : clean;
      chosen = pool.stream().max(Comparator.comparingDouble(RowLoad::throughput)).orElseThrow();
      why = clean.isEmpty() ? "the fastest row (every row had failures, so the demand may be understated)"
          : "the fastest row without failures: the least constrained measurement of the demand";
    }

    PlainTable table = new PlainTable("topology", ">pages/s", ">acq/s", ">mean hold", ">load", ">acquire p99",
        ">model p99", "");
    for (RowLoad load : loads) {
      Integer size = singlePoolSize(load.topology());
      String predicted = "";
      if (size != null) {
        Advisor.Input rowInput = new Advisor.Input(load.acquisitionsPerSecond(), load.meanHoldMs(), 0, 1, 1, 0, 0);
        double p99 = Advisor.predictedP99WaitMs(rowInput, size);
        predicted = Double.isInfinite(p99) ? "∞" : String.format(Locale.ROOT, "%.1f ms", p99);
      }
      table.row(load.topology(), String.format(Locale.ROOT, "%.1f", load.throughput()),
          String.format(Locale.ROOT, "%.0f", load.acquisitionsPerSecond()),
          String.format(Locale.ROOT, "%.1f ms", load.meanHoldMs()),
          String.format(Locale.ROOT, "%.2f", load.acquisitionsPerSecond() * load.meanHoldMs() / 1000),
          Double.isNaN(load.acquireP99Ms()) ? "?" : String.format(Locale.ROOT, "%.1f ms", load.acquireP99Ms()),
          predicted, load == chosen ? "← used" : "");
    }
    out.println("Rows in " + source + " (load = acq/s × mean hold; model p99 = Erlang C for single:N rows at that"
        + " row's own load)");
    out.print(table.render("  "));
    out.println();

    List<String> provenance = new ArrayList<>();
    provenance.add("Row " + chosen.topology() + ", " + why + ".");
    provenance.addAll(chosen.provenance());

    Integer maxConnections = server.hasNonNull("max_connections") ? server.path("max_connections").asInt() : null;
    Integer reserved = null;
    if (server.hasNonNull("superuser_reserved_connections") || server.hasNonNull("reserved_connections")) {
      reserved = server.path("superuser_reserved_connections").asInt(0) + server.path("reserved_connections").asInt(0);
    }
    boolean nested = scenario.path("nested").asBoolean(false);
    int maxQueries = scenario.path("max_queries_per_request").asInt(1);
    int threadCount = scenario.path("users").asInt(0) * scenario.path("max_requests_per_page").asInt(1);
    int perThread = nested ? 1 + maxQueries : 1;
    List<String> caveats = new ArrayList<>();
    if (nested) {
      caveats.add(String.format(Locale.ROOT, "The scenario ran nested: a request holds one connection while its"
          + " up to %d queries each take another, so %d connections per request and %d concurrent requests"
          + " (users × most requests per page) are assumed for the floor (--threads, --connections-per-thread"
          + " to change).", maxQueries, perThread, threadCount));
    }
    Double acquireTimeoutMs = scenario.hasNonNull("acquire_timeout_ms") ? scenario.path("acquire_timeout_ms").asDouble()
        : null;
    return new Load(chosen.acquisitionsPerSecond(), chosen.meanHoldMs(), maxConnections, reserved, 0, threadCount,
        perThread, acquireTimeoutMs, provenance, caveats);
  }

  /** {@code N} for {@code single:N} (and {@code hikari:N}, also one pool), else null. */
  static Integer singlePoolSize(String topology) {
    for (String prefix : List.of("single:", "hikari:")) {
      if (topology.startsWith(prefix)) {
        try {
          return Integer.parseInt(topology.substring(prefix.length()));
        } catch (NumberFormatException e) {
          return null; // single:auto
        }
      }
    }
    return null;
  }

  /** One results row reduced to λ and W, with where each came from. */
  record RowLoad(String topology, double throughput, double acquisitionsPerSecond, double meanHoldMs,
      long failures, double acquireP99Ms, List<String> provenance) {

    static RowLoad of(JsonNode row, JsonNode scenario) {
      String topology = row.path("topology").asText("?");
      List<String> provenance = new ArrayList<>();
      double duration = scenario.path("duration_seconds").asDouble(0);
      double rate;
      if (row.hasNonNull("acquisitions_per_s")) {
        rate = row.path("acquisitions_per_s").asDouble();
        provenance.add(String.format(Locale.ROOT, "%.1f acquisitions/s, as measured.", rate));
      } else if (row.hasNonNull("acquisitions") && duration > 0) {
        rate = row.path("acquisitions").asDouble() / duration;
        provenance.add(String.format(Locale.ROOT, "%d acquisitions in %s s = %.1f acquisitions/s.",
            row.path("acquisitions").asLong(), Advisor.fmt(duration), rate));
      } else {
        double perRequest = acquisitionsPerRequest(scenario);
        double requestsPerSecond;
        String requestsText;
        if (row.hasNonNull("requests") && duration > 0) {
          requestsPerSecond = row.path("requests").asDouble() / duration;
          requestsText = String.format(Locale.ROOT, "%d requests in %s s", row.path("requests").asLong(),
              Advisor.fmt(duration));
        } else if (row.hasNonNull("pages_per_s")) {
          double perPage = (scenario.path("min_requests_per_page").asDouble(10)
              + scenario.path("max_requests_per_page").asDouble(10)) / 2;
          requestsPerSecond = row.path("pages_per_s").asDouble() * perPage;
          requestsText = String.format(Locale.ROOT, "%.1f pages/s × %s requests per page",
              row.path("pages_per_s").asDouble(), Advisor.fmt(perPage));
        } else {
          return null;
        }
        rate = requestsPerSecond * perRequest;
        provenance.add(String.format(Locale.ROOT, "%s × %s acquisitions per request = %.1f acquisitions/s"
                + " (assumed: 2 × %s cache-miss lookups + %s mean queries%s; the row has no acquisition count).",
            requestsText, Advisor.fmt(perRequest), rate, Advisor.fmt(scenario.path("cache_miss_probability").asDouble(0)),
            Advisor.fmt(meanQueries(scenario)), scenario.path("nested").asBoolean(false) ? " + 1 held outer" : ""));
      }

      JsonNode hold = row.path("hold_ms");
      double meanHold;
      if (hold.hasNonNull("mean")) {
        meanHold = hold.path("mean").asDouble();
        provenance.add(String.format(Locale.ROOT, "Mean hold %.2f ms, as measured.", meanHold));
      } else if (hold.hasNonNull("p50") && hold.hasNonNull("p99") && hold.path("p50").asDouble() > 0
          && hold.path("p99").asDouble() > hold.path("p50").asDouble()) {
        double p50 = hold.path("p50").asDouble();
        double p99 = hold.path("p99").asDouble();
        meanHold = logNormalMean(p50, p99);
        provenance.add(String.format(Locale.ROOT, "Mean hold %.2f ms, estimated from hold p50 %.2f ms and p99 %.2f ms"
            + " (log-normal fit: σ = ln(p99/p50)/2.326, mean = p50·e^(σ²/2)).", meanHold, p50, p99));
      } else if (hold.hasNonNull("p50") && hold.path("p50").asDouble() > 0) {
        meanHold = hold.path("p50").asDouble() / Math.log(2);
        provenance.add(String.format(Locale.ROOT, "Mean hold %.2f ms, estimated from hold p50 %.2f ms alone"
            + " (exponential: mean = p50 / ln 2).", meanHold, hold.path("p50").asDouble()));
      } else {
        return null;
      }
      provenance.add(String.format(Locale.ROOT, "Offered load %.1f/s × %.2f ms = %.2f connections busy on average.",
          rate, meanHold, rate * meanHold / 1000));

      JsonNode failures = row.path("failures");
      long failed = failures.path("pool_timeout").asLong(0) + failures.path("too_many_clients").asLong(0)
          + failures.path("other").asLong(0) + failures.path("pool_locked").asLong(0);
      double throughput = row.hasNonNull("pages_per_s") ? row.path("pages_per_s").asDouble() : rate;
      double acquireP99 = row.path("acquire_wait_ms").hasNonNull("p99") ? row.path("acquire_wait_ms").path("p99").asDouble()
          : Double.NaN;
      return new RowLoad(topology, throughput, rate, meanHold, failed, acquireP99, provenance);
    }
  }

  /** 2 lookups × miss probability + mean queries per request (+1 for the held outer connection when nested). */
  static double acquisitionsPerRequest(JsonNode scenario) {
    return 2 * scenario.path("cache_miss_probability").asDouble(0) + meanQueries(scenario)
        + (scenario.path("nested").asBoolean(false) ? 1 : 0);
  }

  private static double meanQueries(JsonNode scenario) {
    return (scenario.path("min_queries_per_request").asDouble(1) + scenario.path("max_queries_per_request").asDouble(1))
        / 2;
  }

  /** Mean of the log-normal distribution with the given median and 99th percentile. */
  static double logNormalMean(double p50, double p99) {
    double sigma = Math.log(p99 / p50) / 2.3263478740408408; // z for 0.99
    return p50 * Math.exp(sigma * sigma / 2);
  }

  /* --- A live server --- */

  /*
   * Sampling: busy = active + idle in transaction among the observed connections. The time average of the busy
   * count is the offered load (Little's law read the other way: L = λW), and sampling at fixed intervals
   * estimates a time average without bias as long as the workload does not beat in step with the interval.
   * Transactions: xact_commit + xact_rollback of the database before and after, minus the transactions this
   * command ran itself (one per sample and per counter read). PostgreSQL publishes these counters with a delay
   * of up to about a second, which the observation window makes small.
   */
  private static final String SAMPLE = "select"
      + " count(*) filter (where datname = current_database() and (?::text is null or application_name = ?)"
      + "   and (state = 'active' or state like 'idle in transaction%')),"
      + " count(*) filter (where datname = current_database() and (?::text is null or application_name = ?)),"
      + " count(*) filter (where not (datname = current_database() and (?::text is null or application_name = ?))),"
      + " count(*) filter (where state is null)"
      + " from pg_stat_activity where pid <> pg_backend_pid()"
      + " and (backend_type = 'client backend' or (backend_type is null and datid is not null and usesysid is not null))";

  private static final String TRANSACTIONS =
      "select xact_commit + xact_rollback from pg_stat_database where datname = current_database()";

  static Load observe(LiveDatabase database, String applicationName, int seconds, int sampleMs, Double holdOverride)
      throws SQLException {
    if (seconds < 1 || sampleMs < 1) {
      throw new IllegalArgumentException("--observe-seconds and --sample-ms must be positive");
    }
    Connection connection = database.connection();
    int samples = 0;
    long busySum = 0;
    int busyPeak = 0;
    long connectedSum = 0;
    int othersPeak = 0;
    long hiddenPeak = 0;
    long ownTransactions = 0;
    long startTransactions;
    long endTransactions;
    long started = System.nanoTime();
    try (PreparedStatement sample = connection.prepareStatement(SAMPLE);
        PreparedStatement transactions = connection.prepareStatement(TRANSACTIONS)) {
      for (int i = 1; i <= 6; i += 2) {
        sample.setString(i, applicationName);
        sample.setString(i + 1, applicationName);
      }
      startTransactions = count(transactions);
      ownTransactions++;
      long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        try (ResultSet row = sample.executeQuery()) {
          row.next();
          int busy = row.getInt(1);
          busySum += busy;
          busyPeak = Math.max(busyPeak, busy);
          connectedSum += row.getInt(2);
          othersPeak = Math.max(othersPeak, row.getInt(3));
          hiddenPeak = Math.max(hiddenPeak, row.getLong(4));
        }
        samples++;
        ownTransactions++;
        try {
          Thread.sleep(sampleMs); // sampling, not waiting for a condition
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      endTransactions = count(transactions);
    }
    double elapsedSeconds = (System.nanoTime() - started) / 1e9;
    double offeredLoad = (double) busySum / samples;
    double transactionsPerSecond = Math.max(0, endTransactions - startTransactions - ownTransactions) / elapsedSeconds;

    List<String> provenance = new ArrayList<>();
    String who = applicationName == null ? "every other client connection to " + database.display()
        : "connections with application_name '" + applicationName + "' to " + database.display();
    provenance.add(String.format(Locale.ROOT, "Observed %s for %.0f s (%d samples every %d ms).", who,
        elapsedSeconds, samples, sampleMs));
    provenance.add(String.format(Locale.ROOT, "Busy (active or idle in transaction): mean %.2f, peak %d, of %.1f"
        + " connected on average; the mean busy count is the offered load.", offeredLoad, busyPeak,
        (double) connectedSum / samples));
    double rate;
    double hold;
    if (holdOverride != null) {
      hold = holdOverride;
      rate = hold > 0 ? offeredLoad * 1000 / hold : 0;
      provenance.add(String.format(Locale.ROOT, "Mean hold %s ms as given, so %.1f acquisitions/s (load ÷ hold).",
          Advisor.fmt(hold), rate));
    } else {
      rate = transactionsPerSecond;
      hold = rate > 0 ? offeredLoad * 1000 / rate : 0;
      provenance.add(String.format(Locale.ROOT, "Database transactions: %.1f/s (pg_stat_database, this command's own"
          + " excluded), taken as acquisitions/s; mean hold = load ÷ rate = %.2f ms.", rate, hold));
    }
    List<String> caveats = new ArrayList<>();
    caveats.add("Measured from the server's side: a connection a pool has lent out that sits between two"
        + " autocommit statements shows as idle, so holds that include work outside the database are"
        + " undercounted; the transaction rate is the whole database's, every application's together.");
    if (hiddenPeak > 0) {
      caveats.add(hiddenPeak + " sessions showed no state to this role (they belong to other roles): connect as"
          + " a superuser or a role with pg_read_all_stats to count them as busy.");
    }
    if (offeredLoad == 0) {
      caveats.add("No connection was busy in any sample: is the application running and under load, and is"
          + " --application-name right?");
    }

    int maxConnections;
    int reserved;
    try (PreparedStatement settings = connection.prepareStatement("select current_setting('max_connections')::int,"
        + " current_setting('superuser_reserved_connections')::int"
        + " + coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0)");
        ResultSet row = settings.executeQuery()) {
      row.next();
      maxConnections = row.getInt(1);
      reserved = row.getInt(2);
    }
    // Other clients: everything not observed, at its peak; this command's own connection is not counted.
    return new Load(rate, hold, maxConnections, reserved, othersPeak, 0, 1, null, provenance, caveats);
  }

  private static long count(PreparedStatement statement) throws SQLException {
    try (ResultSet row = statement.executeQuery()) {
      return row.next() ? row.getLong(1) : 0;
    }
  }
}
