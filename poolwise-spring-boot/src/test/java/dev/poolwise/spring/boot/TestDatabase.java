package dev.poolwise.spring.boot;

import dev.poolwise.embedded.PostgresServer;
import dev.poolwise.embedded.PostgresServer.AppUser;

/** One embedded PostgreSQL for the whole test JVM (starting one takes seconds), stopped when the JVM exits. */
final class TestDatabase {

  static final PostgresServer SERVER = PostgresServer.start();
  /** The role the Spring application connects as. */
  static final AppUser APP = SERVER.createAppUser("boot_app", "boot-secret");
  /** The role the ApplicationContextRunner tests connect as (DATABASE_URL and friends). */
  static final AppUser RUNNER = SERVER.createAppUser("boot_runner", "runner-secret");

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(SERVER::close, "embedded-postgres-stop"));
  }

  private TestDatabase() {}
}
