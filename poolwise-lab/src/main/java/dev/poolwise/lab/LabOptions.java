package dev.poolwise.lab;

import dev.poolwise.MultipleAcquisition;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options {@code compare} and {@code run} share: where the server is, every parameter of the scenario, and
 * where the reports go; and the one procedure both follow (start or connect, run the topologies, print the
 * table, write the reports).
 */
final class LabOptions {

  /* --- Server --- */

  @Option(names = "--url", paramLabel = "URL",
      description = "An existing PostgreSQL instead of the embedded one: a JDBC URL"
          + " (jdbc:postgresql://localhost:5432/app?user=…&password=…) or a DATABASE_URL"
          + " (postgresql://user:password@localhost:5432/app). Credentials are never printed. The lab creates and"
          + " seeds its own schema poolwise_lab there and touches nothing else.")
  String url;

  @Option(names = "--allow-remote", description = "Allow a --url host that is not this machine (the lab only loads loopback otherwise).")
  boolean allowRemote;

  @Option(names = "--max-connections", paramLabel = "N", defaultValue = "100",
      description = "max_connections of the embedded PostgreSQL (default: ${DEFAULT-VALUE}; ignored with --url).")
  int maxConnections;

  /* --- Scenario --- */

  @Option(names = "--users", paramLabel = "N", defaultValue = "12",
      description = "Concurrent users, each loading pages in a loop (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "15",
      description = "Measured seconds per topology (default: ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "3",
      description = "Unmeasured seconds per topology before measuring (default: ${DEFAULT-VALUE}). The whole run also"
          + " starts with " + LabEngine.WARM_UP_SECONDS + " unmeasured seconds of the scenario before the calibration;"
          + " 0 skips that too.")
  int warmupSeconds;

  @Option(names = "--requests-per-page", paramLabel = "MIN-MAX", defaultValue = "8-12",
      description = "Parallel API requests a page fires (default: ${DEFAULT-VALUE}).")
  String requestsPerPage;

  @Option(names = "--queries-per-request", paramLabel = "MIN-MAX", defaultValue = "1-3",
      description = "Parallel queries per request, each on its own connection (default: ${DEFAULT-VALUE}).")
  String queriesPerRequest;

  @Option(names = "--cache-miss", paramLabel = "P", defaultValue = "0.2",
      description = "Probability that the user lookup, and separately the organization lookup, misses the cache"
          + " and queries the database (default: ${DEFAULT-VALUE}).")
  double cacheMiss;

  @Option(names = "--list-share", paramLabel = "P", defaultValue = "0.3",
      description = "Share of queries that are list queries with joins and sorting (default: ${DEFAULT-VALUE}).")
  double listShare;

  @Option(names = "--slow-share", paramLabel = "P", defaultValue = "0.01",
      description = "Share of queries that are the slow report (100-300 ms) (default: ${DEFAULT-VALUE}).")
  double slowShare;

  @Option(names = "--think-time", paramLabel = "MS", defaultValue = "100",
      description = "Pause between two page loads of one user, ms (default: ${DEFAULT-VALUE}).")
  int thinkTimeMs;

  @Option(names = "--routes", paramLabel = "N", defaultValue = "70",
      description = "API routes; per-module binds each route to its own pool (default: ${DEFAULT-VALUE}).")
  int routes;

  @Option(names = "--acquire-timeout", paramLabel = "MS", defaultValue = "2000",
      description = "Every pool's acquire timeout, ms (default: ${DEFAULT-VALUE}).")
  int acquireTimeoutMs;

  @Option(names = "--nested",
      description = "Each request holds a connection with an open transaction while it borrows its other ones"
          + " (shows pool-locking and Poolwise's guard).")
  boolean nested;

  @Option(names = "--background", paramLabel = "N", defaultValue = "0",
      description = "Background requests (each one list query: the seed's filter prefetch) each user's browser fires"
          + " after every page, while the user looks at it; they do not count toward page latency and get their own"
          + " columns. A topology ending in +lane:K borrows them in a lane capped at K (default: ${DEFAULT-VALUE}).")
  int backgroundRequests;

  @Option(names = "--retry", paramLabel = "TRIESxINTERVAL",
      description = "The seed's executeWithRetry: a request whose connection did not come within the acquire timeout"
          + " tries again, up to TRIES tries in all, INTERVAL apart (e.g. 3x1000ms, 3x1s; a plain number is ms)."
          + " Background requests are not retried (default: one try).")
  String retry;

