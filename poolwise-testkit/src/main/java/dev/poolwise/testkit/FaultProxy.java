package dev.poolwise.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A loopback TCP proxy that injects network faults between a client (the pool, a JDBC driver) and a
 * server on this machine (the embedded PostgreSQL), switchable at any moment while connections are live.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start("localhost", server.port())) {
 *   String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/app";
 *   ...
 *   proxy.mode(FaultProxy.Mode.BLACK_HOLE);   // the network stops delivering, sockets stay open
 *   proxy.mode(FaultProxy.Mode.PASS_THROUGH); // held bytes are delivered, as after a healed partition
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {

  /*
   * Concurrency: blocking sockets, one virtual thread per direction per connection plus one acceptor
   * thread (also virtual). Blocking I/O keeps each direction a plain read-then-write loop, in which
   * "hold this chunk until the network heals" is a wait on a condition; virtual threads make a
   * thread per direction cost nothing worth counting at the few hundred connections a test opens.
   * The mode is a volatile field, changed under `lock`; every change signals `modeChanged`, which
   * forwarders holding a chunk (BLACK_HOLE) and connections waiting to be dialled wait on. A chunk is
   * never dropped: under BLACK_HOLE it is held and delivered when the mode changes, as TCP
   * retransmission delivers it after a real partition heals, so the protocol stream stays intact.
   *
   * Failure modes: any I/O error or end of stream on either side closes both sockets of that
   * connection (no half-close). RESET closes both sides with SO_LINGER 0, so the peer sees an RST
   * ("connection reset") rather than an orderly FIN. REFUSE closes the listening socket so that
   * connects fail with "connection refused"; leaving REFUSE binds the same port again (the listener
   * was closed, not the port handed to anyone else, so on loopback this succeeds unless another
   * process grabs the port in that instant, which then fails loudly).
   */

  /** What the proxy does with traffic. */
  public enum Mode {
    /** Forward bytes both ways as they arrive. */
    PASS_THROUGH,
    /** Forward bytes, each chunk delayed by {@link #latency(Duration)}. */
    LATENCY,
    /** Keep every socket open and forward nothing in either direction; held bytes flow again when the mode changes. */
    BLACK_HOLE,
    /** Close existing connections and every new one at once with a TCP reset. */
    RESET,
    /** Close the listening socket: new connects are refused; existing connections keep passing. */
    REFUSE,
    /**
     * Accept new connections but never dial the server nor answer them, for as long as they live;
     * connections established before keep passing.
     */
    ACCEPT_NEVER_ANSWER
  }

  private static final int CHUNK = 16 * 1024;

  private final InetSocketAddress target;
  private final int port;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition modeChanged = lock.newCondition();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private volatile Mode mode = Mode.PASS_THROUGH;
  private volatile Duration latency = Duration.ZERO;
  /** Guarded by lock; null while refusing or closed. */
  private ServerSocket listener;
  /** The thread accepting on {@link #listener}; guarded by lock. */
  private Thread acceptor;
  /** Guarded by lock. */
  private boolean closed;

  private FaultProxy(InetSocketAddress target, ServerSocket listener) {
    this.target = target;
    this.listener = listener;
    this.port = listener.getLocalPort();
  }

  /**
   * Starts a proxy on a free port of 127.0.0.1 forwarding to {@code targetHost:targetPort}, which must
   * be a loopback address (this is a test tool; it must never relay traffic off the machine).
   */
  public static FaultProxy start(String targetHost, int targetPort) {
    Objects.requireNonNull(targetHost, "targetHost");
    if (targetPort < 1 || targetPort > 65_535) {
      throw new IllegalArgumentException("targetPort must be between 1 and 65535, was " + targetPort);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(targetHost);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("FaultProxy target host '" + targetHost + "' does not resolve", e);
    }
    if (!address.isLoopbackAddress()) {
      throw new IllegalArgumentException("FaultProxy forwards to loopback addresses only; '" + targetHost
          + "' resolves to " + address.getHostAddress());
    }
    FaultProxy proxy = new FaultProxy(new InetSocketAddress(address, targetPort), bind(0));
    proxy.startAcceptor(proxy.listener);
    return proxy;
  }

  private static ServerSocket bind(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("FaultProxy could not listen on 127.0.0.1:" + (port == 0 ? "<free port>" : port), e);
    }
  }

  /** The port on 127.0.0.1 that clients connect to; stays the same across {@link Mode#REFUSE}. */
  public int port() {
    return port;
  }

  public Mode mode() {
    return mode;
  }

  /** Switches the mode; takes effect at once for live connections (see each {@link Mode}). */
  public FaultProxy mode(Mode newMode) {
    Objects.requireNonNull(newMode, "mode");
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("FaultProxy on port " + port + " is closed");
      }
      Mode old = mode;
      mode = newMode;
      if (newMode == Mode.REFUSE && listener != null) {
        stopListening();
      } else if (old == Mode.REFUSE && newMode != Mode.REFUSE) {
        listener = bind(port);
        startAcceptor(listener);
      }
      modeChanged.signalAll();
    } finally {
      lock.unlock();
    }
    if (newMode == Mode.RESET) {
      for (Link link : links) {
        link.close(true);
      }
    }
    return this;
  }

  /** The delay added to every forwarded chunk in {@link Mode#LATENCY}. */
  public FaultProxy latency(Duration delay) {
    Objects.requireNonNull(delay, "latency");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, was " + delay);
    }
    this.latency = delay;
    return this;
  }

  /** Client connections open through the proxy now (including ones accepted but never answered). */
  public int activeConnections() {
    return links.size();
  }

  /** Client connections accepted since the proxy started. */
  public long acceptedTotal() {
    return accepted.get();
  }

  /** Stops listening and closes every connection (with a reset). Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (listener != null) {
        stopListening();
      }
      modeChanged.signalAll();
    } finally {
      lock.unlock();
    }
    for (Link link : links) {
      link.close(true);
    }
  }

  @Override
  public String toString() {
    return "FaultProxy[127.0.0.1:" + port + " -> " + target + ", " + mode + ", active " + activeConnections() + "]";
  }

  /* --- Accepting and dialling --- */

  private void startAcceptor(ServerSocket socket) {
    acceptor = startDaemon("fault-proxy-accept-" + port, () -> acceptLoop(socket));
  }

  /**
   * Closes the listener and waits for the acceptor to leave accept(): the JDK may defer the release
   * of a socket that a thread is blocked on, and until then the kernel still completes handshakes.
   */
  private void stopListening() {
    closeQuietly(listener);
    listener = null;
    try {
      acceptor.join(5_000);
      if (acceptor.isAlive()) {
        throw new IllegalStateException("FaultProxy on port " + port + ": the acceptor did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A platform daemon thread rather than a virtual one: the testkit is compiled for Java 17, because the
   * Spring Boot starter's tests and the example application run on 17. A proxy has a few threads per link.
   */
  private static Thread startDaemon(String name, Runnable work) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private void acceptLoop(ServerSocket socket) {
    while (true) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // the listener was closed: REFUSE or close()
      }
      accepted.incrementAndGet();
      Link link = new Link(client);
      links.add(link);
      if (closed || mode == Mode.RESET) {
        link.close(true);
        continue;
      }
      Mode atAccept = mode;
      startDaemon("fault-proxy-dial-" + port, () -> {
        if (atAccept == Mode.ACCEPT_NEVER_ANSWER) {
          link.neverAnswer();
        } else {
          link.dial();
        }
      });
    }
  }

  /**
   * Waits while the mode forbids forwarding. Returns {@code false} when the link should stop (closed,
   * reset, proxy closed).
   */
  private boolean awaitForwardable(Link link) throws InterruptedException {
    if (mode != Mode.BLACK_HOLE) {
      return !link.closed && mode != Mode.RESET;
    }
    lock.lock();
    try {
      while (mode == Mode.BLACK_HOLE && !closed && !link.closed) {
        modeChanged.await(100, TimeUnit.MILLISECONDS);
      }
      return !closed && !link.closed && mode != Mode.RESET;
    } finally {
      lock.unlock();
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // Closing is best effort: the socket may already be gone.
      }
    }
  }

  /** One client connection and, once dialled, its upstream socket. */
  private final class Link {
    private final Socket client;
    private volatile Socket upstream;
    private volatile boolean closed;

    Link(Socket client) {
      this.client = client;
    }

    /** Connects upstream (after any black hole lifts) and starts one forwarder per direction. */
    void dial() {
      try {
        if (!awaitForwardable(this)) {
          close(mode == Mode.RESET);
          return;
        }
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(target, 10_000);
        upstream = socket;
        if (closed) {
          closeQuietly(socket);
          return;
        }
        client.setTcpNoDelay(true);
        startDaemon("fault-proxy-up-" + port, () -> pump(client, socket));
        startDaemon("fault-proxy-down-" + port, () -> pump(socket, client));
      } catch (IOException e) {
        close(true); // the server is down: the client sees a reset, as it would from a dead host's OS
      } catch (InterruptedException e) {
        close(true);
      }
    }

    /** Reads and discards what the client sends, answers nothing, until the client hangs up. */
    void neverAnswer() {
      byte[] sink = new byte[CHUNK];
      try (InputStream in = client.getInputStream()) {
        while (in.read(sink) >= 0) {
          // swallow
        }
      } catch (IOException e) {
        // reset or closed: done
      }
      close(false);
    }

    private void pump(Socket from, Socket to) {
      byte[] buffer = new byte[CHUNK];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          int read = in.read(buffer);
          if (read < 0) {
            break;
          }
          if (!awaitForwardable(this)) {
            break;
          }
          if (mode == Mode.LATENCY) {
            Duration delay = latency;
            if (!delay.isZero()) {
              Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
            }
          }
          out.write(buffer, 0, read);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // fall through: one side is gone, so the connection is
      }
      close(mode == Mode.RESET);
    }

    void close(boolean reset) {
      if (closed) {
        if (!reset) {
          return;
        }
      }
      closed = true;
      if (reset) {
        try {
          client.setSoLinger(true, 0);
        } catch (IOException ignored) {
          // already closed
        }
        Socket up = upstream;
        if (up != null) {
          try {
            up.setSoLinger(true, 0);
          } catch (IOException ignored) {
            // already closed
          }
        }
      }
      closeQuietly(client);
      closeQuietly(upstream);
      links.remove(this);
      lock.lock();
      try {
        modeChanged.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
