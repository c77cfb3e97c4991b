package dev.poolwise.lab;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./poolwise}: the lab. Answers "one pool, a few pools, or seventy?" with measurements from a real
 * PostgreSQL. Without a sub-command it runs {@code compare}.
 */
@Command(name = "poolwise", mixinStandardHelpOptions = true, versionProvider = PoolwiseLab.Version.class,
    description = {"The Poolwise lab: measure pool topologies against a real PostgreSQL (embedded by default).",
        "Without a sub-command, runs 'compare'."},
    subcommands = {CompareCommand.class, RunCommand.class, AdviseCommand.class, DoctorCommand.class, BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class PoolwiseLab implements Runnable {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
  public static int execute(String... args) {
    CommandLine commandLine = new CommandLine(new PoolwiseLab());
    if (args.length == 0 || args[0].startsWith("-") && !isTopLevelOption(args[0])) {
      String[] withDefault = new String[args.length + 1];
      withDefault[0] = "compare";
      System.arraycopy(args, 0, withDefault, 1, args.length);
      args = withDefault;
    }
    return commandLine.execute(args);
  }

  private static boolean isTopLevelOption(String arg) {
    return arg.equals("-h") || arg.equals("--help") || arg.equals("-V") || arg.equals("--version");
  }

  @Override
  public void run() {
    // Reached only through execute(), which always names a sub-command.
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = PoolwiseLab.class.getPackage().getImplementationVersion();
      return new String[] {"poolwise lab " + (version == null ? "(development build)" : version)};
    }
  }
}
