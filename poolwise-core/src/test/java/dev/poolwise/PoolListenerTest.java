package dev.poolwise;

import static dev.poolwise.StubPools.builder;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PoolListenerTest extends StubPoolTest {

  @Test
  void listenersHearEveryBorrowReturnConnectAndTimeout() throws Exception {
    // On the test clock: the first borrow cannot time out while a busy machine connects; the second one times
    // out when the test moves the clock.
    ManualClock clock = new ManualClock();
    PoolwiseDataSource pool = pool(builder(database).maxSize(1).acquireTimeout(Duration.ofMillis(100)).clock(clock));
    List<String> events = new CopyOnWriteArrayList<>();
    pool.addListener(new PoolListener() {
      @Override
      public void acquired(long waitNanos) {
        events.add("acquired");
      }

      @Override
      public void released(long holdNanos) {
        events.add(holdNanos >= 0 ? "released" : "negative hold");
      }

      @Override
      public void created(long connectNanos) {
        events.add("created");
      }

      @Override
      public void timedOut(long waitNanos) {
        events.add(waitNanos >= Duration.ofMillis(100).toNanos() ? "timedOut" : "short timeout");
      }
    });
    try (Connection connection = pool.getConnection()) {
      assertThat(connection.isValid(1)).isTrue();
    }
    try (Connection held = borrowElsewhere(pool)) {
      assertThat((Throwable) clock.borrowUntilItTimesOut(pool, Duration.ofMillis(100)))
          .isInstanceOf(PoolTimeoutException.class);
    }
    // "created" is reported by the connector thread, after it woke the borrower: order against the rest varies.
    assertThat(events).containsExactlyInAnyOrder("created", "acquired", "released", "acquired", "timedOut", "released");
  }

  @Test
  void aFailingListenerNeitherBreaksThePoolNorStopsTheOthers() throws Exception {
    PoolwiseDataSource pool = pool(builder(database));
    List<String> heard = new CopyOnWriteArrayList<>();
    PoolListener failing = new PoolListener() {
      @Override
      public void acquired(long waitNanos) {
        throw new IllegalStateException("metrics backend down");
      }
    };
    PoolListener counting = new PoolListener() {
      @Override
      public void acquired(long waitNanos) {
        heard.add("acquired");
      }
    };
    pool.addListener(failing);
    pool.addListener(counting);
    try (Connection connection = pool.getConnection()) {
      assertThat(connection.isValid(1)).isTrue();
    }
    pool.removeListener(counting);
    try (Connection connection = pool.getConnection()) {
      assertThat(connection.isValid(1)).isTrue();
    }
    assertThat(heard).containsExactly("acquired");
  }
}
