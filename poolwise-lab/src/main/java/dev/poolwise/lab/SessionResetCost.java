package dev.poolwise.lab;

import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.SessionReset;
import dev.poolwise.embedded.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a PostgreSQL session reset costs when it is needed (issue 11), on the embedded PostgreSQL: one thread,
 * a pool of one connection, cycles of borrow → work → close, timed per cycle. Four cases, interleaved round by
 * round so that machine noise hits them alike:
 * <ul>
 *   <li>{@code plain}: {@code select 1} with {@link SessionReset#AUTO}: nothing marks the session, no reset;
 *   <li>{@code reset}: the same query with {@link SessionReset#ALWAYS}: the cost of {@code DISCARD ALL} plus
 *       re-applying the pool's session settings and client info, per return;
 *   <li>{@code prepared}: a prepared statement the driver has server-prepared, {@code AUTO} (pgjdbc's statement
 *       cache survives between borrows);
 *   <li>{@code prepared+reset}: the same with {@code ALWAYS}: the reset plus pgjdbc re-preparing the statement
 *       after every {@code DISCARD ALL}.
 * </ul>
 * Prints the median cycle time of each case per round, and the median over rounds of each case minus its
 * baseline: the reset's cost in milliseconds.
 *
 * <p>Run (after {@code ./poolwise --help} or {@code ./mvnw -q -B -o package -pl poolwise-lab -am -DskipTests} built the lab):
 * <pre>
 * java -cp poolwise-lab/target/poolwise-lab.jar dev.poolwise.lab.SessionResetCost [cycles] [rounds]
 * </pre>
 * Defaults {@code 2000 5}; the run behind docs/benchmarks.md is the default one.
 */
public final class SessionResetCost {

  private SessionResetCost() {}

  private interface Work {
    void run(Connection connection) throws SQLException;
  }

  public static void main(String[] args) throws Exception {
    int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    try (PostgresServer server = PostgresServer.start()) {
      PostgresServer.AppUser app = server.createAppUser("reset_cost", "reset-cost-password");
      Work plain = connection -> {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("select 1")) {
          rows.next();
        }
      };
      Work prepared = connection -> {
        try (PreparedStatement statement = connection.prepareStatement("select relname from pg_class where oid = ?")) {
          statement.setLong(1, 1259);
          try (ResultSet rows = statement.executeQuery()) {
            rows.next();
          }
        }
      };
      try (PoolwiseDataSource auto = pool(app, SessionReset.AUTO); PoolwiseDataSource always = pool(app, SessionReset.ALWAYS)) {
        String[] names = {"plain", "reset", "prepared", "prepared+reset"};
        PoolwiseDataSource[] pools = {auto, always, auto, always};
        Work[] work = {plain, plain, prepared, prepared};
        double[][] medians = new double[names.length][rounds];
        for (int i = 0; i < names.length; i++) {
          measure(pools[i], work[i], cycles / 4); // warm-up: JIT, and pgjdbc's prepareThreshold passed
        }
        System.out.printf(Locale.ROOT, "PostgreSQL session reset cost: %d cycles per case per round, %d rounds,"
            + " pool of 1, %d cores%n", cycles, rounds, Runtime.getRuntime().availableProcessors());
        for (int round = 0; round < rounds; round++) {
          StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
          for (int i = 0; i < names.length; i++) {
            medians[i][round] = measure(pools[i], work[i], cycles);
            line.append(String.format(Locale.ROOT, "  %s %.3f ms", names[i], medians[i][round]));
          }
          System.out.println(line);
        }
        System.out.printf(Locale.ROOT, "median cycle: plain %.3f ms, reset %.3f ms, prepared %.3f ms,"
            + " prepared+reset %.3f ms%n", median(medians[0]), median(medians[1]), median(medians[2]),
            median(medians[3]));
        System.out.printf(Locale.ROOT, "reset cost per return: %.3f ms (plain), %.3f ms (prepared, incl. re-prepare)%n",
            medianDifference(medians[1], medians[0]), medianDifference(medians[3], medians[2]));
      }
    }
  }

  private static PoolwiseDataSource pool(PostgresServer.AppUser app, SessionReset mode) throws SQLException {
    return PoolwiseDataSource.builder()
        .url(app.jdbcUrl())
        .username(app.username())
        .password(app.password())
        .driverProperty("ApplicationName", "reset-cost-" + mode)
        .maxSize(1)
        .sessionReset(mode)
        .acquireTimeout(Duration.ofSeconds(30))
        .build();
  }

  /** Median cycle time in milliseconds over {@code cycles} cycles. */
  private static double measure(PoolwiseDataSource pool, Work work, int cycles) throws SQLException {
    long[] nanos = new long[cycles];
    for (int i = 0; i < cycles; i++) {
      long start = System.nanoTime();
      try (Connection connection = pool.getConnection()) {
        work.run(connection);
      }
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return nanos[cycles / 2] / 1e6;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double medianDifference(double[] with, double[] without) {
    double[] differences = new double[with.length];
    for (int i = 0; i < with.length; i++) {
      differences[i] = with[i] - without[i];
    }
    return median(differences);
  }
}