  @Option(names = "--multiple-acquisition", paramLabel = "MODE", defaultValue = "WARN",
      description = "Poolwise's guard when a thread holding a connection asks for another: ${COMPLETION-CANDIDATES}"
          + " (default: ${DEFAULT-VALUE}).")
  MultipleAcquisition multipleAcquisition;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "Random seed; the same seed loads the same pages (default: ${DEFAULT-VALUE}).")
  long seed;

  /** More background requests per page than this is a typo (a browser opens a handful of connections per host). */
  static final int MAX_BACKGROUND_REQUESTS = 100;

  /* --- Output --- */

  @Option(names = "--output-dir", paramLabel = "DIR", defaultValue = ".",
      description = "Where results.json and report.html are written (default: the current directory).")
  Path outputDirectory;

  @Option(names = "--quiet", description = "No progress line on stderr.")
  boolean quiet;

  /**
   * Where {@code run --jfr} writes its JFR recording of Poolwise's events, or null. Set by {@link RunCommand}: one
   * topology only, because {@code compare}'s topologies reuse pool names and their borrows would mix.
   */
  Path jfrRecording;

  /** The scenario these options describe, validated. */
  Scenario scenario(CommandSpec spec) {
    int[] requests = range(spec, "--requests-per-page", requestsPerPage);
    int[] queries = range(spec, "--queries-per-request", queriesPerRequest);
    require(spec, users >= 1, "--users must be at least 1, was " + users);
    require(spec, durationSeconds >= 1, "--duration must be at least 1 second, was " + durationSeconds);
    require(spec, warmupSeconds >= 0, "--warmup must not be negative, was " + warmupSeconds);
    require(spec, probability(cacheMiss), "--cache-miss must be between 0 and 1, was " + cacheMiss);
    require(spec, probability(listShare), "--list-share must be between 0 and 1, was " + listShare);
    require(spec, probability(slowShare), "--slow-share must be between 0 and 1, was " + slowShare);
    require(spec, listShare + slowShare <= 1, "--list-share plus --slow-share must not exceed 1, was "
        + (listShare + slowShare));
    require(spec, thinkTimeMs >= 0, "--think-time must not be negative, was " + thinkTimeMs);
    require(spec, routes >= 1, "--routes must be at least 1, was " + routes);
    require(spec, acquireTimeoutMs >= 1, "--acquire-timeout must be at least 1 ms, was " + acquireTimeoutMs);
    require(spec, backgroundRequests >= 0 && backgroundRequests <= MAX_BACKGROUND_REQUESTS, "--background must be"
        + " between 0 and " + MAX_BACKGROUND_REQUESTS + " requests per page, was " + backgroundRequests);
    require(spec, url != null || maxConnections >= 5, "--max-connections must be at least 5 (3 are reserved for"
        + " superusers), was " + maxConnections);
    return new Scenario(users, durationSeconds, warmupSeconds, requests[0], requests[1], queries[0], queries[1],
        cacheMiss, listShare, slowShare, thinkTimeMs, routes, acquireTimeoutMs, nested, backgroundRequests, seed)
        .withRetry(retryPolicy(spec, retry));
  }

  /** More tries than this is a typo: each one can hold a page for an acquire timeout. */
  static final int MAX_RETRY_TRIES = 100;

  private static final Pattern RETRY = Pattern.compile("(\\d+)\\s*[xX×]\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?");

  /** {@code 3x1000ms}, {@code 3x1s}, {@code 3x1.5s}, {@code 3x500} (ms); null or blank: {@link RetryPolicy#NONE}. */
  static RetryPolicy retryPolicy(CommandSpec spec, String text) {
    if (text == null || text.isBlank()) {
      return RetryPolicy.NONE;
    }
    Matcher matcher = RETRY.matcher(text.strip());
    String usage = "--retry must be TRIESxINTERVAL with 1 <= TRIES <= " + MAX_RETRY_TRIES + " and INTERVAL in ms, s or"
        + " m (e.g. 3x1000ms, the seed's executeWithRetry; a plain number is ms), was '" + text + "'";
    if (!matcher.matches()) {
      throw new ParameterException(spec.commandLine(), usage);
    }
    try {
      int tries = Integer.parseInt(matcher.group(1));
      double perUnit = switch (matcher.group(3) == null ? "ms" : matcher.group(3).toLowerCase(Locale.ROOT)) {
        case "s" -> 1_000;
        case "m" -> 60_000;
        default -> 1;
      };
      double millis = Double.parseDouble(matcher.group(2)) * perUnit;
      require(spec, tries >= 1 && tries <= MAX_RETRY_TRIES && millis <= Duration.ofHours(1).toMillis(), usage);
      return new RetryPolicy(tries, Duration.ofNanos(Math.round(millis * 1_000_000)));
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(), usage);
    }
  }

  /** Parses topologies, turning a syntax error into a usage error that names the bad part. */
  static List<Topology> topologies(CommandSpec spec, List<String> arguments) {
    try {
      return Topology.parseAll(arguments);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /**
   * The whole run: server, topologies, table on stdout, reports in the output directory.
   *
   * @return the exit code
   */
  int execute(CommandSpec spec, List<Topology> topologies) {
    Scenario scenario = scenario(spec);
    PrintStream out = System.out;
    PrintStream err = System.err;
    LabResults results;
    try {
      results = run(scenario, topologies, quiet ? null : err);
    } catch (IllegalArgumentException e) {
      // A --url that is malformed or not loopback: the message says what to change; the usage would bury it.
      err.println("poolwise: " + e.getMessage());
      return 2;
    } catch (SQLException | IOException | RuntimeException e) {
      err.println("poolwise: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("poolwise: interrupted");
      return 130;
    }
    out.println(Reports.table(results));
    if (jfrRecording != null) {
      out.println("wrote " + jfrRecording.toAbsolutePath().normalize() + " (JFR: Poolwise's Acquire, Release, Timeout"
          + " and Leak events of the whole run, each row's warm-up included and the run's own warm-up as pool "
          + PoolGroup.WARM_UP_POOL + "; ./poolwise advise --jfr reads it)");
    }
    try {
      Files.createDirectories(outputDirectory);
      report(out, err, "results.json", file -> Reports.writeJson(results, file));
      report(out, err, "report.html", file -> Reports.writeHtml(results, file));
    } catch (IOException e) {
      err.println("poolwise: could not create " + outputDirectory.toAbsolutePath() + ": " + e.getMessage());
      return 1;
    }
    return 0;
  }

  /** Starts (or connects to) the server, runs the topologies, fills in the verdict. Callable from tests. */
  LabResults run(Scenario scenario, List<Topology> topologies, PrintStream progress)
      throws SQLException, IOException, InterruptedException {
    if (progress != null) {
      progress.println(url == null
          ? "poolwise: starting an embedded PostgreSQL (max_connections = " + maxConnections + ")…"
          : "poolwise: connecting to " + DatabaseTarget.parse(url).describe() + "…");
    }
    try (LabDatabase database = url == null ? LabDatabase.startEmbedded(maxConnections)
        : LabDatabase.connect(url, allowRemote)) {
      if (progress != null) {
        LabResults.ServerInfo server = database.serverInfo();
        progress.printf("poolwise: PostgreSQL %s, max_connections = %d (%d reserved for superusers); %d topolog%s ×"
                + " (%d s warm-up + %d s measured), %d users%s%s%n", server.version(), server.maxConnections(),
            server.superuserReservedConnections(), topologies.size(), topologies.size() == 1 ? "y" : "ies",
            scenario.warmupSeconds(), scenario.durationSeconds(), scenario.users(),
            scenario.backgroundRequests() == 0 ? ""
                : ", " + scenario.backgroundRequests() + " background requests after each page",
            !scenario.retryPolicy().retries() ? "" : ", a timed-out request tries " + scenario.retryTries()
                + " times in all, " + scenario.retryIntervalMs() + " ms apart (--retry)");
      }
      LabEngine engine = new LabEngine(database, scenario, progress, multipleAcquisition);
      LabResults results;
      if (jfrRecording == null) {
        results = engine.run(topologies);
      } else {
        jdk.jfr.Recording recording = JfrBorrowTrace.record();
        try {
          results = engine.run(topologies);
        } finally {
          JfrBorrowTrace.stop(recording, jfrRecording);
        }
      }
      String verdict = Reports.verdict(results);
      return new LabResults(results.server(), results.scenario(), results.results(), verdict == null ? "" : verdict,
          results.calibration());
    }
  }

  private interface ReportWriter {
    void write(Path file) throws IOException;
  }

  private void report(PrintStream out, PrintStream err, String name, ReportWriter writer) {
    Path file = outputDirectory.resolve(name).toAbsolutePath().normalize();
    try {
      writer.write(file);
      out.println("wrote " + file);
    } catch (UnsupportedOperationException e) {
      err.println("note: " + name + " not written (the report writer is not built yet)");
    } catch (IOException e) {
      err.println("poolwise: could not write " + file + ": " + e.getMessage());
    }
  }

  private static int[] range(CommandSpec spec, String option, String text) {
    String[] parts = text.trim().split("\\s*-\\s*", -1);
    try {
      int min = Integer.parseInt(parts[0]);
      int max = parts.length == 1 ? min : Integer.parseInt(parts[1]);
      if (parts.length <= 2 && min >= 1 && max >= min) {
        return new int[] {min, max};
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new ParameterException(spec.commandLine(), option + " must be MIN-MAX with 1 <= MIN <= MAX (e.g. 8-12), was '"
        + text + "'");
  }

  private static boolean probability(double value) {
    return value >= 0 && value <= 1;
  }

  private static void require(CommandSpec spec, boolean condition, String message) {
    if (!condition) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }
}
