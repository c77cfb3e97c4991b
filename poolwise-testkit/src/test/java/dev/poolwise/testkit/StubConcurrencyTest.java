package dev.poolwise.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hammers the connect/close paths from many threads and checks that the counters balance. */
class StubConcurrencyTest {

  private static final int THREADS = 8;
  private static final int ROUNDS_PER_THREAD = 2_000;

  private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stopThreads() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void countersBalanceAfterManyThreadsConnectExecuteAndClose() throws Exception {
    StubDatabase database = StubDatabase.create();
    runOnAllThreads(() -> {
      for (int round = 0; round < ROUNDS_PER_THREAD; round++) {
        StubConnection connection = database.connect("u", null);
        connection.createStatement().execute("SELECT 1");
        if (round % 3 == 0) {
          connection.abort(Runnable::run);
        } else {
          connection.close();
        }
      }
      return null;
    });

    long total = (long) THREADS * ROUNDS_PER_THREAD;
    assertThat(database.connectAttempts()).isEqualTo(total);
    assertThat(database.connectsSucceeded()).isEqualTo(total);
    assertThat(database.connectionsClosed() + database.connectionsAborted()).isEqualTo(total);
    assertThat(database.connectionsAborted()).isEqualTo((long) THREADS * ((ROUNDS_PER_THREAD + 2) / 3));
    assertThat(database.openConnections()).isZero();
    assertThat(database.liveConnections()).isEmpty();
  }

  @Test
  void maxConnectionsIsNeverExceededUnderContention() throws Exception {
    int max = 3;
    StubDatabase database = StubDatabase.create().maxConnections(max);
    AtomicInteger heldNow = new AtomicInteger();
    AtomicInteger mostHeld = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    runOnAllThreads(() -> {
      for (int round = 0; round < ROUNDS_PER_THREAD; round++) {
        try (StubConnection connection = database.connect("u", null)) {
          mostHeld.accumulateAndGet(heldNow.incrementAndGet(), Math::max);
          assertThat(database.openConnections()).isLessThanOrEqualTo(max);
          heldNow.decrementAndGet();
          connection.isValid(1);
        } catch (SQLException e) {
          assertThat(e.getSQLState()).isEqualTo("53300");
          refused.incrementAndGet();
        }
      }
      return null;
    });

    assertThat(mostHeld.get()).isLessThanOrEqualTo(max);
    assertThat(database.connectAttempts()).isEqualTo((long) THREADS * ROUNDS_PER_THREAD);
    assertThat(database.connectsSucceeded() + refused.get()).isEqualTo(database.connectAttempts());
    assertThat(database.connectionsClosed()).isEqualTo(database.connectsSucceeded());
    assertThat(database.openConnections()).isZero();
  }

  @Test
  void racingCloseAndAbortEndEachConnectionExactlyOnce() throws Exception {
    StubDatabase database = StubDatabase.create();
    int connections = 2_000;
    List<StubConnection> victims = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      StubConnection connection = database.connect("u", null);
      connection.createStatement();
      victims.add(connection);
    }
    CountDownLatch start = new CountDownLatch(1);
    Future<?> closer = threads.submit(() -> {
      start.await();
      victims.forEach(StubConnection::close);
      return null;
    });
    Future<?> aborter = threads.submit(() -> {
      start.await();
      for (StubConnection victim : victims) {
        victim.abort(Runnable::run);
      }
      return null;
    });
    Future<?> killer = threads.submit(() -> {
      start.await();
      database.killAll();
      return null;
    });
    start.countDown();
    closer.get(30, TimeUnit.SECONDS);
    aborter.get(30, TimeUnit.SECONDS);
    killer.get(30, TimeUnit.SECONDS);

    assertThat(database.connectionsClosed() + database.connectionsAborted()).isEqualTo(connections);
    assertThat(database.openConnections()).isZero();
    assertThat(victims).allSatisfy(victim -> {
      assertThat(victim.isClosed()).isTrue();
      assertThat(victim.openStatementCount()).isZero();
    });
  }

  private void runOnAllThreads(Callable<Void> work) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Void>> results = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      results.add(threads.submit(() -> {
        start.await();
        return work.call();
      }));
    }
    start.countDown();
    for (Future<Void> result : results) {
      result.get(60, TimeUnit.SECONDS);
    }
  }
}
