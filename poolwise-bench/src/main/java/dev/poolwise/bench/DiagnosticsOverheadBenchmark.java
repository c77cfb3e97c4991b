package dev.poolwise.bench;

import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.StackCapture;
import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Poolwise's diagnostics cost per borrow: one thread borrowing and closing a connection from a pool of 4
 * over the stub driver (no network, so the pool's own work is all that is measured), with diagnostics off, at
 * their defaults (holder records, sampled acquisition stacks) and with a stack captured on every borrow.
 * {@link #borrowPrepareExecute} adds a prepared statement and its execution, which diagnostics also track.
 *
 * <p>Run (after {@code ./mvnw -q -B package -pl poolwise-bench -am -DskipTests}):
 * <pre>
 * java -jar poolwise-bench/target/benchmarks.jar DiagnosticsOverhead
 * </pre>
 * A quick check that it works: {@code java -jar poolwise-bench/target/benchmarks.jar DiagnosticsOverhead -f 1 -wi 2
 * -w 1s -i 3 -r 1s}. Compare the {@code diagnostics} rows of one run with each other, not with another run's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class DiagnosticsOverheadBenchmark {

  /** {@code off}: {@code diagnostics(false)}; {@code default}: the builder's defaults; {@code stacks-always}: a stack per borrow. */
  @Param({"off", "default", "stacks-always"})
  public String diagnostics;

  private StubDatabase database;
  private PoolwiseDataSource pool;

  @Setup(Level.Trial)
  public void startPool() throws SQLException {
    database = StubDatabase.create();
    PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder()
        .url(database.url())
        .poolName("diagnostics-" + diagnostics)
        .maxSize(4)
        .minIdle(4)
        .acquireTimeout(Duration.ofSeconds(5));
    switch (diagnostics) {
      case "off" -> builder.diagnostics(false);
      case "default" -> { }
      case "stacks-always" -> builder.acquisitionStacks(StackCapture.ALWAYS);
      default -> throw new IllegalArgumentException("unknown diagnostics variant '" + diagnostics
          + "': use off, default or stacks-always");
    }
    pool = builder.build();
  }

  @TearDown(Level.Trial)
  public void stopPool() {
    pool.close();
    database.forget();
  }

  /** Borrow and close: the pool's hot path and nothing else. */
  @Benchmark
  public Connection borrowAndClose() throws SQLException {
    try (Connection connection = pool.getConnection()) {
      return connection;
    }
  }

  /** Borrow, prepare {@code select 1}, execute, close both: the statement wrappers' share of the cost. */
  @Benchmark
  public boolean borrowPrepareExecute() throws SQLException {
    try (Connection connection = pool.getConnection();
         PreparedStatement statement = connection.prepareStatement("select 1")) {
      return statement.execute();
    }
  }
}
