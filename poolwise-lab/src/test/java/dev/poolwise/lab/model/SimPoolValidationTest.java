package dev.poolwise.lab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The simulated pool's validation of a connection that sat idle: a borrow that gets a connection idle for
 * {@link SimPool#VALIDATE_AFTER_IDLE_MS} or longer waits for one round trip first, as Poolwise's
 * {@code validateAfterIdle} and HikariCP's {@code aliveBypassWindowMs} make it; a connection idle for less is handed
 * over at once, and the most recently released idle connection is the one handed out.
 */
class SimPoolValidationTest {

  private static final double ROUND_TRIP_MS = 7;

  private final EventLoop loop = new EventLoop();
  private final List<Double> validatedAt = new ArrayList<>();
  private final SimPool.Connector connector = new SimPool.Connector() {
    @Override
    public void open(Consumer<Boolean> done) {
      done.accept(true);
    }

    @Override
    public void close() {}

    @Override
    public void validate(Runnable done) {
      validatedAt.add(loop.now());
      loop.after(ROUND_TRIP_MS, done);
    }
  };

  /** Borrows at {@code atMs}, returns after {@code holdMs}; records when the connection was handed over. */
  private void borrowAt(SimPool pool, double atMs, double holdMs, List<Double> grantedAt) {
    loop.after(atMs, () -> {
      SimPool.Holder holder = new SimPool.Holder();
      pool.borrow(holder, false, () -> {
        grantedAt.add(loop.now());
        loop.after(holdMs, () -> pool.release(holder, false));
      }, failure -> grantedAt.add(-1.0));
    });
  }

  @Test
  void aConnectionIdleLongerThanTheWindowIsValidatedBeforeTheBorrowerGetsIt() {
    SimPool pool = new SimPool(loop, connector, 1, 1, 0, 10_000, true, 1, SimPool.VALIDATE_AFTER_IDLE_MS);
    pool.start(); // opened at 0, idle since then
    List<Double> grantedAt = new ArrayList<>();
    borrowAt(pool, 600, 10, grantedAt);   // idle 600 ms: validated, handed over at 607, back at 617
    borrowAt(pool, 700, 10, grantedAt);   // idle 83 ms: at once
    borrowAt(pool, 1_300, 10, grantedAt); // idle 590 ms since 710: validated again

    loop.runUntil(5_000);

    assertThat(validatedAt).containsExactly(600.0, 1_300.0);
    assertThat(grantedAt).containsExactly(600 + ROUND_TRIP_MS, 700.0, 1_300 + ROUND_TRIP_MS);
  }

  @Test
  void theMostRecentlyReleasedConnectionIsHandedOutSoASurplusStaysIdle() {
    SimPool pool = new SimPool(loop, connector, 2, 2, 0, 10_000, true, 1, SimPool.VALIDATE_AFTER_IDLE_MS);
    pool.start(); // two connections, both idle since 0
    List<Double> grantedAt = new ArrayList<>();
    // One borrower at a time, every 200 ms: the connection released last is taken each time, so it is never idle
    // for 500 ms, and the other stays idle all along.
    for (int i = 1; i <= 7; i++) {
      borrowAt(pool, 200.0 * i, 5, grantedAt);
    }
    // Two at once: one gets the busy connection (idle since 1,405), the other the one idle since the start.
    borrowAt(pool, 1_600, 5, grantedAt);
    borrowAt(pool, 1_600, 5, grantedAt);

    loop.runUntil(5_000);

    assertThat(validatedAt).as("only the surplus connection, idle since the start, is validated")
        .containsExactly(1_600.0);
    assertThat(grantedAt).containsExactly(200.0, 400.0, 600.0, 800.0, 1_000.0, 1_200.0, 1_400.0, 1_600.0,
        1_600 + ROUND_TRIP_MS);
  }

  @Test
  void aPoolWithoutTheWindowNeverValidates() {
    SimPool pool = new SimPool(loop, connector, 1, 1, 0, 10_000, true, 1);
    pool.start();
    List<Double> grantedAt = new ArrayList<>();
    borrowAt(pool, 5_000, 10, grantedAt);

    loop.runUntil(10_000);

    assertThat(validatedAt).isEmpty();
    assertThat(grantedAt).containsExactly(5_000.0);
  }
}
