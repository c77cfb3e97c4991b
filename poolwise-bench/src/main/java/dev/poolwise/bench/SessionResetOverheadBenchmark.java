package dev.poolwise.bench;

import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.SessionReset;
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
 * What watching SQL for session changes costs a borrow that changes nothing (issue 11): one thread, borrow →
 * prepare → execute → close on the stub driver, answering as {@code PostgreSQL} (so the pool treats its
 * connections as PostgreSQL sessions and scans every SQL text, {@link SessionReset#AUTO}) or as the plain
 * {@code Stub} (no PostgreSQL session, the JDBC-level reset only). {@code OFF} on the PostgreSQL stub watches
 * nothing either. The SQL is ordinary ({@code select * from items where id = ?}), so no row resets a session:
 * the differences are the cost of the watching alone. The cost of a reset when one is needed is measured against
 * a real PostgreSQL by {@code dev.poolwise.lab.SessionResetCost}.
 *
 * <p>Run (after {@code ./mvnw -q -B package -pl poolwise-bench -am -DskipTests}):
 * <pre>
 * java -jar poolwise-bench/target/benchmarks.jar SessionResetOverhead
 * </pre>
 * Compare the rows of one run with each other, not with another run's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class SessionResetOverheadBenchmark {

  /** {@code PostgreSQL+AUTO}, {@code PostgreSQL+OFF} or {@code Stub+AUTO} (no PostgreSQL session at all). */
  @Param({"PostgreSQL+AUTO", "PostgreSQL+OFF", "Stub+AUTO"})
  public String variant;

  private StubDatabase database;
  private PoolwiseDataSource pool;

  @Setup(Level.Trial)
  public void startPool() throws SQLException {
    String[] parts = variant.split("\\+");
    if (parts.length != 2) {
      throw new IllegalArgumentException("variant '" + variant + "' must be <product>+<sessionReset>");
    }
    database = StubDatabase.create().productName(parts[0]);
    pool = PoolwiseDataSource.builder()
        .url(database.url())
        .poolName("session-reset-" + variant)
        .maxSize(4)
        .minIdle(4)
        .sessionReset(SessionReset.valueOf(parts[1]))
        .acquireTimeout(Duration.ofSeconds(5))
        .build();
  }

  @TearDown(Level.Trial)
  public void stopPool() {
    pool.close();
    database.forget();
  }

  /** Borrow, prepare, execute, close: the statement cycle of every request. */
  @Benchmark
  public boolean borrowPrepareExecute() throws SQLException {
    try (Connection connection = pool.getConnection();
        PreparedStatement statement = connection.prepareStatement("select * from items where id = ?")) {
      statement.setInt(1, 1);
      return statement.execute();
    }
  }
}
