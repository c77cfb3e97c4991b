package dev.poolwise.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwise.MultipleAcquisition;
import dev.poolwise.PoolSnapshot;
import dev.poolwise.PoolwiseDataSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;

/**
 * A {@code replicas:KxN} topology: K separate JVMs, each a replica of the same service with one Poolwise pool of N
 * and its share of the users, against the same PostgreSQL (directly, as one fleet with {@code +fleet}, or through
 * PgBouncer with {@code /M}). The lab starts them with its own {@code java} and classpath on a hidden entry point
 * ({@link #main}), tells each what to run in a plan file, and merges what they measured into one row: pages,
 * requests and failures add up, the histograms are merged. The server's connections are sampled centrally by the
 * engine, as for every other topology.
 */
final class Replicas {

  /*
   * Concurrency: the parent only starts processes, waits for them and reads their result files; each replica
   * runs the ordinary PageLoadWorkload on its own pool. Start-up is a handshake through files in the run's
   * directory: each replica writes ready-<i> once its pool is built, the parent writes "go" (the wall-clock
   * instant the warm-up starts, moved into place atomically) once all are ready, so the replicas' windows
   * coincide within clock-reading noise however long their JVMs took to start; the parent's sampler window is set
   * to the same instants.
   *
   * Failure modes: a replica that fails to start, crashes or overruns its deadline fails the row with its exit
   * code and the last lines of its output; the others are killed. The password reaches the replicas through
   * the environment, never on a command line (visible in ps) or in the plan file.
   */

  /** The environment variable a replica reads the database password from. */
  static final String PASSWORD_VARIABLE = "POOLWISE_LAB_REPLICA_PASSWORD";
  /** The longest the replicas may take to start their JVMs and pools (a loaded two-core machine is slow). */
  static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
  /** Between the last replica reporting ready and the warm-up's start: time for every replica to see the go. */
  static final Duration GO_DELAY = Duration.ofMillis(500);

  private static final ObjectMapper JSON = ResultsJson.mapper();

  private Replicas() {}

  /**
   * What one replica runs.
   *
   * @param replica 0-based index
   * @param fleet the fleet name, or {@code null} without the fleet budget
   * @param directory where the replica reports ready and reads the go
   */
  record Plan(int replica, Scenario scenario, String jdbcUrl, String username, Map<String, String> driverProperties,
      int poolSize, String fleet, String directory, String multipleAcquisition) {}

  /**
   * What one replica measured: counters, histograms (HdrHistogram's compressed encoding, base64) and its pool's
   * last snapshot figures.
   */
  record Result(long pages, long requests, LabResults.Failures failures, long acquisitions, long holdNanos,
      String pageLatency, String acquireWait, String hold, long connectsFailed, int fleetCap, int fleetMembers) {}

  /** The users replica {@code index} of {@code count} serves: the total split as evenly as whole users allow. */
  static int usersOf(int totalUsers, int count, int index) {
    return totalUsers / count + (index < totalUsers % count ? 1 : 0);
  }

  /* --- The parent: start, wait, merge --- */

  /** The merged measurements of one run, and the wall-clock window they cover. */
  record Merged(Measurements.Snapshot snapshot, long connectsFailed, String fleetNote) {}

