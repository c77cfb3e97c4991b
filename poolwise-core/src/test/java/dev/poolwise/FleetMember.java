package dev.poolwise;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A busy fleet member for the fairness tests: {@code threads} threads that borrow a connection, run a query that
 * holds it for {@code holdMillis}, and return it, until {@link #close()}. Counts every failure (a 53300, a
 * timeout, a connection taken away mid-borrow would all be one). Also the entry point of a member in its own
 * JVM ({@link #main}), which the test kills to see its share freed.
 */
final class FleetMember implements AutoCloseable {

  final PoolwiseDataSource pool;
  final AtomicInteger failures = new AtomicInteger();
  final AtomicInteger completed = new AtomicInteger();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> workers = new ArrayList<>();
  private volatile Throwable firstFailure;

  FleetMember(PoolwiseDataSource pool) {
    this.pool = pool;
  }

  static PoolwiseDataSource.Builder builder(String jdbcUrl, String user, String password, String fleet,
      Duration interval, int maxSize) {
    return PoolwiseDataSource.builder().url(jdbcUrl).username(user).password(password).fleet(fleet)
        .fleetInterval(interval).maxSize(maxSize).acquireTimeout(Duration.ofSeconds(30)).poolName("member-" + fleet);
  }

  /** Starts {@code threads} workers that keep borrowing. */
  FleetMember load(int threads, int holdMillis) {
    for (int i = 0; i < threads; i++) {
      Thread worker = new Thread(() -> {
        while (running.get()) {
          try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("select pg_sleep(" + holdMillis / 1000.0 + ")");
            completed.incrementAndGet();
          } catch (Exception e) {
            if (running.get()) {
              failures.incrementAndGet();
              if (firstFailure == null) {
                firstFailure = e;
              }
            }
          }
        }
      }, pool.snapshot().poolName() + "-worker-" + workers.size());
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
    return this;
  }

  Throwable firstFailure() {
    return firstFailure;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    pool.close(); // fails the waiters at once; the borrowers return within a hold
    for (Thread worker : workers) {
      worker.join(60_000);
    }
  }

  /** The environment variable the member process reads its password from (never from its command line). */
  static final String PASSWORD_VARIABLE = "POOLWISE_FLEET_MEMBER_PASSWORD";

  /** {@code jdbcUrl user fleet intervalMillis maxSize threads holdMillis}: runs until killed. */
  public static void main(String[] args) throws Exception {
    PoolwiseDataSource pool = builder(args[0], args[1], System.getenv(PASSWORD_VARIABLE), args[2],
        Duration.ofMillis(Long.parseLong(args[3])), Integer.parseInt(args[4])).build();
    FleetMember member = new FleetMember(pool).load(Integer.parseInt(args[5]), Integer.parseInt(args[6]));
    while (true) {
      Thread.sleep(1000);
      System.out.println("member " + pool.snapshot() + " failures " + member.failures.get());
    }
  }
}
