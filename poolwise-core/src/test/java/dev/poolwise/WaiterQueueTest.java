package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.WaiterQueue.Waiter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wait timer's view of a queue: which untimed waiters have expired, and when to look next. */
class WaiterQueueTest {

  private static Waiter waiter(long deadline, boolean untimed) {
    return new Waiter(Thread.currentThread(), 0, 0, null, null, deadline, untimed);
  }

  @Test
  void inDeadlineOrderTheWalkStopsAtTheFirstWaiterStillAhead() {
    WaiterQueue queue = new WaiterQueue();
    queue.addLast(waiter(100, true));
    queue.addLast(waiter(200, false)); // a platform thread parks timed: not the timer's business
    queue.addLast(waiter(300, true));
    queue.addLast(waiter(400, true));
    List<Waiter> expired = new ArrayList<>();
    assertThat(queue.collectExpired(350, expired)).isEqualTo(400L);
    assertThat(expired).extracting(w -> w.deadlineNanos).containsExactly(100L, 300L);
    expired.clear();
    assertThat(queue.collectExpired(50, expired)).isEqualTo(100L);
    assertThat(expired).isEmpty();
  }

  @Test
  void aWaiterQueuedBehindLaterDeadlinesIsFoundAndCountsForTheNextSweep() {
    WaiterQueue queue = new WaiterQueue();
    queue.addLast(waiter(500, true));
    Waiter late = waiter(300, true); // started earlier, but waited for the lock and queued behind
    queue.addLast(late);
    queue.addLast(waiter(600, true));
    List<Waiter> expired = new ArrayList<>();
    assertThat(queue.collectExpired(100, expired)).isEqualTo(300L);
    assertThat(expired).isEmpty();
    assertThat(queue.collectExpired(350, expired)).isEqualTo(500L);
    assertThat(expired).containsExactly(late);
    queue.remove(late);
    expired.clear();
    // back in order: the walk may stop early again
    assertThat(queue.collectExpired(350, expired)).isEqualTo(500L);
    assertThat(queue.collectExpired(550, expired)).isEqualTo(600L);
    assertThat(expired).extracting(w -> w.deadlineNanos).containsExactly(500L);
  }

  @Test
  void anEmptiedQueueForgetsTheOrder() {
    WaiterQueue queue = new WaiterQueue();
    Waiter first = waiter(1_000, true);
    queue.addLast(first);
    queue.remove(first);
    Waiter earlier = waiter(10, true);
    queue.addLast(earlier);
    List<Waiter> expired = new ArrayList<>();
    assertThat(queue.collectExpired(20, expired)).isNull();
    assertThat(expired).containsExactly(earlier);
  }
}
