package dev.poolwise.lab;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** What the tests against a real PgBouncer share. */
final class PgBouncerTests {

  private PgBouncerTests() {}

  /**
   * The installed {@code pgbouncer}. Without one the calling test is skipped, or fails when
   * {@code POOLWISE_REQUIRE_TEST_PREREQUISITES=true} (set by .ci/run, which installs it).
   */
  static Path binaryOrSkip() {
    Path binary = PgBouncerProcess.findBinary().orElse(null);
    if (binary == null) {
      if ("true".equals(System.getenv("POOLWISE_REQUIRE_TEST_PREREQUISITES"))) {
        fail("pgbouncer is not installed (POOLWISE_REQUIRE_TEST_PREREQUISITES=true): apt-get install pgbouncer");
      }
      Assumptions.abort("pgbouncer is not installed; .ci/run installs it");
    }
    return binary;
  }
}
