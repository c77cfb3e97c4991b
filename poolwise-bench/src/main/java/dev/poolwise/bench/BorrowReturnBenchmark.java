package dev.poolwise.bench;

import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
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
 * Borrow and return throughput, Poolwise against HikariCP, both with 10 connections over the stub driver
 * (no network: the pools' own work is all that is measured) and the same timeouts. One thread measures the
 * uncontended hot path; two threads add contention on the pool's shared state (still fewer threads than
 * connections, so nobody waits for a connection). Higher is better.
 *
 * <p>Run (after {@code ./mvnw -q -B package -pl poolwise-bench -am -DskipTests}):
 * <pre>
 * java -jar poolwise-bench/target/benchmarks.jar BorrowReturn
 * </pre>
 * A quick check that it works: {@code java -jar poolwise-bench/target/benchmarks.jar BorrowReturn -f 1 -wi 2 -w 1s
 * -i 3 -r 1s}. Per DESIGN.md §7 only the ratio between the two pools within one run means anything on a shared
 * machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class BorrowReturnBenchmark {

  static final int POOL_SIZE = 10;
  static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(5);

  @Param({"poolwise", "hikari"})
  public String pool;

  private StubDatabase database;
  private DataSource dataSource;

  @Setup(Level.Trial)
  public void startPool() throws SQLException {
    database = StubDatabase.create();
    dataSource = BenchPools.open(pool, database.url(), POOL_SIZE, ACQUIRE_TIMEOUT);
  }

  @TearDown(Level.Trial)
  public void stopPool() throws Exception {
    BenchPools.close(dataSource);
    database.forget();
  }

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

  private Connection borrowReturn() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return connection;
    }
  }
}
