package dev.poolwise.lab.model;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Simulated PgBouncer in transaction mode: client connections are cheap and never reach the server; each transaction
 * takes one of at most {@code serverPoolSize} server connections (opened on demand, FIFO queue when all are busy)
 * for exactly as long as it runs. The lab's PgBouncer has no reserve pool and a query wait timeout far beyond the
 * acquire timeout, so neither is modelled.
 */
final class SimBouncer {

  /*
   * Concurrency: none (runs inside an EventLoop). Failure modes: a refused server connection (53300) is retried after
   * SERVER_LOGIN_RETRY_MS (PgBouncer's server_login_retry), waiting clients keep waiting meanwhile.
   */

  /** PgBouncer's default server_login_retry. */
  static final double SERVER_LOGIN_RETRY_MS = 15_000;

  private final EventLoop loop;
  private final SimDatabase database;
  private final int serverPoolSize;
  private final double clientConnectMs;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int serverConnections;
  private int opening;
  private int idle;
  private double notBefore;

  SimBouncer(EventLoop loop, SimDatabase database, int serverPoolSize, double clientConnectMs) {
    this.loop = loop;
    this.clientConnectMs = clientConnectMs;
    this.database = database;
    this.serverPoolSize = serverPoolSize;
  }

  /**
   * The client side, for the client pools: a login takes no server slot, but PgBouncer runs the same authentication
   * exchange PostgreSQL would, so it is modelled with the calibrated connection setup time.
   */
  SimPool.Connector clientConnector() {
    return new SimPool.Connector() {
      @Override
      public void open(Consumer<Boolean> done) {
        loop.after(clientConnectMs, () -> done.accept(true));
      }

      @Override
      public void close() {}

      /** The client pool's validation is an empty query: PgBouncer lends it a server connection like a transaction. */
      @Override
      public void validate(Runnable done) {
        begin(() -> database.roundTrip(true, () -> {
          end();
          done.run();
        }));
      }
    };
  }

  /** A transaction starts: {@code granted} runs once it has a server connection. */
  void begin(Runnable granted) {
    if (idle > 0 && waiting.isEmpty()) {
      idle--;
      loop.after(0, granted);
      return;
    }
    waiting.add(granted);
    launch();
  }

  /** A transaction ended: its server connection goes to the next waiting one. */
  void end() {
    idle++;
    serve();
  }

  private void serve() {
    while (idle > 0 && !waiting.isEmpty()) {
      idle--;
      loop.after(0, waiting.poll());
    }
  }

  private void launch() {
    int wanted = waiting.size() - opening;
    int room = serverPoolSize - serverConnections - opening;
    if (loop.now() < notBefore) {
      return;
    }
    for (int i = 0; i < Math.min(wanted, room); i++) {
      opening++;
      database.open(opened -> {
        opening--;
        if (opened) {
          serverConnections++;
          idle++;
          serve();
        } else {
          notBefore = loop.now() + SERVER_LOGIN_RETRY_MS;
          loop.after(SERVER_LOGIN_RETRY_MS, this::launch);
        }
      });
    }
  }
}
