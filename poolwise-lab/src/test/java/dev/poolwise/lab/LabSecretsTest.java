package dev.poolwise.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.embedded.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The lab pointed at a database whose password is a sentinel, through every way a user hands it over
 * (DATABASE_URL user info, JDBC URL parameter): the password must appear in nothing the lab prints or
 * writes — terminal output, results.json, report.html, doctor and advise output.
 */
@Isolated
class LabSecretsTest {

  private static final String SENTINEL = "S3ntinelLabPa55";

  private static PostgresServer server;
  private static PostgresServer.AppUser app;

  @TempDir
  Path output;

  @BeforeAll
  static void startServer() throws Exception {
    server = PostgresServer.start();
    app = server.createAppUser("lab_secrets", SENTINEL);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** Runs the CLI with stdout and stderr captured; returns both. */
  private static String run(String... args) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    try {
      PoolwiseLab.execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theSentinelPasswordAppearsInNothingTheLabPrintsOrWrites() throws Exception {
    String databaseUrl = app.databaseUrl();
    String jdbcUrl = app.jdbcUrl() + "?user=" + app.username() + "&password=" + SENTINEL;
    StringBuilder everything = new StringBuilder();

    everything.append(run("run", "single:4", "--url", databaseUrl, "--duration", "1", "--warmup", "0",
        "--users", "2", "--output-dir", output.toString()));
    everything.append(Files.readString(output.resolve("results.json")));
    everything.append(Files.readString(output.resolve("report.html")));
    everything.append(run("doctor", "--url", databaseUrl));
    everything.append(run("doctor", "--url", jdbcUrl));
    everything.append(run("advise", "--url", jdbcUrl, "--observe-seconds", "1"));
    // A URL the lab refuses (not loopback) and one it cannot reach still must not echo the password.
    everything.append(run("doctor", "--url", "postgresql://someone:" + SENTINEL + "@db.example.invalid/app"));
    everything.append(run("run", "single:2", "--url", "postgresql://someone:" + SENTINEL + "@127.0.0.1:1/app",
        "--duration", "1", "--warmup", "0"));

    String text = everything.toString();
    assertThat(text).as("the lab really ran against the server").contains("single:4").contains("PostgreSQL");
    assertThat(text).doesNotContain(SENTINEL);
  }
}
