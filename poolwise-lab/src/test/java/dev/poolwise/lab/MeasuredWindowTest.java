package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bench's measured window: which borrows count, and that the round goes on after the window until every counted
 * borrow has been served. No duration is asserted beyond "returned" / "did not return yet".
 */
class MeasuredWindowTest {

  @Test
  void onlyBorrowsStartedInsideTheWindowCount() {
    MeasuredWindow window = new MeasuredWindow(1);
    MeasuredWindow.Client client = new MeasuredWindow.Client();
    assertThat(window.startBorrow(client)).as("warm-up").isFalse();
    window.open();
    assertThat(window.startBorrow(client)).as("inside").isTrue();
    window.close();
    assertThat(window.startBorrow(client)).as("after").isFalse();
  }

  @Test
  void theRoundWaitsForAClientWhoseCountedBorrowIsStillWaiting() throws Exception {
    MeasuredWindow window = new MeasuredWindow(2);
    MeasuredWindow.Client quick = new MeasuredWindow.Client();
    MeasuredWindow.Client waiting = new MeasuredWindow.Client();
    window.open();
    assertThat(window.startBorrow(quick)).isTrue();
    assertThat(window.startBorrow(waiting)).isTrue(); // queued behind others when the window closes
    window.close();
    window.startBorrow(quick); // asks again: its counted borrow is done

    Semaphore served = new Semaphore(0);
    CountDownLatch roundWent = new CountDownLatch(1);
    Thread waiter = Thread.ofPlatform().start(() -> {
      served.acquireUninterruptibly();
      window.startBorrow(waiting); // served, loops, asks again
    });
    Thread round = Thread.ofPlatform().start(() -> {
      try {
        window.awaitCaughtUp();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      roundWent.countDown();
    });
    assertThat(roundWent.await(50, TimeUnit.MILLISECONDS)).as("the round must not stop before the waiter is served")
        .isFalse();
    assertThat(window.stopped()).isFalse();
    served.release();
    assertThat(roundWent.await(30, TimeUnit.SECONDS)).isTrue();
    waiter.join();
    round.join();
  }

  @Test
  void aClientThatNeverAsksAgainHoldsTheRoundOnlyUpToTheLimit() throws Exception {
    MeasuredWindow window = new MeasuredWindow(1);
    window.open();
    window.startBorrow(new MeasuredWindow.Client()); // starved by a barging pool: never served
    window.close();
    assertThat(window.awaitCaughtUp()).isFalse();
  }

  @Test
  void aClientThatLeavesDoesNotHoldTheRound() throws Exception {
    MeasuredWindow window = new MeasuredWindow(1);
    MeasuredWindow.Client failed = new MeasuredWindow.Client();
    window.open();
    window.startBorrow(failed);
    window.leave(failed); // its loop ended with an exception
    window.close();
    assertThat(window.awaitCaughtUp()).isTrue();
  }

  @Test
  void theHandOverViewCountsTheWaitsThatBeganInsideTheWindow() throws Exception {
    MeasuredWindow window = new MeasuredWindow(1);
    assertThat(window.beganInside(0)).as("before the window").isFalse();
    long opened = window.open();
    assertThat(window.beganInside(0)).isTrue();
    assertThat(window.beganInside(System.nanoTime() - opened + 1_000_000_000L)).as("began in the warm-up").isFalse();
    Thread.sleep(200); // a window long enough that "its middle" is well inside it on a loaded machine
    long closed = window.close();
    long middle = opened + (closed - opened) / 2;
    assertThat(window.beganInside(System.nanoTime() - middle)).as("began inside, ends after").isTrue();
    assertThat(window.beganInside(0)).as("began after the window").isFalse();
  }
}
