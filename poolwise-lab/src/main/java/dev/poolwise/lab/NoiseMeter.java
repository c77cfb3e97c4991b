package dev.poolwise.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * How busy the machine was with work that is not ours, for {@code bench}: between two readings, the CPU time the
 * whole machine spent ({@code /proc/stat}, steal included) minus what this JVM, its descendants and the embedded
 * PostgreSQL spent ({@code /proc/PID/stat}; the postmaster is named explicitly because pg_ctl daemonizes it and it
 * is re-parented to init), as a share of all cores. Linux only; elsewhere {@link #read(Long)} returns null and the
 * figure is reported as unknown.
 *
 * <p>Backends of a server the bench did not start ({@code --url}) count as "others": the figure is then an upper
 * bound on the noise.
 */
final class NoiseMeter {

  /** One reading, in clock ticks. */
  record Reading(long machineBusy, long machineTotal, long ours) {}

  private NoiseMeter() {}

  /** A reading that counts {@code alsoOurs} (a process and its descendants; may be null) as ours. */
  static Reading read(Long alsoOurs) {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst();
      String[] fields = cpu.trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < fields.length && i <= 8; i++) {
        total += Long.parseLong(fields[i]);
      }
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]); // idle + iowait
      return new Reading(total - idle, total, ourTicks(alsoOurs));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Share of all cores (0..1) that others used between the readings, or NaN when unknown. */
  static double othersShare(Reading before, Reading after) {
    if (before == null || after == null || after.machineTotal() <= before.machineTotal()) {
      return Double.NaN;
    }
    long others = (after.machineBusy() - before.machineBusy()) - (after.ours() - before.ours());
    return Math.max(0, (double) others / (after.machineTotal() - before.machineTotal()));
  }

  /** utime + stime of this process and all its descendants (live ones; exited children are not counted). */
  private static long ourTicks(Long alsoOurs) throws IOException {
    Map<Long, Long> parents = new HashMap<>();
    Map<Long, Long> ticks = new HashMap<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
        try {
          String stat = Files.readString(entry.resolve("stat"));
          // the command name may contain spaces and parentheses: fields start after the last ')'
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long pid = Long.parseLong(entry.getFileName().toString());
          parents.put(pid, Long.parseLong(fields[1]));
          ticks.put(pid, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
        } catch (IOException | RuntimeException e) {
          // the process exited while we listed: skip it
        }
      }
    }
    Set<Long> ours = new HashSet<>(List.of(ProcessHandle.current().pid()));
    if (alsoOurs != null) {
      ours.add(alsoOurs);
    }
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Map.Entry<Long, Long> entry : parents.entrySet()) {
        if (!ours.contains(entry.getKey()) && ours.contains(entry.getValue())) {
          ours.add(entry.getKey());
          grew = true;
        }
      }
    }
    return ours.stream().mapToLong(pid -> ticks.getOrDefault(pid, 0L)).sum();
  }
}
