package dev.poolwise.lab;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * For {@code doctor}: the fleets of Poolwise pools among a server's sessions (the {@code pwf:<fleet>:<member>}
 * application names, see docs/fleet.md).
 */
final class DoctorFleets {

  private DoctorFleets() {}

  /* --- Poolwise fleets among the server's sessions --- */

  /**
   * The fleets among {@code applicationNames} ({@code pwf:<fleet>:<member>} for a member's pooled connections,
   * {@code pwf:<fleet>:<member>:<demand>} for its beacon): members, connections and published demand per fleet,
   * or an empty string when there is none.
   */
  static String fleets(List<String> applicationNames) {
    Map<String, Map<String, int[]>> fleets = new TreeMap<>(); // fleet → member → {connections, demand, beacon}
    for (String name : applicationNames) {
      if (name == null || !name.startsWith("pwf:")) {
        continue;
      }
      String bare = name.indexOf(' ') < 0 ? name : name.substring(0, name.indexOf(' '));
      String[] parts = bare.split(":", 4);
      if (parts.length < 3) {
        continue;
      }
      int[] member = fleets.computeIfAbsent(parts[1], f -> new TreeMap<>()).computeIfAbsent(parts[2], m -> new int[3]);
      if (parts.length == 4 && parts[3].matches("\\d{1,6}") && name.indexOf(' ') < 0) {
        member[1] = Integer.parseInt(parts[3]);
        member[2] = 1;
      } else {
        member[0]++;
      }
    }
    if (fleets.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("Poolwise fleets (pools sharing max_connections; see docs/fleet.md)\n");
    fleets.forEach((fleet, members) -> {
      int connections = members.values().stream().mapToInt(m -> m[0]).sum();
      out.append(String.format(Locale.ROOT, "  %s: %d member%s, %d pooled connections + %d beacons%n", fleet,
          members.size(), members.size() == 1 ? "" : "s", connections,
          members.values().stream().mapToInt(m -> m[2]).sum()));
      members.forEach((member, figures) -> out.append(String.format(Locale.ROOT,
          "    member %s: %d connections, demand %s%n", member, figures[0],
          figures[2] == 1 ? Integer.toString(figures[1]) : "unknown (no beacon)")));
    });
    return out.append('\n').toString();
  }
}
