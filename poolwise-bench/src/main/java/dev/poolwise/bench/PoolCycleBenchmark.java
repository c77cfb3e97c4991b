package dev.poolwise.bench;

import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
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
 * The issue-7 matrix on the stub driver (no I/O: only the pools' own cost is measured): a borrow/return cycle
 * ({@code getConnection()} → {@code close()}) and a statement cycle ({@code getConnection()} →
 * {@code prepareStatement} → {@code execute} → close both), at 1, 2, 8 and 32 platform threads, with a pool of 4
 * (below the thread count from 8 threads on: threads queue for connections) and of 64 (above every thread count:
 * nobody waits, only shared-state contention), Poolwise against HikariCP configured alike ({@link BenchPools}).
 * Higher is better; only the ratio between the two pools within one run means anything on a shared machine
 * (DESIGN.md §7). Virtual threads: see {@link VirtualThreadHarness} (JMH has no virtual-thread mode).
 *
 * <p>Run (after {@code ./mvnw -q -B -o package -pl poolwise-bench -am -DskipTests}):
 * <pre>
 * java -jar poolwise-bench/target/benchmarks.jar PoolCycle
 * </pre>
 * The short run behind docs/benchmarks.md: {@code java -jar poolwise-bench/target/benchmarks.jar PoolCycle -f 1
 * -wi 2 -w 1s -i 3 -r 1s -rf json -rff jmh-poolcycle.json}. One thread count only, e.g. 32:
 * {@code java -jar poolwise-bench/target/benchmarks.jar 'PoolCycle.*32Threads'}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class PoolCycleBenchmark {

  /** Long enough never to fire in a benchmark: a timeout would be a broken run, not a slow one. */
  static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(30);

  @Param({"poolwise", "hikari"})
  public String pool;

  /** 4 is below 8 and 32 threads (waiting), 64 is above every thread count (no waiting). */
  @Param({"4", "64"})
  public int poolSize;

  private StubDatabase database;
  private DataSource dataSource;

  @Setup(Level.Trial)
  public void startPool() throws SQLException {
    database = StubDatabase.create();
    dataSource = BenchPools.open(pool, database.url(), poolSize, ACQUIRE_TIMEOUT);
  }

  @TearDown(Level.Trial)
  public void stopPool() throws Exception {
    BenchPools.close(dataSource);
    database.forget();
  }

  /* --- Borrow/return cycle --- */

  @Benchmark
  @Threads(1)
  public Connection borrowReturn1Thread() throws SQLException {
    return borrowReturn();
  }

  @Benchmark
  @Threads(2)
  public Connection borrowReturn2Threads() throws SQLException {
    return borrowReturn();
  }

  @Benchmark
  @Threads(8)
  public Connection borrowReturn8Threads() throws SQLException {
    return borrowReturn();
  }

  @Benchmark
  @Threads(32)
  public Connection borrowReturn32Threads() throws SQLException {
    return borrowReturn();
  }

  /* --- Statement cycle --- */

  @Benchmark
  @Threads(1)
  public boolean statement1Thread() throws SQLException {
    return statement();
  }

  @Benchmark
  @Threads(2)
  public boolean statement2Threads() throws SQLException {
    return statement();
  }

  @Benchmark
  @Threads(8)
  public boolean statement8Threads() throws SQLException {
    return statement();
  }

  @Benchmark
  @Threads(32)
  public boolean statement32Threads() throws SQLException {
    return statement();
  }

  Connection borrowReturn() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return connection;
    }
  }

  boolean statement() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement("select 1")) {
      return statement.execute();
    }
  }
}
