package dev.poolwise;

import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's own threads, all daemons named after the pool so a thread dump says whose they are.
 *
 * <p>Concurrency: three executors with separate jobs so that none can starve another.
 * <ul>
 *   <li>{@code scheduler} (one thread): housekeeping, connect-timeout timers, backoff retries. The only
 *       I/O on it is the housekeeper's keepalive validation of idle connections, bounded by
 *       {@code validationTimeout}: a hung network can delay a connect-timeout timer by that much, never
 *       longer, and never a waiter's timeout (waiters time out on their own or on the wait timer).</li>
 *   <li>{@code connectors} (one thread per connect in flight, created on demand, idle ones expire):
 *       physical connects, which can hang; the creator bounds how many run at once.</li>
 *   <li>{@code closer} (one thread, queued): {@code Connection.close} and {@code abort}, which can
 *       block on a dead socket and must never run on an application thread or under the pool lock.</li>
 *   <li>{@code sessionResets} (one thread per reset in flight, created on demand, idle ones expire): the
 *       reset of a returned PostgreSQL connection whose borrower unwrapped driver objects, which can wait
 *       forever on the driver's own lock (an unfinished COPY); the returning thread waits for it at most
 *       {@code validationTimeout} and interrupts it after that (see {@code PostgresSession.runBounded}).</li>
 *   <li>{@link #waitTimer()} (one thread, started on the first virtual-thread wait): wakes waiting virtual
 *       threads at their acquire deadline (see {@code ConnectionPool.sweepExpiredWaiters}). Its own thread,
 *       so that no housekeeping task can make a timeout late.</li>
 * </ul>
 * Failure modes: once {@link #shutdown} has run, work submitted to the closer runs on the calling
 * thread instead of being dropped, so no physical connection is left open.
 */
final class PoolThreads {

  private static final Logger log = LoggerFactory.getLogger(PoolThreads.class);

  final ScheduledThreadPoolExecutor scheduler;
  final ThreadPoolExecutor connectors;
  private final ThreadPoolExecutor closer;
  private final ThreadPoolExecutor sessionResets;
  private final String poolName;
  private volatile @Nullable ScheduledThreadPoolExecutor waitTimer;

  PoolThreads(String poolName) {
    this.poolName = poolName;
    scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads(poolName + "-housekeeper"));
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    connectors = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        daemonThreads(poolName + "-connector"));
    closer = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        daemonThreads(poolName + "-closer"));
    closer.allowCoreThreadTimeOut(true);
    sessionResets = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        daemonThreads(poolName + "-session-reset"));
  }

  /** Where bounded session resets run; see the class comment. */
  ThreadPoolExecutor sessionResets() {
    return sessionResets;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** The wait-deadline timer, started on first use; call under the pool's lock (one creator at a time). */
  ScheduledThreadPoolExecutor waitTimer() {
    ScheduledThreadPoolExecutor timer = waitTimer;
    if (timer == null) {
      timer = new ScheduledThreadPoolExecutor(1, daemonThreads(poolName + "-wait-timer"));
      timer.setRemoveOnCancelPolicy(true);
      timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      waitTimer = timer;
      if (scheduler.isShutdown()) {
        timer.shutdownNow(); // raced shutdown(): never leave a thread behind
      }
    }
    return timer;
  }

  /** Closes a physical connection on the closer thread; {@code what} names it in a failure log line. */
  void closeQuietly(Connection connection, Supplier<String> what) {
    runOnCloser(() -> {
      try {
        connection.close();
      } catch (Exception | LinkageError e) {
        log.debug("Closing {} failed: {}", what.get(), e.toString());
      }
    });
  }

  /** Aborts a physical connection that is still borrowed (pool close past its grace period). */
  void abortQuietly(Connection connection, Supplier<String> what) {
    Executor inline = Runnable::run;
    runOnCloser(() -> {
      try {
        connection.abort(inline);
      } catch (Exception | LinkageError e) {
        log.debug("Aborting {} failed, closing it instead: {}", what.get(), e.toString());
        try {
          connection.close();
        } catch (Exception | LinkageError ignored) {
          // Nothing more can be done with a connection that refuses both abort and close.
        }
      }
    });
  }

  private void runOnCloser(Runnable task) {
    try {
      closer.execute(task);
    } catch (RejectedExecutionException afterShutdown) {
      task.run();
    }
  }

  /** Stops the timers and connectors now, and gives pending closes up to {@code grace} to finish. */
  void shutdown(Duration grace) {
    scheduler.shutdownNow();
    ScheduledThreadPoolExecutor timer = waitTimer;
    if (timer != null) {
      timer.shutdownNow();
    }
    connectors.shutdownNow();
    sessionResets.shutdownNow();
    closer.shutdown();
    try {
      if (!closer.awaitTermination(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS)) {
        log.warn("Some connections were still closing when the pool finished shutting down");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
