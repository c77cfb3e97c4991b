package dev.poolwise;

import dev.poolwise.testkit.StubConnection;
import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of the pool's lock-free protocol with Lincheck: each test runs a small concurrent
 * scenario on the real {@link ConnectionPool} (stub driver) many times, and Lincheck chooses where the
 * threads switch, at every read and write of shared memory, lock, park and unpark, exploring
 * interleavings a stress test on two cores would hardly ever hit. Lincheck assumes sequential consistency,
 * which the pool's protocol relies on anyway (volatile and compare-and-set accesses only).
 *
 * <p>Properties, checked after every explored interleaving, at quiescence:
 * <ul>
 *   <li>no connection is handed to two borrowers at once (each borrower registers the physical connection
 *       while it holds it; a second registration fails);</li>
 *   <li>none is lost: every connection is counted once and is idle again (total = idle + borrowed +
 *       reserved, with nothing borrowed or reserved at the end), and the waiter count is back to 0;</li>
 *   <li>no waiter stays parked while an idle connection it may take exists: the clock is frozen
 *       ({@link ManualClock}), so a waiter that nobody serves never reaches its deadline and its thread
 *       never ends, which Lincheck reports as a deadlock (a lost wake-up) with the interleaving;</li>
 *   <li>every waiter is served or failed (interrupt): every thread finishes;</li>
 * </ul>
 * Scenarios that need the pool's background threads (a close, whose connections close on the closer thread;
 * an eviction, after which the creator reconnects) are not model-checked: Lincheck would have to run those
 * executors' threads too, and a scenario with them hung in the checker itself. Close is covered by
 * {@code AcquireReleaseTest} and the 1,000-thread close in {@code FaultScenariosTest}. FIFO among the waiters
 * of one lane is checked by {@code WaiterQueueTest} and {@code AcquireReleaseTest}, deadlines on the test clock
 * by {@code EvictionTest}, {@code DiagnosticsTest} and the other {@link ManualClock} users (a deadline needs the
 * clock to move, which is not what a model check explores).
 *
 * <p>The deliberately broken variant: with {@code -Dpoolwise.modelCheck.breakHandshake=true} the lock-free
 * return reads {@code waiting} before it publishes its entry idle (ConnectionPool.releaseWithoutLock), and
 * {@link #aReturnAndAWaiterNeverStrandTheWaiter} fails within its 100 interleavings (run on 2026-12-01: 167 s on a
 * loaded two-core machine; the correct handshake passes the same 100):
 * <pre>
 * ./mvnw -B -pl poolwise-core -am verify -Dtest=PoolModelCheckTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dpoolwise.modelCheck.breakHandshake=true
 * </pre>
 * Lincheck then reports "= Concurrent test has hung =" and "All unfinished threads are in livelock" (the waiter
 * parks again and again next to the idle connection on the frozen clock), with the
 * interleaving: the returner reads {@code waiting == 0}, the borrower takes the lock, counts itself waiting,
 * finds no idle entry (the returner's is still RETURNING) and parks; the returner publishes its entry idle
 * and leaves without looking again. The flag is read into a {@code static final} by ConnectionPool, so it
 * needs its own JVM: the command above is the way to run it, and a normal build never sets it.
 */
@Tag("model-check") // runs in the model-check surefire execution, in a JVM of its own (poolwise-core/pom.xml)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PoolModelCheckTest {

  /** Interleavings explored per scenario: enough for the two- and three-thread scenarios below. */
  private static final int INVOCATIONS = Integer.getInteger("poolwise.modelCheck.invocations", 100);

  private final StubDatabase database = StubDatabase.create();
  private final ManualClock frozen = new ManualClock();
  private PoolwiseDataSource pool;

  @AfterEach
  void close() {
    if (pool != null) {
      pool.close();
    }
  }

  /**
   * One connection, two threads that each borrow and return it: one of them must wait, and the return
   * must reach it whichever of the two paths (lock-free or locked) the return takes.
   */
  @Test
  void aReturnAndAWaiterNeverStrandTheWaiter() throws Exception {
    pool = filledPool(1);
    Set<Long> held = ConcurrentHashMap.newKeySet();
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      join(start(() -> borrowAndReturn(held), () -> borrowAndReturn(held)));
      assertQuiescent(1);
    });
  }

  /** Two connections, three borrowers: the lock-free path, a waiter and a hand-over all at once. */
  @Test
  void threeBorrowersOnTwoConnectionsEachGetOneOfTheirOwn() throws Exception {
    pool = filledPool(2);
    Set<Long> held = ConcurrentHashMap.newKeySet();
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      join(start(() -> borrowAndReturn(held), () -> borrowAndReturn(held), () -> borrowAndReturn(held)));
      assertQuiescent(2);
    });
  }

  /**
   * A waiter interrupted while a connection is handed to it: it either gets the connection or gives up
   * and passes it on, and the connection is never lost between the two.
   */
  @Test
  void anInterruptRacingAHandOverLosesNoConnection() throws Exception {
    pool = filledPool(1);
    Set<Long> held = ConcurrentHashMap.newKeySet();
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      Thread[] holderAndWaiter = start(() -> borrowAndReturn(held), () -> {
        try {
          borrowAndReturnOrFail(held);
        } catch (SQLException interrupted) {
          if (!String.valueOf(interrupted.getMessage()).startsWith("Interrupted")) {
            throw new AssertionError(interrupted);
          }
        }
      });
      holderAndWaiter[1].interrupt();
      join(holderAndWaiter);
      assertQuiescent(1);
    });
  }

  /**
   * The housekeeper's compare-and-set on a state word it read earlier: it takes an idle connection aside for a
   * keepalive check (IDLE to RESERVED) while a borrower claims it without the lock. Either the borrower gets it
   * and the housekeeper's stale compare-and-set fails, or the housekeeper checks it and hands it back (to the
   * borrower, if that queued meanwhile); never both, and never lost.
   */
  @Test
  void aKeepaliveCheckRacingABorrowerNeverTakesABorrowedConnection() throws Exception {
    pool = filledPool(1, Duration.ofMinutes(1));
    Set<Long> held = ConcurrentHashMap.newKeySet();
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      frozen.advance(Duration.ofMinutes(2)); // keepalive due; the clock stays put while the threads run
      join(start(() -> borrowAndReturn(held), () -> PoolInternals.runHousekeeping(pool.pool())));
      assertQuiescent(1);
    });
  }

  /* --- Scenario support --- */

  /**
   * A pool with {@code size} idle connections and nothing scheduled to run during the scenarios: no
   * housekeeping tick, no keepalive, no validation, no diagnostics, on the frozen clock.
   */
  private PoolwiseDataSource filledPool(int size) throws SQLException {
    return filledPool(size, Duration.ZERO);
  }

  private PoolwiseDataSource filledPool(int size, Duration keepaliveInterval) throws SQLException {
    PoolwiseDataSource built = PoolwiseDataSource.builder().dataSource(database.dataSource()).maxSize(size)
        .minIdle(size).acquireTimeout(Duration.ofMinutes(5)).connectTimeout(Duration.ofMinutes(5))
        .housekeepingInterval(Duration.ofHours(1)).keepaliveInterval(keepaliveInterval)
        .validateAfterIdle(Duration.ofHours(1)).idleTimeout(Duration.ZERO).maxLifetime(Duration.ZERO)
        .diagnostics(false).acquisitionStacks(StackCapture.OFF).multipleAcquisition(MultipleAcquisition.ALLOW)
        .clock(frozen).build();
    pool = built;
    refill(size);
    return built;
  }

  /** Waits (real time, outside the model) until the pool has {@code size} idle connections again. */
  private void refill(int size) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (pool.pool().snapshot().idle() < size) {
      PoolInternals.runHousekeeping(pool.pool());
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("pool did not refill to " + size + ": " + pool.snapshot());
      }
      Thread.onSpinWait();
    }
  }

  private void borrowAndReturn(Set<Long> held) {
    try {
      borrowAndReturnOrFail(held);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  // Inside the model, checks are plain `if`s rather than AssertJ: everything a scenario calls is instrumented
  // and explored, and the assertion library would multiply the steps of every interleaving.

  private void borrowAndReturnOrFail(Set<Long> held) throws SQLException {
    try (Connection connection = pool.getConnection()) {
      long id = connection.unwrap(StubConnection.class).id();
      if (!held.add(id)) {
        throw new AssertionError("connection " + id + " handed to a second borrower while held");
      }
      held.remove(id);
    }
  }

  /** Every connection counted once and idle, nobody waiting, the waiter count back to 0. */
  private void assertQuiescent(int size) {
    List<PoolEntry> entries = PoolInternals.connections(pool.pool());
    if (entries.size() != size || new HashSet<>(entries).size() != size) {
      throw new AssertionError("expected " + size + " distinct connections in the pool, found " + entries);
    }
    for (PoolEntry entry : entries) {
      if (entry.state() != PoolEntry.IDLE) {
        throw new AssertionError(entry + " is in state " + entry.state() + " at quiescence, not idle");
      }
    }
    List<String> violations = PoolInternals.invariantViolationsNow(pool.pool());
    if (!violations.isEmpty()) {
      throw new AssertionError("pool invariants at quiescence: " + violations);
    }
  }

  private static Thread[] start(Runnable... bodies) {
    Thread[] threads = new Thread[bodies.length];
    for (int i = 0; i < bodies.length; i++) {
      threads[i] = new Thread(bodies[i]);
      threads[i].start();
    }
    return threads;
  }

  private static void join(Thread... threads) {
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
