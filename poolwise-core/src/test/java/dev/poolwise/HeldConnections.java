package dev.poolwise;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
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

  /**
   * Starts a holder thread and returns once it has its connection. A holder that could not borrow fails the
   * test here, with the reason: every test built on this needs the connection held, and a holder that timed
   * out on a loaded machine would otherwise turn into a confusing failure later.
   */
  void hold(DataSource pool, String tag, Work work) throws InterruptedException {
    CountDownLatch borrowed = new CountDownLatch(1);
    AtomicReference<Exception> borrowFailure = new AtomicReference<>();
    holders.add(Thread.ofPlatform().name("holder-" + holders.size()).start(() -> {
      boolean holding = false;
      try (var scope = Poolwise.tag(tag); Connection connection = pool.getConnection()) {
        holding = true;
        borrowed.countDown();
        work.run(connection);
        release.await();
      } catch (Exception e) {
        if (!holding) {
          borrowFailure.set(e);
        }
        borrowed.countDown();
      }
    }));
    borrowed.await();
    if (borrowFailure.get() != null) {
      throw new AssertionError("holder '" + tag + "' could not borrow, so the test's premise does not hold",
          borrowFailure.get());
    }
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
