package dev.poolwise.lab;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** SKELETON — replaced by the lab's implementation. */
@Command(name = "advise", description = "(being built)")
final class AdviseCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("advise: not built yet");
    return 2;
  }
}
