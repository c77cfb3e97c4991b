package dev.poolwise.lab;

import dev.poolwise.lab.model.Calibration;
import dev.poolwise.lab.model.Calibrator;
import dev.poolwise.lab.model.QueryKind;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * The lab's calibration probe: the scenario's own queries ({@link LabSchema}) on connections of the workload's
 * role, so the model's service demands are those the rows will see. The slow report runs with a zero sleep: its
 * sleep is a delay the model adds itself, its aggregate is the work.
 */
final class LabCalibration {

  /*
   * Concurrency: one probe session per calibration thread (Calibrator's sweep); each session owns its connection,
   * statements and random numbers. Failure modes: a failed query or connect fails the calibration, and the run
   * goes on without predictions (LabEngine says so).
   */

  static final String APPLICATION_NAME = "poolwise-lab-calibration";

  private LabCalibration() {}

  /** Calibrates against {@code database} for {@code scenario}'s query mix. */
  static Calibration measure(LabDatabase database, Scenario scenario, int connectionLimit)
      throws SQLException, InterruptedException {
    return Calibrator.calibrate(() -> new JdbcSession(database.openAppConnection(APPLICATION_NAME)),
        Calibrator.mixOf(scenario), connectionLimit, Calibrator.Budget.DEFAULT);
  }

  /**
   * What passing through PgBouncer adds to a short query: the task lookup on a connection through {@code bouncer}
   * against the same lookup on a direct one, interleaved in short rounds so that a change of load hits both; the
   * difference of the means, ms (0 if the hop measured faster). The model runs it on PgBouncer's one thread.
   */
  static double pgbouncerHopMs(LabDatabase database, PgBouncerProcess bouncer) throws SQLException {
    DatabaseTarget target = database.target();
    Properties properties = target.connectionProperties(APPLICATION_NAME);
    properties.setProperty("prepareThreshold", "0"); // as the rows through PgBouncer connect
    String url = DatabaseTarget.jdbcUrl("127.0.0.1", bouncer.port(), target.database(), target.parameters());
    try (JdbcSession direct = new JdbcSession(database.openAppConnection(APPLICATION_NAME));
        JdbcSession hopped = new JdbcSession(DriverManager.getConnection(url, properties))) {
      for (int i = 0; i < 20; i++) { // warm both paths
        direct.run(QueryKind.TASK_BY_ID);
        hopped.run(QueryKind.TASK_BY_ID);
      }
      double[] directMs = {0, 0};
      double[] hoppedMs = {0, 0};
      for (int round = 0; round < HOP_ROUNDS; round++) {
        timed(direct, directMs);
        timed(hopped, hoppedMs);
      }
      return Math.max(0, hoppedMs[0] / hoppedMs[1] - directMs[0] / directMs[1]);
    }
  }

  private static final int HOP_ROUNDS = 6;
  private static final long HOP_ROUND_NANOS = 60_000_000L;

  /** Runs the task lookup for one round; adds the elapsed ms and the count to {@code total}. */
  private static void timed(JdbcSession session, double[] total) throws SQLException {
    long start = System.nanoTime();
    long deadline = start + HOP_ROUND_NANOS;
    int runs = 0;
    do {
      session.run(QueryKind.TASK_BY_ID);
      runs++;
    } while (System.nanoTime() < deadline);
    total[0] += (System.nanoTime() - start) / 1e6;
    total[1] += runs;
  }

  /** The SQL behind each query kind: the scenario's own statements. */
  static final Map<QueryKind, String> SQL;

  static {
    Map<QueryKind, String> sql = new EnumMap<>(QueryKind.class);
    sql.put(QueryKind.USER_BY_ID, LabSchema.USER_BY_ID);
    sql.put(QueryKind.ORGANIZATION_BY_ID, LabSchema.ORGANIZATION_BY_ID);
    sql.put(QueryKind.TASK_BY_ID, LabSchema.TASK_BY_ID);
    sql.put(QueryKind.TASKS_OF_PROJECT, LabSchema.TASKS_OF_PROJECT);
    sql.put(QueryKind.COMMENTS_OF_TASK, LabSchema.COMMENTS_OF_TASK);
    sql.put(QueryKind.TASK_LIST, LabSchema.TASK_LIST_OF_ORGANIZATION);
    sql.put(QueryKind.ACTIVITY_REPORT, LabSchema.ACTIVITY_REPORT);
    SQL = Map.copyOf(sql);
  }

  /** One connection running the scenario's statements with random parameters, reading every row. */
  static final class JdbcSession implements Calibrator.Session {
    private final Connection connection;
    private final Map<QueryKind, PreparedStatement> statements = new EnumMap<>(QueryKind.class);
    private final SplittableRandom random = new SplittableRandom(7);

    JdbcSession(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void run(QueryKind kind) throws SQLException {
      PreparedStatement statement = statements.get(kind);
      if (statement == null) {
        statement = connection.prepareStatement(SQL.get(kind));
        statements.put(kind, statement);
      }
      int index = 1;
      if (kind == QueryKind.ACTIVITY_REPORT) {
        statement.setDouble(index++, 0);
      }
      statement.setInt(index, parameter(kind));
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          result.getObject(1);
        }
      }
    }

    private int parameter(QueryKind kind) {
      return switch (kind) {
        case USER_BY_ID -> 1 + random.nextInt(LabSchema.USERS);
        case ORGANIZATION_BY_ID, TASK_LIST, ACTIVITY_REPORT -> 1 + random.nextInt(LabSchema.ORGANIZATIONS);
        case TASK_BY_ID, COMMENTS_OF_TASK -> 1 + random.nextInt(LabSchema.TASKS);
        case TASKS_OF_PROJECT -> 1 + random.nextInt(LabSchema.PROJECTS);
      };
    }

    @Override
    public void close() throws SQLException {
      connection.close(); // closes its statements
    }
  }
}
