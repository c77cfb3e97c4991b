package dev.poolwise.lab.model;

import java.util.function.Consumer;

/**
 * The simulated PostgreSQL: queries run on its {@link SharedCpu}; connections cost setup work and take one of
 * {@link ServerModel#connectionLimit()} slots, or are refused (53300) when none is left. Counts the connections
 * open at once, at their peak inside the measured window.
 */
final class SimDatabase {

  /*
   * Concurrency: none (runs inside an EventLoop). Failure modes: a refused connection takes its setup time too
   * (PostgreSQL forks the backend and authenticates before it checks the slots).
   */

  private final EventLoop loop;
  private final ServerModel server;
  private final SharedCpu cpu;
  /** PgBouncer's one thread, when its hop was measured. */
  private final SharedCpu.Stage pgbouncer;
  private final Window window;
  /** An empty query's demand: the smallest of any kind's. */
  private final double roundTripMs;
  private int open;
  private int peakInWindow;

  SimDatabase(EventLoop loop, ServerModel server, Window window) {
    this.loop = loop;
    this.server = server;
    this.window = window;
    this.cpu = server.modelsClient() ? new SharedCpu(loop, server::coresFor, server.clientThreads())
        : new SharedCpu(loop, server::coresFor);
    this.pgbouncer = server.pgbouncerHopMs() > 0 ? cpu.stage(1) : null;
    this.roundTripMs = server.demandMs().values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
  }

  /**
   * Opens a connection: {@code done} gets true when it is open, false when the server refused it (53300). The setup
   * is a delay, not work on the shared cores: it is mostly round trips, the fork and the authentication exchange,
   * and as work it would (wrongly) slow every query while a pool fills.
   */
  void open(Consumer<Boolean> done) {
    loop.after(server.connectionSetupMs(), () -> {
      if (open >= server.connectionLimit()) {
        done.accept(false);
        return;
      }
      open++;
      noteCount();
      done.accept(true);
    });
  }

  void close() {
    open--;
  }

  /**
   * Runs one query: through PgBouncer's one thread first when {@code viaPgBouncer} (its hop), its sleep (the slow
   * report's pg_sleep, no work), then the server's part of its demand on the shared cores, then the client's part
   * on a client thread (reading the rows).
   */
  void query(QueryKind kind, double sleepMs, boolean viaPgBouncer, Runnable done) {
    Runnable work = server.modelsClient()
        ? () -> serve(server.serverDemand(kind), server.share(kind),
            () -> cpu.runOnClient(server.clientDemand(kind), done))
        : () -> serve(server.demand(kind), server.share(kind), done);
    Runnable afterHop = sleepMs > 0 ? () -> loop.after(sleepMs, work) : work;
    if (viaPgBouncer && pgbouncer != null) {
      pgbouncer.run(server.pgbouncerHopMs(), afterHop);
    } else {
      afterHop.run();
    }
  }

  /**
   * How the kernel treats a backend that just woke up with a query: the first {@value #WAKE_UP_MS} ms of each
   * query's server work run with {@value #WAKE_UP_WEIGHT} times its kind's share of the cores, the rest with its
   * share. Linux prefers a task that slept (EEVDF's lag, CFS's sleeper credit) over those that kept running, so a
   * short query gets through at nearly full speed among twenty busy backends while a long one is stretched more than
   * plain processor sharing says: the lab's holds have a shorter median and a longer tail than processor sharing
   * gives (docs/model.md). The two numbers are fitted, not measured: weights of 3 to 20 on the first 0.1 to 1 ms were
   * tried on the 56 rows of seven default compares and the 24 of three nested ones (docs/model.md has the errors);
   * 5 on the first 0.2 ms lowered every error on both, the nested ones most.
   */
  static final double WAKE_UP_MS = 0.2;
  static final double WAKE_UP_WEIGHT = 5;

  /** A query's server work on the shared cores: its first part with the wake-up weight, then the rest. */
  private void serve(double demandMs, double share, Runnable done) {
    if (demandMs <= WAKE_UP_MS) {
      cpu.run(demandMs, share * WAKE_UP_WEIGHT, done);
      return;
    }
    cpu.run(WAKE_UP_MS, share * WAKE_UP_WEIGHT, () -> cpu.run(demandMs - WAKE_UP_MS, share, done));
  }

  /**
   * An empty round trip, as {@code Connection.isValid} sends to validate a connection: the smallest demand of any
   * query kind (a primary-key lookup, an upper bound for an empty query), through PgBouncer's hop when
   * {@code viaPgBouncer}. The caller holds a server connection for it (PgBouncer assigns one like for a transaction).
   */
  void roundTrip(boolean viaPgBouncer, Runnable done) {
    Runnable work = () -> cpu.run(roundTripMs, done);
    if (viaPgBouncer && pgbouncer != null) {
      pgbouncer.run(server.pgbouncerHopMs(), work);
    } else {
      work.run();
    }
  }

  /** Whether the client's threads are modelled (the calibration measured the queries' client parts). */
  boolean modelsClient() {
    return server.modelsClient();
  }

  /** Runs {@code demandMs} of the client's own work on one of its threads (FIFO behind the others), then {@code done}. */
  void runOnClient(double demandMs, Runnable done) {
    cpu.runOnClient(demandMs, done);
  }

  /** Called when the measured window opens: the peak starts from the connections open then. */
  void windowOpened() {
    peakInWindow = Math.max(peakInWindow, open);
  }

  int peakInWindow() {
    return peakInWindow;
  }

  private void noteCount() {
    if (window.contains(loop.now())) {
      peakInWindow = Math.max(peakInWindow, open);
    }
  }

  /** The measured window, ms of simulated time: [start, end). */
  record Window(double startMs, double endMs) {
    boolean contains(double timeMs) {
      return timeMs >= startMs && timeMs < endMs;
    }
  }
}
