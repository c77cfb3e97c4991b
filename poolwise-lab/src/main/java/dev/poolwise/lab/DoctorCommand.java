package dev.poolwise.lab;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** SKELETON — replaced by the lab's implementation. */
@Command(name = "doctor", description = "(being built)")
final class DoctorCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("doctor: not built yet");
    return 2;
  }
}
