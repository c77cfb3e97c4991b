package dev.poolwise.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The memory check at 10,000 waiters (the 100,000-in-512-MB run is by hand: see {@link WaiterMemoryCheck}). Asserts
 * only that every waiter completed and that waiting cost some heap; no timing, no byte budget.
 */
class WaiterMemoryCheckTest {

  @Test
  void tenThousandVirtualThreadsWaitingOnTenConnectionsAllComplete() throws Exception {
    WaiterMemoryCheck.Result result = WaiterMemoryCheck.run(10_000);
    assertThat(result.completed()).isEqualTo(10_000);
    assertThat(result.bytesPerWaiter()).isPositive();
  }
}
