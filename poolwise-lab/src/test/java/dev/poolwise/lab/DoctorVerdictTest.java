package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict's arithmetic on inspections built by hand (the server-facing paths are in DoctorCommandTest). */
class DoctorVerdictTest {

  private static DoctorCommand.Session session(int pid, String application, String state, double stateSeconds,
      double querySeconds) {
    return new DoctorCommand.Session(pid, application, "app", "127.0.0.1", state, null, null, stateSeconds,
        querySeconds, stateSeconds, List.of(), "select 1");
  }

  private static DoctorCommand.Inspection inspection(List<DoctorCommand.Session> sessions, boolean superuser) {
    return new DoctorCommand.Inspection("16.4", 100, 3, 0, superuser ? "postgres" : "app", superuser, superuser,
        sessions);
  }

  @Test
  void nearTheLimitWithMostlyIdleConnectionsPointsAtOversizedPools() {
    List<DoctorCommand.Session> sessions = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      sessions.add(session(1000 + i, "api-" + i % 16, "idle", 100, 100));
    }
    for (int i = 0; i < 7; i++) {
      sessions.add(session(2000 + i, "api-0", "active", 0.01, 0.01));
    }
    String verdict = inspection(sessions, true).verdict(30, 10);
    // 87 others + doctor = 88 of 100 − 3 − 0 = 97: 90.7 % ≥ 90 %.
    assertThat(verdict).startsWith("88 of 97 available connections in use: near the limit; 80 of them are idle");
    assertThat(inspection(sessions, true).problems(30, 10)).hasSize(1);
  }

  @Test
  void atTheLimitSaysWhatFails() {
    List<DoctorCommand.Session> sessions = new ArrayList<>();
    for (int i = 0; i < 96; i++) {
      sessions.add(session(1000 + i, "api", "active", 0.5, 0.5));
    }
    assertThat(inspection(sessions, true).verdict(30, 10))
        .startsWith("97 of 97 available connections in use: at the limit, new connections by ordinary roles fail"
            + " with 53300.");
  }

  @Test
  void slowQueriesAndHealthyServers() {
    List<DoctorCommand.Session> sessions = List.of(session(1, "reports", "active", 42, 42),
        session(2, "api", "idle", 3, 3), session(3, "api", "idle in transaction", 0.2, 0.3));
    String verdict = inspection(sessions, true).verdict(30, 10);
    assertThat(verdict).startsWith("1 query running for over 10 s; the longest is pid 1 (reports, app) at 42 s");
    String healthy = inspection(List.of(session(2, "api", "idle", 3, 3)), true).verdict(30, 10);
    assertThat(healthy).startsWith("Healthy: 2 of 97 available connections in use");
    // A session only just idle in transaction is mentioned without being called a problem.
    String brief = inspection(List.of(session(3, "api", "idle in transaction", 0.2, 0.3)), true).verdict(30, 10);
    assertThat(brief).startsWith("Healthy:").contains("1 session is idle in transaction right now");
  }

  @Test
  void anOrdinaryRoleSaysWhatItCouldNotSee() {
    List<DoctorCommand.Session> sessions = List.of(session(1, "other", null, Double.NaN, Double.NaN));
    DoctorCommand.Inspection inspection = inspection(sessions, false);
    assertThat(inspection.verdict(30, 10)).contains("Seen as the ordinary role app: 1 other session is counted"
        + " without state or query text");
    assertThat(inspection.render("localhost:5432/app", 30, 10, 10)).contains("(hidden)", "ordinary role");
  }

  @Test
  void queryTextIsFlattenedTruncatedAndPasswordsHidden() {
    assertThat(DoctorCommand.shortQuery("select *\n  from   orders\twhere id = 1", 60))
        .isEqualTo("select * from orders where id = 1");
    assertThat(DoctorCommand.shortQuery("x".repeat(100), 10)).isEqualTo("xxxxxxxxx…");
    LiveDatabase.Target target = LiveDatabase.Target.parse("postgresql://u:p%40ss-word@localhost:5432/db");
    assertThat(target.display()).isEqualTo("localhost:5432/db");
    assertThat(target.secrets()).contains("p%40ss-word", "p@ss-word");
    assertThat(LiveDatabase.scrub("ALTER ROLE u PASSWORD 'abc''def' -- and p@ss-word", target))
        .isEqualTo("ALTER ROLE u PASSWORD '<hidden>' -- and <hidden>");
    assertThat(DoctorCommand.duration(4.25)).isEqualTo("4.3 s");
    assertThat(DoctorCommand.duration(245)).isEqualTo("4 min 05 s");
    assertThat(DoctorCommand.duration(7380)).isEqualTo("2 h 03 min");
  }

  @Test
  void urlTargetsAndTheLoopbackCheck() {
    assertThat(LiveDatabase.Target.parse("jdbc:postgresql://localhost:5432/app?user=x&password=topsecret")
        .secrets()).contains("topsecret");
    assertThat(LiveDatabase.Target.parse("jdbc:postgresql://127.0.0.1,[::1]:5433/app").remoteHosts()).isEmpty();
    assertThat(LiveDatabase.Target.parse("jdbc:postgresql:app").hosts()).containsExactly("localhost");
    assertThat(LiveDatabase.Target.parse("postgres://u@db.example.invalid/app").remoteHosts())
        .containsExactly("db.example.invalid");
    assertThat(LiveDatabase.Target.parse("jdbc:postgresql://localhost,192.0.2.7/app").remoteHosts())
        .containsExactly("192.0.2.7");
  }
}