  /**
   * Starts {@code topology.pools()} replicas connecting with {@code connect}, waits until all have finished and
   * merges their results. {@code window} is told the measured window (System.nanoTime of this JVM) as soon as it
   * is known.
   */
  static Merged run(Topology topology, Scenario scenario, PoolGroup.Connect connect,
      MultipleAcquisition multipleAcquisition, WindowListener window) throws IOException, InterruptedException {
    Path directory = Files.createTempDirectory("poolwise-replicas-");
    List<Process> processes = new ArrayList<>();
    List<Path> results = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    try {
      String fleet = topology.fleet() ? Topology.FLEET_NAME : null;
      for (int i = 0; i < topology.pools(); i++) {
        int users = usersOf(scenario.users(), topology.pools(), i);
        Scenario share = new Scenario(users, scenario.durationSeconds(), scenario.warmupSeconds(),
            scenario.minRequestsPerPage(), scenario.maxRequestsPerPage(), scenario.minQueriesPerRequest(),
            scenario.maxQueriesPerRequest(), scenario.cacheMissProbability(), scenario.listQueryShare(),
            scenario.slowQueryShare(), scenario.thinkTimeMs(), scenario.routes(), scenario.acquireTimeoutMs(),
            scenario.nested(), scenario.backgroundRequests(), scenario.seed() + i);
        Plan plan = new Plan(i, share, connect.jdbcUrl(), connect.username(), connect.driverProperties(),
            topology.size(), fleet, directory.toString(), multipleAcquisition.name());
        Path planFile = directory.resolve("plan-" + i + ".json");
        JSON.writeValue(planFile.toFile(), plan);
        Path result = directory.resolve("result-" + i + ".json");
        Path output = directory.resolve("output-" + i + ".log");
        ProcessBuilder builder = new ProcessBuilder(javaCommand(), "-Xmx256m", "-cp",
            System.getProperty("java.class.path"), Replicas.class.getName(), planFile.toString(), result.toString())
            .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put(PASSWORD_VARIABLE, connect.password() == null ? "" : connect.password());
        processes.add(builder.start());
        results.add(result);
        outputs.add(output);
      }
      awaitReady(directory, processes, outputs, topology);
      long startNanos = System.nanoTime() + GO_DELAY.toNanos();
      Path go = directory.resolve("go.tmp");
      Files.writeString(go, Long.toString(System.currentTimeMillis() + GO_DELAY.toMillis()));
      Files.move(go, directory.resolve("go"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      long windowStart = startNanos + Duration.ofSeconds(scenario.warmupSeconds()).toNanos();
      long windowEnd = windowStart + Duration.ofSeconds(scenario.durationSeconds()).toNanos();
      window.window(windowStart, windowEnd);
      long patience = GO_DELAY.toMillis() + TimeUnit.SECONDS.toMillis(scenario.warmupSeconds()
          + scenario.durationSeconds() + 30) + 4L * scenario.acquireTimeoutMs();
      long deadline = System.currentTimeMillis() + patience;
      for (int i = 0; i < processes.size(); i++) {
        Process process = processes.get(i);
        if (!process.waitFor(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
          throw new IOException("replica " + (i + 1) + " of " + topology + " did not finish within " + patience
              + " ms: " + tail(outputs.get(i)));
        }
        if (process.exitValue() != 0 || !Files.exists(results.get(i))) {
          throw new IOException("replica " + (i + 1) + " of " + topology + " failed (exit code " + process.exitValue()
              + "): " + tail(outputs.get(i)));
        }
      }
      List<Result> measured = new ArrayList<>();
      for (Path result : results) {
        measured.add(JSON.readValue(result.toFile(), Result.class));
      }
      return merge(measured, fleet != null);
    } finally {
      processes.forEach(Process::destroyForcibly);
      for (Process process : processes) {
        process.waitFor(5, TimeUnit.SECONDS);
      }
      deleteQuietly(directory);
    }
  }

  private static void awaitReady(Path directory, List<Process> processes, List<Path> outputs, Topology topology)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    for (int i = 0; i < processes.size(); i++) {
      Path ready = directory.resolve("ready-" + i);
      while (!Files.exists(ready)) {
        if (!processes.get(i).isAlive()) {
          throw new IOException("replica " + (i + 1) + " of " + topology + " exited at start-up (exit code "
              + processes.get(i).exitValue() + "): " + tail(outputs.get(i)));
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IOException("replica " + (i + 1) + " of " + topology + " was not ready within "
              + STARTUP_TIMEOUT.toSeconds() + " s: " + tail(outputs.get(i)));
        }
        Thread.sleep(50);
      }
    }
  }

  /** Called with the measured window in this JVM's System.nanoTime once the replicas are started. */
  @FunctionalInterface
  interface WindowListener {
    void window(long startNanos, long endNanos);
  }

  static Merged merge(List<Result> results, boolean fleet) {
    long pages = 0;
    long requests = 0;
    long poolTimeouts = 0;
    long tooManyClients = 0;
    long other = 0;
    long acquisitions = 0;
    long holdNanos = 0;
    long connectsFailed = 0;
    long poolLocked = 0;
    Histogram pageLatency = null;
    Histogram acquireWait = null;
    Histogram hold = null;
    List<String> caps = new ArrayList<>();
    for (Result result : results) {
      pages += result.pages();
      requests += result.requests();
      poolTimeouts += result.failures().poolTimeout();
      tooManyClients += result.failures().tooManyClients();
      other += result.failures().other();
      poolLocked += result.failures().poolLocked();
      acquisitions += result.acquisitions();
      holdNanos += result.holdNanos();
      connectsFailed += result.connectsFailed();
      pageLatency = add(pageLatency, decode(result.pageLatency()));
      acquireWait = add(acquireWait, decode(result.acquireWait()));
      hold = add(hold, decode(result.hold()));
      caps.add(Integer.toString(result.fleetCap()));
    }
    // Page start times are on each replica's own clock, so no pages/s interval for the merged row (empty starts).
    Measurements.Snapshot snapshot = new Measurements.Snapshot(pages, requests,
        new LabResults.Failures(poolTimeouts, tooManyClients, other, poolLocked), acquisitions, holdNanos,
        pageLatency, acquireWait, hold, new long[0], null);
    String note = fleet ? "fleet caps at the end " + String.join("/", caps) : null;
    return new Merged(snapshot, connectsFailed, note);
  }

  private static Histogram add(Histogram sum, Histogram next) {
    if (sum == null) {
      return next;
    }
    sum.add(next);
    return sum;
  }

  static String encode(Histogram histogram) {
    ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
    int length = histogram.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
  }

  static Histogram decode(String encoded) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("a replica's histogram could not be decoded: " + e.getMessage(), e);
    }
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static String tail(Path output) {
    try {
      List<String> lines = Files.readAllLines(output);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private static void deleteQuietly(Path directory) {
    try (var files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException e) {
      // A leftover temp directory holds no secret (the password went through the environment).
    }
  }

  /* --- The replica: a hidden entry point, not a command --- */

  /** {@code <plan.json> <result.json>}: runs one replica as planned and writes what it measured. */
  public static void main(String[] args) throws Exception {
    Plan plan = JSON.readValue(Path.of(args[0]).toFile(), Plan.class);
    Result result = runReplica(plan, System.getenv(PASSWORD_VARIABLE));
    JSON.writeValue(Path.of(args[1]).toFile(), result);
    System.exit(0); // the pool's and the workload's daemon threads must not keep the replica alive
  }

  static Result runReplica(Plan plan, String password) throws SQLException, IOException, InterruptedException {
    Scenario scenario = plan.scenario();
    PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder().url(plan.jdbcUrl()).username(plan.username())
        .password(password).poolName("lab-replica-" + (plan.replica() + 1)).maxSize(plan.poolSize())
        .minIdle(plan.poolSize()).acquireTimeout(Duration.ofMillis(scenario.acquireTimeoutMs()))
        .multipleAcquisition(MultipleAcquisition.valueOf(plan.multipleAcquisition()));
    Map<String, String> properties = new java.util.LinkedHashMap<>(plan.driverProperties());
    properties.putIfAbsent("ApplicationName", LabDatabase.APPLICATION_NAME);
    properties.forEach(builder::driverProperty);
    if (plan.fleet() != null) {
      // A short period, so the fleet settles within the lab's warm-up; production's default is 5 s.
      builder.fleet(plan.fleet()).fleetInterval(Duration.ofSeconds(1));
    }
    Measurements measurements = new Measurements();
    Measurements background = new Measurements();
    try (PoolwiseDataSource pool = builder.build()) {
      PoolGroup group = new PoolGroup.RoundRobin(List.<DataSource>of(pool), null);
      PageLoadWorkload workload = new PageLoadWorkload(scenario, group, measurements, background);
      awaitFilled(pool, plan.poolSize());
      Path directory = Path.of(plan.directory());
      Files.writeString(directory.resolve("ready-" + plan.replica()), "ready");
      Path go = directory.resolve("go");
      long giveUp = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
      while (!Files.exists(go)) {
        if (System.nanoTime() - giveUp > 0) {
          throw new IllegalStateException("the lab did not say go within " + STARTUP_TIMEOUT.toSeconds() + " s");
        }
        Thread.sleep(20);
      }
      long wait = Long.parseLong(Files.readString(go).trim()) - System.currentTimeMillis();
      long started = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, wait));
      long windowStart = started + Duration.ofSeconds(scenario.warmupSeconds()).toNanos();
      long windowEnd = windowStart + Duration.ofSeconds(scenario.durationSeconds()).toNanos();
      workload.measureUntil(windowStart, windowEnd);
      sleepUntil(started);
      List<Thread> users = workload.start();
      sleepUntil(windowEnd);
      workload.stopAndJoin(users, Duration.ofMillis(4L * scenario.acquireTimeoutMs()).plusSeconds(15));
      PoolSnapshot snapshot = pool.snapshot();
      Measurements.Snapshot measured = measurements.snapshot();
      return new Result(measured.pages(), measured.requests(), measured.failures(), measured.acquisitions(),
          measured.holdNanos(), encode(measured.pageLatency()), encode(measured.acquireWait()),
          encode(measured.hold()), snapshot.creationFailures(),
          snapshot.fleet() == null ? snapshot.maxSize() : snapshot.fleet().cap(),
          snapshot.fleet() == null ? 0 : snapshot.fleet().members());
    }
  }

  /**
   * Waits (bounded by {@link #STARTUP_TIMEOUT}) until the pool holds what it can get before the warm-up starts: a
   * fresh JVM's first SCRAM logins take seconds on a loaded machine, which the replicas in the lab's own warm JVM
   * never pay. Done when the pool is full, when a connect failed (the server is full: 53300 is the point of
   * {@code replicas:KxN}), or, in a fleet, once it holds its fair share (minIdle is the pool size here, and
   * counts as demand).
   */
  private static void awaitFilled(PoolwiseDataSource pool, int poolSize) throws InterruptedException {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      PoolSnapshot snapshot = pool.snapshot();
      if (snapshot.total() >= poolSize || snapshot.creationFailures() > 0
          || snapshot.fleet() != null && snapshot.total() >= Math.min(poolSize, snapshot.fleet().share())) {
        return;
      }
      Thread.sleep(50);
    }
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Duration.ofNanos(Math.min(left, Duration.ofMillis(250).toNanos())));
    }
  }
}
