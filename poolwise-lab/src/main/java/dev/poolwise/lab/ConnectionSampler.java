package dev.poolwise.lab;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts the server's client connections ({@code pg_stat_activity}, {@code backend_type = 'client backend'},
 * this sampler's own session excluded) every {@value #INTERVAL_MILLIS} ms on one dedicated connection, for the
 * peak, the mean and the timeline of a topology. PgBouncer's server connections are client backends too, so
 * they are counted; on a shared server, so are other applications' sessions.
 */
final class ConnectionSampler implements AutoCloseable {

  /*
   * Concurrency: one virtual thread samples; the timeline list is guarded by this. Start,
   * window changes and stop are called by the engine's thread. A failed sample (the server busy refusing) is
   * skipped, not fatal: the sampler's connection is already open, so 53300 cannot hit it.
   */

  static final long INTERVAL_MILLIS = 200;
  static final String COUNT_SQL = "SELECT count(*) FROM pg_stat_activity"
      + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";

  private final Connection connection;
  private final PreparedStatement count;
  private final List<LabResults.Sample> timeline = new ArrayList<>();
  private long startNanos;
  private long windowStartNanos = Long.MAX_VALUE;
  private long windowEndNanos = Long.MAX_VALUE;
  private int peak;
  private long sum;
  private long samples;
  private Thread thread;
  private volatile boolean running;

  ConnectionSampler(Connection connection) throws SQLException {
    this.connection = connection;
    this.count = connection.prepareStatement(COUNT_SQL);
  }

  /** One count, now (also used for the baseline between topologies). */
  synchronized int countNow() throws SQLException {
    try (ResultSet result = count.executeQuery()) {
      result.next();
      return result.getInt(1);
    }
  }

  /** Starts a new timeline at time zero = now; the measured window is set separately. */
  synchronized void start() {
    timeline.clear();
    peak = 0;
    sum = 0;
    samples = 0;
    startNanos = System.nanoTime();
    windowStartNanos = Long.MAX_VALUE;
    windowEndNanos = Long.MAX_VALUE;
    running = true;
    thread = Thread.ofVirtual().name("poolwise-lab-sampler").start(this::loop);
  }

  /** Samples taken between these instants count towards peak and mean (the warm-up does not). */
  synchronized void window(long fromNanos, long toNanos) {
    windowStartNanos = fromNanos;
    windowEndNanos = toNanos;
  }

  /** Stops sampling and returns the peak and mean within the window, and the whole timeline. */
  Result stop() throws InterruptedException {
    running = false;
    Thread sampling = thread;
    if (sampling != null) {
      // Not interrupted: interrupting a virtual thread in socket I/O closes the socket, and the connection is reused.
      sampling.join(Duration.ofSeconds(5));
    }
    synchronized (this) {
      return new Result(new LabResults.ServerConnections(peak, samples == 0 ? 0 : Measurements.round((double) sum / samples)),
          List.copyOf(timeline));
    }
  }

  record Result(LabResults.ServerConnections connections, List<LabResults.Sample> timeline) {}

  private void loop() {
    long next = System.nanoTime();
    while (running) {
      try {
        int connections = countNow();
        long now = System.nanoTime();
        synchronized (this) {
          timeline.add(new LabResults.Sample(Duration.ofNanos(now - startNanos).toMillis(), connections));
          if (now >= windowStartNanos && now <= windowEndNanos) {
            peak = Math.max(peak, connections);
            sum += connections;
            samples++;
          }
        }
      } catch (SQLException e) {
        // Skipped sample: see the class comment.
      }
      next += Duration.ofMillis(INTERVAL_MILLIS).toNanos();
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        try {
          Thread.sleep(Duration.ofNanos(sleep));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      } else {
        next = System.nanoTime();
      }
    }
  }

  @Override
  public void close() throws SQLException {
    running = false;
    try {
      count.close();
    } finally {
      connection.close();
    }
  }
}
