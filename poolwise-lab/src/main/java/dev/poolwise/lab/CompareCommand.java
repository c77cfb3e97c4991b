package dev.poolwise.lab;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** SKELETON — replaced by the lab's implementation. */
@Command(name = "compare", description = "(being built)")
final class CompareCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("compare: not built yet");
    return 2;
  }
}
