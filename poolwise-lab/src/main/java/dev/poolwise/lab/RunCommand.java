package dev.poolwise.lab;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** SKELETON — replaced by the lab's implementation. */
@Command(name = "run", description = "(being built)")
final class RunCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("run: not built yet");
    return 2;
  }
}
