package dev.poolwise.lab;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The small, realistic schema the page-load scenario reads, in its own schema {@value #SCHEMA} so that an
 * existing database's other objects are left alone: organizations, their users and projects, the projects'
 * tasks and the tasks' comments, with the indexes a real application would have. Seeding is idempotent
 * (tables are created if missing, rows inserted only into an empty schema) and deterministic.
 */
final class LabSchema {

  static final String SCHEMA = "poolwise_lab";
  static final int ORGANIZATIONS = 50;
  static final int USERS = 2_000;
  static final int PROJECTS = 400;
  static final int TASKS = 8_000;
  static final int COMMENTS = 20_000;

  /* --- The scenario's queries (each takes one int parameter; REPORT also the sleep in seconds first) --- */

  static final String USER_BY_ID = "SELECT id, name, email, organization_id FROM poolwise_lab.users WHERE id = ?";
  static final String ORGANIZATION_BY_ID = "SELECT id, name, plan FROM poolwise_lab.organizations WHERE id = ?";
  static final String TASK_BY_ID = "SELECT t.id, t.title, t.status, t.priority, t.updated_at, p.name"
      + " FROM poolwise_lab.tasks t JOIN poolwise_lab.projects p ON p.id = t.project_id WHERE t.id = ?";
  static final String TASKS_OF_PROJECT = "SELECT id, title, status, updated_at FROM poolwise_lab.tasks"
      + " WHERE project_id = ? ORDER BY updated_at DESC LIMIT 20";
  static final String COMMENTS_OF_TASK = "SELECT id, author_id, body, created_at FROM poolwise_lab.comments"
      + " WHERE task_id = ? ORDER BY created_at LIMIT 20";
  /** The list query: every task of an organization with assignee and comment count, sorted. */
  static final String TASK_LIST_OF_ORGANIZATION = "SELECT t.id, t.title, t.status, u.name, count(c.id) AS comments"
      + " FROM poolwise_lab.tasks t JOIN poolwise_lab.projects p ON p.id = t.project_id"
      + " LEFT JOIN poolwise_lab.users u ON u.id = t.assignee_id"
      + " LEFT JOIN poolwise_lab.comments c ON c.task_id = t.id"
      + " WHERE p.organization_id = ? GROUP BY t.id, u.name ORDER BY t.priority DESC, t.updated_at DESC LIMIT 50";
  /**
   * The slow report: an aggregate over every comment of the database, plus a sleep standing in for the rest
   * of a heavy report (the aggregate alone takes milliseconds on this schema). The organization parameter
   * keeps the plan honest (it filters, so the planner cannot drop the joins).
   */
  static final String ACTIVITY_REPORT = "SELECT o.plan, count(DISTINCT t.id) AS tasks, count(c.id) AS comments,"
      + " avg(length(c.body)) AS average_length"
      + " FROM pg_sleep(?) AS pause, poolwise_lab.comments c JOIN poolwise_lab.tasks t ON t.id = c.task_id"
      + " JOIN poolwise_lab.projects p ON p.id = t.project_id JOIN poolwise_lab.organizations o ON o.id = p.organization_id"
      + " WHERE o.id <> ? GROUP BY o.plan ORDER BY o.plan";

  private LabSchema() {}

  /** Creates the schema and its rows unless they are there already. */
  static void seed(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      // Two labs seeding the same database at once wait for each other instead of colliding.
      statement.execute("SELECT pg_advisory_xact_lock(hashtext('poolwise_lab.seed'))");
      statement.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
      statement.execute("CREATE TABLE IF NOT EXISTS poolwise_lab.organizations (id int PRIMARY KEY, name text NOT NULL,"
          + " plan text NOT NULL, created_at timestamptz NOT NULL)");
      statement.execute("CREATE TABLE IF NOT EXISTS poolwise_lab.users (id int PRIMARY KEY,"
          + " organization_id int NOT NULL REFERENCES poolwise_lab.organizations, name text NOT NULL,"
          + " email text NOT NULL, created_at timestamptz NOT NULL)");
      statement.execute("CREATE TABLE IF NOT EXISTS poolwise_lab.projects (id int PRIMARY KEY,"
          + " organization_id int NOT NULL REFERENCES poolwise_lab.organizations, name text NOT NULL,"
          + " created_at timestamptz NOT NULL)");
      statement.execute("CREATE TABLE IF NOT EXISTS poolwise_lab.tasks (id int PRIMARY KEY,"
          + " project_id int NOT NULL REFERENCES poolwise_lab.projects, assignee_id int REFERENCES poolwise_lab.users,"
          + " title text NOT NULL, status text NOT NULL, priority int NOT NULL, updated_at timestamptz NOT NULL)");
      statement.execute("CREATE TABLE IF NOT EXISTS poolwise_lab.comments (id int PRIMARY KEY,"
          + " task_id int NOT NULL REFERENCES poolwise_lab.tasks, author_id int NOT NULL REFERENCES poolwise_lab.users,"
          + " body text NOT NULL, created_at timestamptz NOT NULL)");
      statement.execute("CREATE INDEX IF NOT EXISTS users_organization_idx ON poolwise_lab.users (organization_id)");
      statement.execute("CREATE INDEX IF NOT EXISTS projects_organization_idx ON poolwise_lab.projects (organization_id)");
      statement.execute("CREATE INDEX IF NOT EXISTS tasks_project_updated_idx ON poolwise_lab.tasks (project_id, updated_at DESC)");
      statement.execute("CREATE INDEX IF NOT EXISTS tasks_assignee_idx ON poolwise_lab.tasks (assignee_id)");
      statement.execute("CREATE INDEX IF NOT EXISTS comments_task_created_idx ON poolwise_lab.comments (task_id, created_at)");
      if (!isEmpty(connection)) {
        connection.commit();
        return;
      }
      String epoch = "timestamptz '2024-01-01 00:00:00+00'";
      statement.execute("INSERT INTO poolwise_lab.organizations SELECT i, 'Organization ' || i,"
          + " (ARRAY['free','team','business','enterprise'])[1 + i % 4], " + epoch + " + i * interval '1 day'"
          + " FROM generate_series(1, " + ORGANIZATIONS + ") i");
      statement.execute("INSERT INTO poolwise_lab.users SELECT i, 1 + i % " + ORGANIZATIONS + ", 'User ' || i,"
          + " 'user' || i || '@example.org', " + epoch + " + i * interval '1 hour'"
          + " FROM generate_series(1, " + USERS + ") i");
      statement.execute("INSERT INTO poolwise_lab.projects SELECT i, 1 + i % " + ORGANIZATIONS + ", 'Project ' || i,"
          + " " + epoch + " + i * interval '3 hours' FROM generate_series(1, " + PROJECTS + ") i");
      statement.execute("INSERT INTO poolwise_lab.tasks SELECT i, 1 + i % " + PROJECTS + ","
          + " CASE WHEN i % 7 = 0 THEN NULL ELSE 1 + (i * 31) % " + USERS + " END,"
          + " 'Task ' || i || ': ' || md5(i::text), (ARRAY['open','in progress','review','done'])[1 + i % 4],"
          + " i % 5, " + epoch + " + ((i * 7919) % 100000) * interval '1 minute'"
          + " FROM generate_series(1, " + TASKS + ") i");
      statement.execute("INSERT INTO poolwise_lab.comments SELECT i, 1 + (i * 13) % " + TASKS + ","
          + " 1 + (i * 17) % " + USERS + ", repeat(md5(i::text), 1 + i % 6), " + epoch + " + i * interval '5 minutes'"
          + " FROM generate_series(1, " + COMMENTS + ") i");
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw new SQLException("could not seed the lab's schema " + SCHEMA + ": " + e.getMessage()
          + ". The role needs CREATE on the database (or an existing " + SCHEMA + " schema it may write)", e);
    } finally {
      connection.setAutoCommit(autoCommit);
    }
    settle(connection);
  }

  /**
   * VACUUM (ANALYZE) of the freshly seeded tables, outside any transaction: sets every row's hint bits and the
   * visibility map now. Without it the first queries of a run set them as they read (writing the pages back), so
   * the calibration and the first rows ran on a slower database than the later ones: in an interleaved compare
   * (hikari:20, single:20, ×3) pages/s rose from 58.6 to 64.1 over the six rows, and the default order put Poolwise's
   * rows first.
   */
  private static void settle(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement()) {
      statement.execute("VACUUM (ANALYZE) poolwise_lab.organizations, poolwise_lab.users, poolwise_lab.projects,"
          + " poolwise_lab.tasks, poolwise_lab.comments");
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static boolean isEmpty(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT NOT EXISTS (SELECT 1 FROM poolwise_lab.organizations)");
        ResultSet result = statement.executeQuery()) {
      result.next();
      return result.getBoolean(1);
    }
  }
}
