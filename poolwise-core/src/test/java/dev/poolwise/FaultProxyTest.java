package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.poolwise.testkit.FaultProxy;
import dev.poolwise.testkit.FaultProxy.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The testkit's {@link FaultProxy}, mode by mode, with plain sockets against an echo server on
 * loopback. (It lives in core's tests because the testkit's own test tree belongs to its owner.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultProxyTest {

  /** How long a read waits before we conclude "nothing arrives"; long enough for a loaded machine to deliver. */
  private static final int SILENCE_MILLIS = 500;

  private ServerSocket echo;
  private FaultProxy proxy;

  @BeforeEach
  void startEchoServerAndProxy() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(() -> {
      while (true) {
        Socket socket;
        try {
          socket = echo.accept();
        } catch (IOException closed) {
          return;
        }
        Thread.ofVirtual().start(() -> {
          try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            in.transferTo(out);
          } catch (IOException ignored) {
            // the test hung up or the proxy reset it
          }
        });
      }
    });
    proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static String roundTrip(Socket socket, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
  }

  @Test
  void passThroughForwardsBothWaysAndCounts() throws IOException {
    try (Socket first = connect(); Socket second = connect()) {
      assertThat(roundTrip(first, "hello")).isEqualTo("hello");
      assertThat(roundTrip(second, "world")).isEqualTo("world");
      assertThat(proxy.activeConnections()).isEqualTo(2);
      assertThat(proxy.acceptedTotal()).isEqualTo(2);
    }
    await().until(() -> proxy.activeConnections() == 0);
  }

  @Test
  void latencyDelaysEveryChunk() throws IOException {
    try (Socket socket = connect()) {
      assertThat(roundTrip(socket, "warm")).isEqualTo("warm");
      proxy.latency(Duration.ofMillis(150)).mode(Mode.LATENCY);
      long start = System.nanoTime();
      assertThat(roundTrip(socket, "slow")).isEqualTo("slow");
      // One chunk each way: at least 2 × 150 ms. No upper bound: a loaded machine may add any amount.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  void blackHoleHoldsTrafficOnLiveSocketsAndDeliversItWhenHealed() throws IOException {
    try (Socket socket = connect()) {
      assertThat(roundTrip(socket, "before")).isEqualTo("before");
      proxy.mode(Mode.BLACK_HOLE);
      socket.getOutputStream().write("during".getBytes(StandardCharsets.UTF_8));
      socket.setSoTimeout(SILENCE_MILLIS);
      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      assertThat(socket.isClosed()).isFalse();
      assertThat(proxy.activeConnections()).isEqualTo(1);

      // A new connection is accepted but not dialled through either.
      try (Socket late = connect()) {
        late.getOutputStream().write('x');
        late.setSoTimeout(SILENCE_MILLIS);
        assertThatThrownBy(() -> late.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

        proxy.mode(Mode.PASS_THROUGH);
        socket.setSoTimeout(10_000);
        late.setSoTimeout(10_000);
        assertThat(new String(socket.getInputStream().readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("during");
        assertThat(late.getInputStream().read()).isEqualTo('x');
      }
    }
  }

  @Test
  void resetAbortsExistingAndNewConnections() throws IOException {
    try (Socket socket = connect()) {
      assertThat(roundTrip(socket, "ok")).isEqualTo("ok");
      proxy.mode(Mode.RESET);
      assertThatThrownBy(() -> {
        // The RST may arrive before or after this write; either the write or the read sees it.
        socket.getOutputStream().write('x');
        if (socket.getInputStream().read() < 0) {
          throw new IOException("orderly end of stream instead of a reset");
        }
      }).isInstanceOf(IOException.class).hasMessageContaining("reset");
    }
    assertThatThrownBy(() -> {
      // The reset may even beat the end of the handshake, failing the connect itself.
      try (Socket fresh = connect()) {
        fresh.getOutputStream().write('x');
        if (fresh.getInputStream().read() < 0) {
          throw new IOException("orderly end of stream instead of a reset");
        }
      }
    }).isInstanceOf(IOException.class).hasMessageContaining("reset");
    await().until(() -> proxy.activeConnections() == 0);
    proxy.mode(Mode.PASS_THROUGH);
    try (Socket healed = connect()) {
      assertThat(roundTrip(healed, "again")).isEqualTo("again");
    }
  }

  @Test
  void refuseRejectsNewConnectsWhileExistingOnesPassAndReopensOnTheSamePort() throws IOException {
    try (Socket socket = connect()) {
      assertThat(roundTrip(socket, "accepted")).isEqualTo("accepted"); // out of the backlog, really established
      proxy.mode(Mode.REFUSE);
      assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
      assertThat(roundTrip(socket, "still")).isEqualTo("still");
      int port = proxy.port();
      proxy.mode(Mode.PASS_THROUGH);
      assertThat(proxy.port()).isEqualTo(port);
      try (Socket again = connect()) {
        assertThat(roundTrip(again, "back")).isEqualTo("back");
      }
    }
  }

  @Test
  void acceptNeverAnswerHangsNewConnectionsOnlyAndCountsThem() throws IOException {
    try (Socket existing = connect()) {
      assertThat(roundTrip(existing, "one")).isEqualTo("one");
      proxy.mode(Mode.ACCEPT_NEVER_ANSWER);
      try (Socket hung = connect()) {
        hung.getOutputStream().write("hello?".getBytes(StandardCharsets.UTF_8));
        hung.setSoTimeout(SILENCE_MILLIS);
        assertThatThrownBy(() -> hung.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        assertThat(roundTrip(existing, "two")).as("connections from before still pass").isEqualTo("two");
        assertThat(proxy.activeConnections()).isEqualTo(2);
        assertThat(proxy.acceptedTotal()).isEqualTo(2);
        // Still unanswered after switching back: it was never dialled.
        proxy.mode(Mode.PASS_THROUGH);
        assertThatThrownBy(() -> hung.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      }
      await().until(() -> proxy.activeConnections() == 1);
    }
  }

  @Test
  void refusesNonLoopbackTargets() {
    assertThatThrownBy(() -> FaultProxy.start("10.1.2.3", 5432))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
  }
}
