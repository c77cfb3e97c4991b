package dev.poolwise;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;

/**
 * Threads that each borrow a connection under a tag, do some work with it, and then keep holding it
 * until {@link #close()}: the situations the verdicts are about, built on purpose.
 */
final class HeldConnections implements AutoCloseable {

  /** What a holder does with its connection before it starts holding. */
  @FunctionalInterface
  interface Work {
    void run(Connection connection) throws Exception;
  }

  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Thread> holders = new ArrayList<>();

  /** Starts a holder thread and returns once it has its connection (or failed to get one). */
  void hold(DataSource pool, String tag, Work work) throws InterruptedException {
    CountDownLatch borrowed = new CountDownLatch(1);
    holders.add(Thread.ofPlatform().name("holder-" + holders.size()).start(() -> {
      try (var scope = Poolwise.tag(tag); Connection connection = pool.getConnection()) {
        borrowed.countDown();
        work.run(connection);
        release.await();
      } catch (Exception e) {
        borrowed.countDown();
      }
    }));
    borrowed.await();
  }

  /** Lets every holder close its connection and waits for them. */
  @Override
  public void close() throws InterruptedException {
    release.countDown();
    for (Thread holder : holders) {
      holder.join();
    }
  }
}
