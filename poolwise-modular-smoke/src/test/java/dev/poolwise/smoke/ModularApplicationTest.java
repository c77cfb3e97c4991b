package dev.poolwise.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.testkit.StubDriver;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * Runs {@link ModularApplication} the way a modular application runs: {@code java --module-path ... -m
 * dev.poolwise.smoke/...}, with poolwise-core and slf4j-api as named modules on the module path and the
 * JDBC driver (the testkit's stub) on the class path. This test itself runs on the class path (surefire's
 * useModulePath is off in this module) and only assembles the command line from where the classes came from.
 */
class ModularApplicationTest {

  @Test
  void aModularApplicationBorrowsThroughTheNamedModule() throws Exception {
    String modulePath = String.join(File.pathSeparator,
        locationOf(ModularApplication.class), locationOf(PoolwiseDataSource.class), locationOf(Logger.class));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", modulePath,
        "--class-path", locationOf(StubDriver.class),
        "-m", "dev.poolwise.smoke/dev.poolwise.smoke.ModularApplication",
        "jdbc:stub:modular-smoke"));

    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean exited = process.waitFor(2, TimeUnit.MINUTES);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!exited) {
      process.destroyForcibly();
    }

    assertThat(exited).as("the modular application exited; output:%n%s", output).isTrue();
    assertThat(process.exitValue()).as("exit code; command %s%noutput:%n%s", command, output).isZero();
    assertThat(output).contains("OK module dev.poolwise exports [dev.poolwise]; borrowed, queried");
  }

  /** The jar or classes directory a class was loaded from. */
  private static String locationOf(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
