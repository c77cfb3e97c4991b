package dev.poolwise.bench;

import dev.poolwise.MultipleAcquisition;
import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.testkit.StubDatabase;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Issue 7's memory target: N virtual threads (100,000 by default) waiting on a Poolwise pool of 10 all complete
 * in a 512 MB heap, and what one waiter costs. The main thread borrows all 10 connections, starts the N threads
 * (each calls {@code getConnection()} and parks), waits until the pool reports N waiting, measures the heap after
 * GC, then returns the connections and waits for every thread to get one, close it and finish.
 *
 * <p>Bytes per waiter = (heap used after GC with all N parked − heap used after GC before starting them) ÷ N. That
 * includes the virtual thread itself (its parked stack lives on the heap); the same measurement with the threads
 * parked on a plain {@link Semaphore} instead of the pool is printed next to it, so the difference is the pool's
 * own per-waiter cost.
 *
 * <p>Run by hand (after {@code ./mvnw -q -B -o package -pl poolwise-bench -am -DskipTests}):
 * <pre>
 * java -Xmx512m -cp poolwise-bench/target/benchmarks.jar dev.poolwise.bench.WaiterMemoryCheck [waiters]
 * </pre>
 * Add {@code -Dpoolwise.histogram=true} to print the heap's class histogram while the threads are parked.
 * Exit code 0 when every waiter completed, 1 otherwise. {@code WaiterMemoryCheckTest} runs it with 10,000.
 */
public final class WaiterMemoryCheck {

  static final int POOL_SIZE = 10;

  private WaiterMemoryCheck() {}

  /**
   * @param waiters how many virtual threads waited
   * @param completed how many finished with a connection
   * @param bytesPerWaiter heap per parked waiter on the pool
   * @param bytesPerSemaphoreWaiter heap per virtual thread parked on a plain semaphore (the thread's own cost)
   * @param drainMillis from returning the 10 connections until the last waiter finished
   */
  record Result(int waiters, long completed, double bytesPerWaiter, double bytesPerSemaphoreWaiter, long drainMillis) {}

  public static void main(String[] args) throws Exception {
    int waiters = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    long maxHeap = Runtime.getRuntime().maxMemory();
    System.out.printf(Locale.ROOT, "%,d virtual threads waiting on a Poolwise pool of %d; max heap %d MB; %d cores,"
        + " load average %s%n", waiters, POOL_SIZE, maxHeap >> 20, Runtime.getRuntime().availableProcessors(),
        VirtualThreadHarness.loadAverage());
    Result result = run(waiters);
    System.out.printf(Locale.ROOT, "completed: %,d of %,d (drained in %d ms after the connections came back)%n",
        result.completed(), result.waiters(), result.drainMillis());
    System.out.printf(Locale.ROOT, "heap per waiter on the pool:        %,.0f bytes%n", result.bytesPerWaiter());
    System.out.printf(Locale.ROOT, "heap per waiter on a semaphore:     %,.0f bytes (the virtual thread itself)%n",
        result.bytesPerSemaphoreWaiter());
    System.out.printf(Locale.ROOT, "the pool's own cost per waiter:     %,.0f bytes%n",
        result.bytesPerWaiter() - result.bytesPerSemaphoreWaiter());
    System.exit(result.completed() == waiters ? 0 : 1);
  }

  static Result run(int waiters) throws Exception {
    double semaphoreBytes = semaphoreBytesPerWaiter(waiters);
    StubDatabase database = StubDatabase.create();
    try (PoolwiseDataSource pool = PoolwiseDataSource.builder()
        .url(database.url())
        .poolName("memory-check")
        .maxSize(POOL_SIZE)
        .minIdle(POOL_SIZE)
        .acquireTimeout(Duration.ofMinutes(10))
        // the main thread holds all ten on purpose
        .multipleAcquisition(MultipleAcquisition.ALLOW)
        .build()) {
      List<Connection> held = new ArrayList<>();
      for (int i = 0; i < POOL_SIZE; i++) {
        held.add(pool.getConnection());
      }
      long before = usedHeapAfterGc();
      LongAdder completed = new LongAdder();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>(waiters);
      for (int i = 0; i < waiters; i++) {
        threads.add(Thread.ofVirtual().start(() -> {
          try (Connection connection = pool.getConnection()) {
            completed.increment();
          } catch (SQLException | RuntimeException e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      while (pool.snapshot().waiting() < waiters) {
        if (failure.get() != null) {
          throw new IllegalStateException("a waiter failed before all were parked: " + failure.get(), failure.get());
        }
        Thread.sleep(10);
      }
      long parked = usedHeapAfterGc();
      printHistogram("parked on the pool");
      long drainStart = System.nanoTime();
      for (Connection connection : held) {
        connection.close();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      long drainMillis = (System.nanoTime() - drainStart) / 1_000_000;
      if (failure.get() != null) {
        System.err.println("first failure: " + failure.get());
      }
      return new Result(waiters, completed.sum(), (double) (parked - before) / waiters, semaphoreBytes, drainMillis);
    } finally {
      database.forget();
    }
  }

  /**
   * With {@code -Dpoolwise.histogram=true}: the heap's biggest classes by bytes ({@code jcmd GC.class_histogram} on
   * this JVM) while the threads are parked, which says what a waiter is made of; the heap difference above is the
   * total, but it moves by a few hundred bytes per waiter from run to run with where the collector stands.
   */
  private static void printHistogram(String label) {
    if (!Boolean.getBoolean("poolwise.histogram")) {
      return;
    }
    String jcmd = ProcessHandle.current().info().command()
        .map(java -> java.replaceFirst("java$", "jcmd")).orElse("jcmd");
    System.out.println("class histogram, " + label + " (top 25 by bytes):");
    try {
      Process process = new ProcessBuilder(jcmd, Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
          .redirectErrorStream(true).start();
      List<String> lines = process.inputReader().lines().toList(); // read it all, or jcmd blocks on a full pipe
      lines.stream().skip(1).limit(28).forEach(System.out::println);
      process.waitFor();
    } catch (java.io.IOException e) {
      System.out.println("  (jcmd not available: " + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The same measurement with the threads parked on a semaphore with no permits: the virtual threads' own heap. */
  private static double semaphoreBytesPerWaiter(int waiters) throws InterruptedException {
    Semaphore semaphore = new Semaphore(0, true);
    long before = usedHeapAfterGc();
    List<Thread> threads = new ArrayList<>(waiters);
    for (int i = 0; i < waiters; i++) {
      threads.add(Thread.ofVirtual().start(() -> {
        semaphore.acquireUninterruptibly();
        semaphore.release();
      }));
    }
    while (semaphore.getQueueLength() < waiters) {
      Thread.sleep(10);
    }
    long parked = usedHeapAfterGc();
    printHistogram("parked on a semaphore");
    semaphore.release();
    for (Thread thread : threads) {
      thread.join();
    }
    return (double) (parked - before) / waiters;
  }

  /** Heap in use after a few full collections (one System.gc() can leave work for the next). */
  static long usedHeapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
