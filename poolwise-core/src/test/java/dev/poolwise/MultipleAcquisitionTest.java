package dev.poolwise;

import static dev.poolwise.StubPools.assertInvariants;
import static dev.poolwise.StubPools.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@link MultipleAcquisition#WARN} warns about the nested borrows that can deadlock the pool (the pool was
 * nearly exhausted; the thread had to wait for its second connection), once per call site with the site,
 * and stays quiet about a second connection taken from a pool with room to spare.
 */
@Isolated("captures System.err")
class MultipleAcquisitionTest extends StubPoolTest {

  private CapturedStderr logged;

  @BeforeEach
  void captureLog() {
    logged = new CapturedStderr();
  }

  @AfterEach
  void restoreLog() {
    logged.close();
  }

  private List<String> warnings() {
    return logged.text().lines().filter(line -> line.contains(" WARN ") && line.contains("asked for another connection"))
        .toList();
  }

  @Test
  void aNestedBorrowOnAnIdlePoolLogsNoWarning() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(10));
    try (Connection first = pool.getConnection(); Connection second = pool.getConnection()) {
      assertThat(second.isValid(1)).isTrue();
    }
    assertThat(logged.text()).doesNotContain(" WARN ");
    assertInvariants(pool);
  }

  @Test
  void aThreadThatHoldsOneAndWaitsForASecondOnASaturatedPoolIsWarnedOncePerSiteWithTheSite() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(2).acquireTimeout(Duration.ofSeconds(30)));
    for (int round = 0; round < 3; round++) {
      holdOneAndWaitForASecond(pool);
    }
    List<String> warnings = warnings();
    System.out.println("Logged for three rounds at one site (docs/diagnostics.md quotes it): " + warnings);
    assertThat(warnings).as("one warning for the one site, whatever the rounds").hasSize(1);
    assertThat(warnings.get(0))
        .contains("while holding 1 from this pool")
        .contains("0 of 2 connections were free or could still be opened (it had to wait)")
        .contains("MultipleAcquisitionTest.secondBorrow(MultipleAcquisitionTest.java:");
    // The stack that goes with it starts at the borrow site, not in the pool.
    assertThat(logged.text()).contains("at dev.poolwise.MultipleAcquisitionTest.secondBorrow(");

    // Another site is another warning.
    try (Connection first = pool.getConnection(); Connection busy = borrowElsewhere(pool)) {
      Thread giveBack = releaseOnceWaiting(pool, busy);
      try (Connection second = pool.getConnection()) {
        assertThat(second.isValid(1)).isTrue();
      }
      giveBack.join();
    }
    assertThat(warnings()).hasSize(2);
    assertThat(warnings().get(1)).contains("MultipleAcquisitionTest.aThreadThatHoldsOne");
    assertInvariants(pool);
  }

  @Test
  void aNestedBorrowThatTakesTheLastFreeConnectionIsWarnedWithoutWaiting() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(2).minIdle(2));
    await().until(() -> pool.snapshot().total() == 2 && pool.snapshot().pendingCreations() == 0);
    try (Connection first = pool.getConnection(); Connection second = pool.getConnection()) {
      assertThat(second.isValid(1)).isTrue();
    }
    assertThat(warnings()).singleElement().asString().contains("1 of 2 connections were free or could still be opened.");
  }

  @Test
  void failStillRefusesEveryNestedBorrowWhateverTheHeadroom() throws Exception {
    PoolwiseDataSource pool = pool(builder(database).maxSize(10).multipleAcquisition(MultipleAcquisition.FAIL));
    try (Connection first = pool.getConnection()) {
      assertThatThrownBy(pool::getConnection).isInstanceOf(SQLException.class)
          .hasMessageContaining("already holds 1 connection(s)").hasMessageContaining("multipleAcquisition is FAIL");
      assertThat(first.isValid(1)).isTrue();
    }
    assertThat(warnings()).isEmpty();
  }

  /** The test thread holds one connection, another thread the other, and the test thread asks for a second. */
  private void holdOneAndWaitForASecond(PoolwiseDataSource pool) throws Exception {
    try (Connection first = pool.getConnection(); Connection busy = borrowElsewhere(pool)) {
      Thread giveBack = releaseOnceWaiting(pool, busy);
      try (Connection second = secondBorrow(pool)) {
        assertThat(second.isValid(1)).isTrue();
      }
      giveBack.join();
    }
  }

  private static Connection secondBorrow(PoolwiseDataSource pool) throws SQLException {
    return pool.getConnection();
  }

  /** Closes {@code busy} once a thread waits, so the waiting nested borrower gets it. */
  private static Thread releaseOnceWaiting(PoolwiseDataSource pool, Connection busy) {
    return Thread.ofPlatform().start(() -> {
      await().atMost(Duration.ofSeconds(20)).until(() -> pool.snapshot().waiting() == 1);
      try {
        busy.close();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
