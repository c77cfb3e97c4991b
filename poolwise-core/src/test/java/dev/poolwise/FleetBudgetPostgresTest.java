package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.poolwise.embedded.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fleet budget on a real PostgreSQL with {@code max_connections = 30} (27 for ordinary roles): a busy
 * member takes most of the budget while the other is idle; the idle one bursts and holds its fair share within
 * two evaluation periods without a 53300 or a borrowed connection taken away; a member whose process is killed
 * frees its share within two periods.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FleetBudgetPostgresTest {

  private static final int MAX_CONNECTIONS = 30;
  private static final int FOR_ORDINARY_ROLES = MAX_CONNECTIONS - 3;
  /**
   * Shorter than the production default (5 s) so the test runs in seconds, long enough that what is not the
   * algorithm (backends exiting, a loaded machine's scheduling) stays small against it.
   */
  private static final Duration PERIOD = Duration.ofMillis(2000);
  private static final int HOLD_MILLIS = 20;

  private static PostgresServer server;
  private static PostgresServer.AppUser app;

  @BeforeAll
  static void startServer() {
    server = PostgresServer.start(MAX_CONNECTIONS);
    app = server.createAppUser("fleet_app", "Fl33t:Secret/1");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static FleetMember member(String fleet) throws Exception {
    return new FleetMember(FleetMember.builder(app.jdbcUrl(), app.username(), app.password(), fleet, PERIOD,
        FOR_ORDINARY_ROLES).build());
  }

  /**
   * Samples the server's client connections (its own included) every 20 ms over one superuser connection kept
   * open, so the fleet sees it as one steady connection outside the fleet, and keeps the peak.
   */
  private static final class PeakSampler implements AutoCloseable {
    final AtomicInteger peak = new AtomicInteger();
    private final Connection connection;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    PeakSampler() throws SQLException {
      connection = server.openSuperuserConnection();
      timer.scheduleWithFixedDelay(this::sample, 0, 20, TimeUnit.MILLISECONDS);
    }

    private void sample() {
      try (Statement statement = connection.createStatement();
           ResultSet count = statement.executeQuery("select count(*) from pg_stat_activity where backend_type = 'client backend'")) {
        count.next();
        peak.accumulateAndGet(count.getInt(1), Math::max);
      } catch (SQLException e) {
        peak.set(Integer.MAX_VALUE); // fails the assertion with a number nobody mistakes for a count
      }
    }

    @Override
    public void close() throws Exception {
      timer.shutdownNow();
      timer.awaitTermination(5, TimeUnit.SECONDS);
      connection.close();
    }
  }

  @Test
  void anIdleMemberThatBurstsGetsItsShareWithinTwoPeriodsAndNobodyIsRefused() throws Exception {
    try (FleetMember busy = member("fair"); FleetMember idle = member("fair"); PeakSampler sampler = new PeakSampler()) {
      busy.load(FOR_ORDINARY_ROLES, HOLD_MILLIS);
      // Both members are seen (two beacons), the idle one wants 1: the busy one gets the rest.
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        PoolSnapshot.Fleet fleet = busy.pool.snapshot().fleet();
        assertThat(fleet).isNotNull();
        assertThat(fleet.members()).isEqualTo(2);
        assertThat(busy.pool.snapshot().total()).isGreaterThan(fleet.budget() * 8 / 10);
      });
      PoolSnapshot.Fleet before = busy.pool.snapshot().fleet();
      assertThat(before.toString()).isEqualTo("capped at " + before.cap() + " by the fleet budget: 2 members share "
          + before.budget() + " connections");
      int fairShare = before.budget() / 2;

      long burst = System.nanoTime();
      idle.load(FOR_ORDINARY_ROLES, HOLD_MILLIS);
      await().atMost(PERIOD.multipliedBy(2)).pollInterval(Duration.ofMillis(20))
          .until(() -> idle.pool.snapshot().total() >= fairShare);
      Duration reached = Duration.ofNanos(System.nanoTime() - burst);
      // And it keeps it: shares settle, the busy member is down to its own half.
      await().atMost(PERIOD.multipliedBy(3)).untilAsserted(() -> {
        assertThat(idle.pool.snapshot().total()).isGreaterThanOrEqualTo(fairShare);
        assertThat(busy.pool.snapshot().total()).isLessThanOrEqualTo(before.budget() - fairShare);
      });

      assertThat(sampler.peak.get()).as("server peak (reached the share after %s ms)", reached.toMillis())
          .isLessThanOrEqualTo(FOR_ORDINARY_ROLES);
      for (FleetMember member : List.of(busy, idle)) {
        PoolSnapshot snapshot = member.pool.snapshot();
        assertThat(snapshot.creationFailures()).as("connects refused (53300) by %s", snapshot.poolName()).isZero();
        assertThat(member.failures.get()).as("failed borrows in %s: %s", snapshot.poolName(), member.firstFailure())
            .isZero();
        assertThat(snapshot.evictions().get(PoolSnapshot.EvictionCause.LEAK_RECLAIMED)).isZero();
        assertThat(snapshot.evictions().get(PoolSnapshot.EvictionCause.ABORTED)).isZero();
      }
      assertThat(busy.pool.snapshot().evictions().get(PoolSnapshot.EvictionCause.FLEET_BUDGET))
          .as("the busy member shrank by closing connections that came back").isPositive();
    }
  }

  @Test
  void aKilledMemberFreesItsShareWithinTwoPeriods() throws Exception {
    Process other = startMemberProcess("killed");
    try (FleetMember survivor = member("killed")) {
      survivor.load(FOR_ORDINARY_ROLES, HOLD_MILLIS);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        PoolSnapshot.Fleet fleet = survivor.pool.snapshot().fleet();
        assertThat(fleet).isNotNull();
        assertThat(fleet.members()).isEqualTo(2);
        assertThat(survivor.pool.snapshot().total()).isLessThanOrEqualTo(fleet.budget() / 2 + 1);
      });
      int budgetOfTwo = survivor.pool.snapshot().fleet().budget();

      other.destroyForcibly();
      assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
      // Its connections and beacon are gone with the process; the survivor takes the whole budget.
      await().atMost(PERIOD.multipliedBy(2)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
        PoolSnapshot.Fleet fleet = survivor.pool.snapshot().fleet();
        assertThat(fleet.members()).isEqualTo(1);
        assertThat(survivor.pool.snapshot().total()).isGreaterThanOrEqualTo(budgetOfTwo * 9 / 10);
      });
      assertThat(survivor.failures.get()).as("failed borrows: %s", survivor.firstFailure()).isZero();
      assertThat(survivor.pool.snapshot().creationFailures()).isZero();
    } finally {
      other.destroyForcibly();
    }
  }

  private static Process startMemberProcess(String fleet) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        FleetMember.class.getName(), app.jdbcUrl(), app.username(), fleet, Long.toString(PERIOD.toMillis()),
        Integer.toString(FOR_ORDINARY_ROLES), Integer.toString(FOR_ORDINARY_ROLES), Integer.toString(HOLD_MILLIS))
        .redirectErrorStream(true)
        .redirectOutput(Path.of("target", "fleet-member-" + fleet + ".log").toFile());
    builder.environment().put(FleetMember.PASSWORD_VARIABLE, app.password());
    return builder.start();
  }
}
