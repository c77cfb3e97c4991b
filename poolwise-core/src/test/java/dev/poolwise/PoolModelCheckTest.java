package dev.poolwise;

import dev.poolwise.testkit.StubConnection;
import dev.poolwise.testkit.StubDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
 *   <li>every waiter is served or failed (interrupt, close, deadline): every thread finishes;</li>
 *   <li>FIFO among the waiters of one lane: a waiter that queued before another began to borrow is served
 *       first ({@link #waitersOfOneLaneAreServedInArrivalOrder});</li>
 *   <li>a lane never holds more than its cap, and a lane waiter is served when its lane's holder returns,
 *       while the default lane is served beside it ({@link #aLaneNeverHoldsMoreThanItsCap});</li>
 *   <li>every waiter is served or failed by its deadline: once the test clock passes a queued waiter's
 *       deadline it ends, with a {@link PoolTimeoutException} that reports at least the acquire timeout, or
 *       with the connection a returner handed over in the same instant, which is then not lost
 *       ({@link #aWaiterIsServedOrFailedByItsDeadline});</li>
 *   <li>close leaves nothing open ({@link #closeLeavesNothingOpen}): racing a waiter and a returner, close
 *       fails the parked waiter with the closed error (or the waiter is served first); a connection still
 *       borrowed is dead once close() returned, so its handle fails; no borrow succeeds after close() returned;
 *       and afterwards every physical connection is closed and none is counted;</li>
 *   <li>the housekeeper never evicts a borrowed connection: its compare-and-set on a state word read before a
 *       borrower's claim fails, it evicts exactly one idle connection past the idle timeout (down to minIdle),
 *       and the borrower's connection is open while held ({@link #idleEvictionRacingABorrowerNeverClosesItsConnection});</li>
 *   <li>soft eviction racing a return and a housekeeping pass: every connection present when it ran is closed
 *       once returned, at the latest by the next housekeeping pass, and none is left counted
 *       ({@link #softEvictionRacingAReturnClosesEveryConnection}).</li>
 * </ul>
 *
 * <p>How the pool's background threads stay out of the model: the scenarios that close or evict run on
 * pools filled beforehand, outside the model, whose executors are then shut down ({@link #withoutThreads}):
 * closing a connection then runs on the calling thread (the closer's documented behaviour after shutdown)
 * and the creator cannot start a connect, so every step is on a thread Lincheck schedules (an executor's
 * thread started inside a scenario made the checker itself hang; and the scenarios start only once those
 * executors have terminated, since a pool thread still exiting could hold an executor's lock that a close in the
 * model takes, and Lincheck would not see it released). Such a pool cannot refill, so each
 * invocation of those scenarios takes a fresh one, and no scenario has a borrower that would need a new
 * connection (soft eviction therefore races returns and housekeeping, not a later borrower). Deadlines are
 * on the injected clock, which a scenario thread moves; the wait timer's own thread is not modelled (the
 * scenario runs its sweep). The publication of the entry state word under a weaker memory model is outside
 * what Lincheck checks (it assumes sequential consistency): the pool's protocol uses volatile and
 * compare-and-set accesses only, which Java guarantees to be sequentially consistent, so a jcstress test
 * would check the JDK rather than the pool; none is written.
 *
 * <p>The first invocation of a scenario is the slow one, and Lincheck ends any single invocation that takes more
 * than 30 s of real time (a fixed timeout of {@code runConcurrentTest}) with "Concurrent test has hung" and no
 * interleaving: a timed-out run cannot be replayed to print one. That first invocation instruments, class by
 * class, everything the scenario reaches (Lincheck transforms classes lazily, on first call, and undoes it after
 * each test), and runs Lincheck's own bookkeeping cold (the snapshot of the objects it must restore between
 * invocations). The close scenario reaches the most (executor shutdown, abort, the closed error): on 2026-12-02,
 * run alone with two {@code yes} processes beside the usual load, its first invocation took 27-28 s, once 44 s
 * (the "hung" report), the following ones 0.2-2 s each; a plain warm-up outside the model did not shorten it.
 * Nothing was parked or blocked outside the model in those runs (thread dumps: class transformation and
 * snapshot traversal). So it runs last: the classes it shares with the other scenarios (the pool, the closing of
 * connections on a pool without threads, the executors) are then transformed already (Lincheck caches the
 * transformed bytes for the JVM) and Lincheck's code is warm; and a one-invocation sequential close before the
 * concurrent run takes the rest of the cold start. A "has hung" report with an interleaving is a finding; one
 * without an interleaving is this timeout.
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
 *
 * <p>A deliberately broken close: with {@code -Dpoolwise.modelCheck.breakClose=true} the closing thread of
 * {@link #closeLeavesNothingOpen} first takes the waiters out of the queues without failing or waking them
 * ({@code PoolInternals.forgetWaitersWithoutFailingThem}), as a close that forgot its parked waiters would, and
 * the check fails: the waiter parks on the frozen clock with nobody left to wake it, and Lincheck reports
 * "Concurrent test has hung" with the interleaving. The switch is in the test, not in the pool:
 * <pre>
 * ./mvnw -B -pl poolwise-core -am verify -Dtest=PoolModelCheckTest#closeLeavesNothingOpen \
 *     -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dpoolwise.modelCheck.breakClose=true
 * </pre>
 */
@Tag("model-check") // runs in the model-check surefire execution, in a JVM of its own (poolwise-core/pom.xml)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // only the close scenario has an order: last (see above)
class PoolModelCheckTest {

  static {
    // The pool's log lines (a close, a soft eviction, an abort) are explored step by step like everything else
    // a scenario calls: formatting them made an invocation take seconds on a loaded machine. The scenarios
    // report through their assertions; this JVM runs only the model checks (see the model-check execution).
    System.setProperty("org.slf4j.simpleLogger.log.dev.poolwise", "off");
  }

  /**
   * Interleavings explored per scenario: enough for the two- to three-thread scenarios below, and few enough
   * for ten scenarios in about two minutes; {@code -Dpoolwise.modelCheck.invocations=2000} explores more.
   */
  private static final int INVOCATIONS = Integer.getInteger("poolwise.modelCheck.invocations", 20);
  /** The interleavings of the broken-handshake check: it found the lost wake-up within 100 (see above). */
  private static final int HANDSHAKE_INVOCATIONS = Math.max(INVOCATIONS, 100);

  private final StubDatabase database = StubDatabase.create();
  private final ManualClock frozen = new ManualClock();
  private PoolwiseDataSource pool;
  /** Every pool a test built, closed after it. */
  private final List<PoolwiseDataSource> built = new ArrayList<>();

  @AfterEach
  void close() {
    built.forEach(PoolwiseDataSource::close);
  }

  /**
   * One connection, two threads that each borrow and return it: one of them must wait, and the return
   * must reach it whichever of the two paths (lock-free or locked) the return takes.
   */
  @Test
  void aReturnAndAWaiterNeverStrandTheWaiter() throws Exception {
    pool = filledPool(1);
    Set<Long> held = ConcurrentHashMap.newKeySet();
    Lincheck.runConcurrentTest(HANDSHAKE_INVOCATIONS, () -> {
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
          borrowAndReturnOrFail(held, () -> { });
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

  /**
   * FIFO among the waiters of one lane. The main thread holds the only connection; the first thread borrows
   * (and waits, or gets the connection if the third thread returned it already); the second begins to borrow
   * only once the first waits or was served; the third returns the held connection. The first is served
   * first, whichever path the return takes.
   */
  @Test
  void waitersOfOneLaneAreServedInArrivalOrder() throws Exception {
    pool = filledPool(1);
    Set<Long> held = ConcurrentHashMap.newKeySet();
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      Connection holding = borrow(pool);
      Queue<String> servedInOrder = new ConcurrentLinkedQueue<>();
      AtomicBoolean firstServed = new AtomicBoolean();
      join(start(() -> {
        borrowAndReturn(held, () -> {
          servedInOrder.add("first");
          firstServed.set(true);
        });
      }, () -> {
        // demandNow = borrowed (1, the held connection) + waiting: 2 means the first thread is queued
        while (pool.pool().demandNow() < 2 && !firstServed.get()) {
          Thread.onSpinWait();
        }
        borrowAndReturn(held, () -> servedInOrder.add("second"));
      }, () -> closeQuietly(holding)));
      if (!List.of("first", "second").equals(List.copyOf(servedInOrder))) {
        throw new AssertionError("served out of arrival order: " + servedInOrder);
      }
      assertQuiescent(1);
    });
  }

  /**
   * Lanes: two connections, a lane "batch" capped at one, two batch borrowers and one default borrower. The
   * lane never holds two at once, the second batch borrower is served when the first returns (not stranded
   * behind the cap), and the default borrower is served beside them.
   */
  @Test
  void aLaneNeverHoldsMoreThanItsCap() throws Exception {
    pool = filledPool(2, builder -> builder.lane("batch", 1));
    Set<Long> held = ConcurrentHashMap.newKeySet();
    AtomicInteger batchHolders = new AtomicInteger();
    Runnable batchBorrower = () -> {
      try (Poolwise.Scope lane = Poolwise.lane("batch")) {
        borrowAndReturn(held, () -> {
          if (batchHolders.incrementAndGet() > 1) {
            throw new AssertionError("two connections held in lane 'batch', whose cap is 1");
          }
          batchHolders.decrementAndGet();
        });
      }
    };
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      join(start(batchBorrower, batchBorrower, () -> borrowAndReturn(held)));
      assertQuiescent(2);
    });
  }

  /**
   * A timed borrow and its deadline on the injected clock. The main thread holds the only connection; one
   * thread borrows; another moves the clock past the borrower's deadline once it is queued and runs the wait
   * timer's sweep; a third returns the held connection. The borrower ends either way: served (the hand-over
   * came first, or in the same instant as the deadline, when it keeps the connection) or failed with a
   * timeout that reports at least the acquire timeout; and the connection is idle again in both cases.
   */
  @Test
  void aWaiterIsServedOrFailedByItsDeadline() throws Exception {
    Duration acquireTimeout = Duration.ofSeconds(30);
    pool = filledPool(1, builder -> builder.acquireTimeout(acquireTimeout));
    Set<Long> held = ConcurrentHashMap.newKeySet();
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      Connection holding = borrow(pool);
      join(start(() -> {
        try {
          borrowAndReturnOrFail(held, () -> { });
        } catch (PoolTimeoutException timeout) {
          if (timeout.waited().compareTo(acquireTimeout) < 0) {
            throw new AssertionError("gave up after " + timeout.waited() + ", before its deadline", timeout);
          }
        } catch (SQLException e) {
          throw new AssertionError(e);
        }
      }, () -> {
        // Queued (borrowed 1 + waiting 1), or already served by the returner: then there is no deadline to pass.
        while (pool.pool().demandNow() < 2 && held.isEmpty() && !isIdle(pool)) {
          Thread.onSpinWait();
        }
        frozen.advance(acquireTimeout.plusNanos(1));
        pool.pool().sweepExpiredWaiters();
      }, () -> closeQuietly(holding)));
      assertQuiescent(1);
    });
  }

  /**
   * Close racing a waiter and a returner: close leaves nothing open. The main thread holds the only connection;
   * one thread borrows (it waits, or is served once the connection is returned), one closes the pool, one
   * returns the held connection. Checked in every interleaving:
   * <ul>
   *   <li>the borrower is served or fails with the closed error (SQLState 08003, "is closed"): a waiter
   *       parked when close ran is failed and woken, not left parked (on the frozen clock it would never reach
   *       its deadline, and Lincheck would report the hang);</li>
   *   <li>a connection the borrower holds while the pool closes is dead once {@code close()} has returned
   *       (shutdownTimeout 0 aborts what is still borrowed): its handle fails;</li>
   *   <li>no borrow succeeds after {@code close()} returned: the closing thread's own borrow fails with the
   *       closed error;</li>
   *   <li>afterwards every physical connection is closed (by close, or by the return that follows it) and
   *       none is counted in the pool.</li>
   * </ul>
   * Runs last ({@link Order}), after two single invocations that take the cold start: see the class comment on
   * the first invocation of a scenario.
   */
  @Test
  @Order(Order.DEFAULT + 1)
  void closeLeavesNothingOpen() throws Exception {
    // shutdownTimeout 0: close aborts what is still borrowed at once rather than waiting for it in timed
    // slices of real time (which the model cannot move); a later return then closes and forgets the entry.
    Deque<PoolwiseDataSource> spares = withoutThreads(2 + INVOCATIONS + SPARES, 1,
        builder -> builder.shutdownTimeout(Duration.ZERO));
    // The cold start (class comment) is taken in two single invocations before the concurrent run, each under
    // its own 30 s limit, so that no one invocation carries all of it. First a close with nothing borrowed and
    // a borrow after it: the executors' shutdown, the closing of idle connections, the closed error.
    timed("close: first warm-up invocation", () -> Lincheck.runConcurrentTest(1, () -> {
      pool = nextSpare(spares);
      List<StubConnection> physical = physicalConnections(pool);
      pool.close();
      assertBorrowFailsAfterClose();
      assertAllClosed(physical);
    }));
    // Then the same close as below without a race, on one thread: the sequential case of the properties below
    // (a borrowed connection aborted by close, its late return).
    timed("close: second warm-up invocation", () -> Lincheck.runConcurrentTest(1, () -> {
      pool = nextSpare(spares);
      List<StubConnection> physical = physicalConnections(pool);
      Connection holding = borrow(pool);
      pool.close();
      assertDead(holding);
      assertBorrowFailsAfterClose();
      closeQuietly(holding);
      assertAllClosed(physical);
    }));
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      pool = nextSpare(spares);
      List<StubConnection> physical = physicalConnections(pool);
      Connection holding = borrow(pool);
      AtomicBoolean closeReturned = new AtomicBoolean();
      join(start(() -> {
        try (Connection served = pool.getConnection()) {
          while (!closeReturned.get()) {
            Thread.onSpinWait();
          }
          assertDead(served);
        } catch (SQLException failed) {
          assertClosedError(failed, "the borrower");
        }
      }, () -> {
        if (CLOSE_BROKEN_ON_PURPOSE) {
          PoolInternals.forgetWaitersWithoutFailingThem(pool.pool());
        }
        pool.close();
        closeReturned.set(true);
        assertBorrowFailsAfterClose();
      }, () -> closeQuietly(holding)));
      assertAllClosed(physical);
    });
  }

  /**
   * Runs {@code check} and prints how long it took, so that a run's output shows how far a single invocation
   * stayed from Lincheck's 30 s limit (class comment).
   */
  private static void timed(String what, Runnable check) {
    long start = System.nanoTime();
    check.run();
    System.out.println(what + " took " + (System.nanoTime() - start) / 1_000_000 + " ms");
  }

  /** The deliberately broken close (see the class comment); a normal build never sets it. */
  private static final boolean CLOSE_BROKEN_ON_PURPOSE = Boolean.getBoolean("poolwise.modelCheck.breakClose");

  private static void assertClosedError(SQLException failure, String who) {
    if (!"08003".equals(failure.getSQLState()) || !String.valueOf(failure.getMessage()).contains("is closed")) {
      throw new AssertionError(who + " failed with something else than the closed error", failure);
    }
  }

  private void assertBorrowFailsAfterClose() {
    try (Connection afterClose = pool.getConnection()) {
      throw new AssertionError("borrowed " + afterClose + " after close() returned");
    } catch (SQLException refused) {
      assertClosedError(refused, "a borrow after close() returned");
    }
  }

  /**
   * A connection borrowed before the pool closed is dead once close() returned: its physical connection is
   * aborted, so every JDBC call on its handle fails (08003). Read on the stub rather than by a failing call, so
   * that the model does not explore the statement handles' code as well.
   */
  private static void assertDead(Connection served) {
    boolean dead;
    try {
      dead = served.unwrap(StubConnection.class).isClosed();
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
    if (!dead) {
      throw new AssertionError("a connection borrowed before close is still open after close() returned");
    }
  }

  /**
   * The housekeeper's idle-timeout eviction racing a borrower. Two idle connections past the idle timeout,
   * minIdle 1: the pass evicts exactly one, never the one the borrower holds (its compare-and-set on the state
   * word it read fails if the borrower claimed that entry meanwhile), and the borrower's connection stays open
   * while held.
   */
  @Test
  void idleEvictionRacingABorrowerNeverClosesItsConnection() throws Exception {
    Duration idleTimeout = Duration.ofMinutes(1);
    Deque<PoolwiseDataSource> spares = withoutThreads(INVOCATIONS + SPARES, 2,
        builder -> builder.minIdle(1).idleTimeout(idleTimeout));
    Set<Long> held = ConcurrentHashMap.newKeySet();
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      pool = nextSpare(spares);
      List<StubConnection> physical = physicalConnections(pool);
      frozen.advance(idleTimeout.multipliedBy(2)); // both idle past the timeout; the clock stays put meanwhile
      join(start(() -> borrowAndReturn(held, () -> { }), () -> PoolInternals.runHousekeeping(pool.pool())));
      assertQuiescent(1);
      long closed = physical.stream().filter(StubConnection::isClosed).count();
      if (closed != 1) {
        throw new AssertionError("expected exactly one idle connection evicted (down to minIdle 1), closed: " + closed);
      }
    });
  }

  /**
   * Soft eviction racing a return and a housekeeping pass. One of two connections is borrowed by the main
   * thread: soft eviction closes the idle one now and marks the other, whose return (lock-free or not) closes
   * it, or, if the return published it idle just before the mark, the housekeeping pass (the one racing, or
   * the next) does. Afterwards nothing is open and nothing counted.
   */
  @Test
  void softEvictionRacingAReturnClosesEveryConnection() throws Exception {
    Deque<PoolwiseDataSource> spares = withoutThreads(INVOCATIONS + SPARES, 2, builder -> builder);
    Lincheck.runConcurrentTest(INVOCATIONS, () -> {
      pool = nextSpare(spares);
      List<StubConnection> physical = physicalConnections(pool);
      Connection holding = borrow(pool);
      join(start(() -> closeQuietly(holding), pool::softEvictAll, () -> PoolInternals.runHousekeeping(pool.pool())));
      PoolInternals.runHousekeeping(pool.pool()); // "at the latest by the next pass"
      assertAllClosed(physical);
    });
  }

  /* --- Scenario support --- */

  /**
   * A pool with {@code size} idle connections and nothing scheduled to run during the scenarios: no
   * housekeeping tick, no keepalive, no validation, no diagnostics, on the frozen clock.
   */
  private PoolwiseDataSource filledPool(int size) throws SQLException {
    return filledPool(size, builder -> builder);
  }

  private PoolwiseDataSource filledPool(int size, Duration keepaliveInterval) throws SQLException {
    return filledPool(size, builder -> builder.keepaliveInterval(keepaliveInterval));
  }

  private PoolwiseDataSource filledPool(int size, UnaryOperator<PoolwiseDataSource.Builder> tuning)
      throws SQLException {
    PoolwiseDataSource filled = tuning.apply(PoolwiseDataSource.builder().dataSource(database.dataSource())
        .maxSize(size).minIdle(size).acquireTimeout(Duration.ofMinutes(5)).connectTimeout(Duration.ofMinutes(5))
        .housekeepingInterval(Duration.ofHours(1)).keepaliveInterval(Duration.ZERO)
        .validateAfterIdle(Duration.ofHours(1)).idleTimeout(Duration.ZERO).maxLifetime(Duration.ZERO)
        .diagnostics(false).acquisitionStacks(StackCapture.OFF).multipleAcquisition(MultipleAcquisition.ALLOW)
        .shutdownTimeout(Duration.ofSeconds(5)).clock(frozen)).build();
    built.add(filled);
    fill(filled, size);
    return filled;
  }

  /** Spare invocations: Lincheck may run the scenario again to print the trace of a failure. */
  private static final int SPARES = 10;

  /**
   * {@code count} pools filled to {@code size} outside the model, with their executors shut down: closing a
   * connection then runs on the calling thread and no connect can start, so a scenario on such a pool has
   * no thread that Lincheck does not schedule. One per invocation (they cannot refill).
   */
  private Deque<PoolwiseDataSource> withoutThreads(int count, int size,
      UnaryOperator<PoolwiseDataSource.Builder> tuning) throws SQLException {
    Deque<PoolwiseDataSource> pools = new ArrayDeque<>();
    for (int i = 0; i < count; i++) {
      PoolwiseDataSource filled = filledPool(size, tuning);
      PoolThreads threads = filled.pool().threads;
      threads.shutdown(Duration.ofSeconds(5));
      // shutdown() waits for the closer only: the housekeeper's thread exits on its own a moment later. Await
      // it, so that no thread outside the model still holds an executor's lock that a scenario's close takes
      // (Lincheck cannot see such a thread release it).
      awaitTerminated(threads.scheduler);
      awaitTerminated(threads.connectors);
      awaitTerminated(threads.sessionResets());
      pools.add(filled);
    }
    return pools;
  }

  private static void awaitTerminated(ExecutorService executor) {
    try {
      if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
        throw new AssertionError(executor + " did not terminate within a minute after shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static PoolwiseDataSource nextSpare(Deque<PoolwiseDataSource> spares) {
    PoolwiseDataSource next = spares.poll();
    if (next == null) {
      throw new AssertionError("more invocations than prepared pools; raise SPARES");
    }
    return next;
  }

  /**
   * Opens {@code size} connections outside the model (borrowed on this thread, so a lower minIdle does not
   * matter) and returns them: the pool then has {@code size} idle connections.
   */
  private static void fill(PoolwiseDataSource filling, int size) throws SQLException {
    List<Connection> borrowed = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      borrowed.add(filling.getConnection());
    }
    for (Connection connection : borrowed) {
      connection.close();
    }
    if (filling.snapshot().idle() != size) {
      throw new AssertionError("expected " + size + " idle connections: " + filling.snapshot());
    }
  }

  private static List<StubConnection> physicalConnections(PoolwiseDataSource of) {
    List<StubConnection> physical = new ArrayList<>();
    for (PoolEntry entry : PoolInternals.connections(of.pool())) {
      physical.add((StubConnection) entry.raw);
    }
    return physical;
  }

  /** Nothing open, nothing counted: after close, or after every connection was evicted. */
  private void assertAllClosed(List<StubConnection> physical) {
    for (StubConnection connection : physical) {
      if (!connection.isClosed()) {
        throw new AssertionError("connection " + connection.id() + " is still open");
      }
    }
    List<PoolEntry> counted = PoolInternals.connections(pool.pool());
    if (!counted.isEmpty()) {
      throw new AssertionError("connections still counted in the pool: " + counted);
    }
  }

  private static boolean isIdle(PoolwiseDataSource of) {
    for (PoolEntry entry : PoolInternals.connections(of.pool())) {
      if (entry.state() == PoolEntry.IDLE) {
        return true;
      }
    }
    return false;
  }

  /** Borrows on the calling thread; the pool is expected to have an idle connection (lock-free path). */
  private static Connection borrow(PoolwiseDataSource from) {
    try {
      return from.getConnection();
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  private void borrowAndReturn(Set<Long> held) {
    borrowAndReturn(held, () -> { });
  }

  private void borrowAndReturn(Set<Long> held, Runnable whileHeld) {
    try {
      borrowAndReturnOrFail(held, whileHeld);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  // Inside the model, checks are plain `if`s rather than AssertJ: everything a scenario calls is instrumented
  // and explored, and the assertion library would multiply the steps of every interleaving.

  private void borrowAndReturnOrFail(Set<Long> held, Runnable whileHeld) throws SQLException {
    try (Connection connection = pool.getConnection()) {
      StubConnection physical = connection.unwrap(StubConnection.class);
      long id = physical.id();
      if (!held.add(id)) {
        throw new AssertionError("connection " + id + " handed to a second borrower while held");
      }
      whileHeld.run();
      if (physical.isClosed() && !pool.isClosed()) { // a close aborts what is still borrowed (shutdownTimeout)
        throw new AssertionError("connection " + id + " closed by the pool while borrowed");
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
