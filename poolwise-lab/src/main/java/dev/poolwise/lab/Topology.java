package dev.poolwise.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One way of putting pools between the page-load scenario and PostgreSQL, as written on the command line.
 *
 * <pre>
 *   single:N            one Poolwise pool of N
 *   single:auto         one Poolwise pool, sized by the Advisor from load measured earlier in the run
 *   partitioned:KxN     K Poolwise pools of N, round robin per request (the seed's "middle way")
 *   per-module:KxN      K lazily-growing Poolwise pools of N, each API route bound to one (the seed's 70 instances)
 *   hikari:N            one HikariCP pool of N (the peer)
 *   pgbouncer:KxN/M     K Poolwise pools of N through PgBouncer (transaction mode) with a server pool of M
 * </pre>
 *
 * @param text the topology as written ({@code per-module:70x5})
 * @param kind which family
 * @param pools how many client pools (K; 1 for single and hikari)
 * @param size connections per client pool (N; 0 for {@code single:auto} until it is sized)
 * @param serverPoolSize PgBouncer's server pool (M), 0 for the other kinds
 */
record Topology(String text, Kind kind, int pools, int size, int serverPoolSize) {

  enum Kind {
    /** One Poolwise pool. */
    SINGLE,
    /** K Poolwise pools, round robin per request. */
    PARTITIONED,
    /** K Poolwise pools, route index mod K picks the pool; pools grow lazily from zero. */
    PER_MODULE,
    /** One HikariCP pool. */
    HIKARI,
    /** K Poolwise pools through one PgBouncer in transaction mode. */
    PGBOUNCER
  }

  /** Sizes beyond this are typos: no PostgreSQL serves ten thousand connections from one lab. */
  static final int MAX_POOL_SIZE = 10_000;
  static final int MAX_POOLS = 1_000;

  static final String SYNTAX = "single:N, single:auto, partitioned:KxN, per-module:KxN, hikari:N, pgbouncer:KxN/M";

  private static final Pattern SINGLE_SIZE = Pattern.compile("(\\d+)");
  private static final Pattern K_BY_N = Pattern.compile("(\\d+)x(\\d+)");
  private static final Pattern K_BY_N_SLASH_M = Pattern.compile("(\\d+)x(\\d+)/(\\d+)");

  /** True for {@code single:auto}, sized during the run. */
  boolean auto() {
    return kind == Kind.SINGLE && size == 0;
  }

  /** The sum of every client pool's maximum. */
  int totalMaxConnections() {
    return pools * size;
  }

  /** {@code "hikari"} for the HikariCP topology, {@code "poolwise"} for the others. */
  String poolLibrary() {
    return kind == Kind.HIKARI ? "hikari" : "poolwise";
  }

  /** This topology with its size decided ({@code single:auto} once the Advisor has spoken). */
  Topology withSize(int newSize) {
    return new Topology(text, kind, pools, newSize, serverPoolSize);
  }

  /**
   * Parses one topology.
   *
   * @throws IllegalArgumentException naming the part that is wrong and the accepted syntax
   */
  static Topology parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    int colon = trimmed.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("topology '" + trimmed + "' has no ':'; expected one of " + SYNTAX);
    }
    String name = trimmed.substring(0, colon).toLowerCase(Locale.ROOT);
    String shape = trimmed.substring(colon + 1).toLowerCase(Locale.ROOT);
    return switch (name) {
      case "single" -> {
        if (shape.equals("auto")) {
          yield new Topology(trimmed, Kind.SINGLE, 1, 0, 0);
        }
        yield new Topology(trimmed, Kind.SINGLE, 1, number(trimmed, shape, SINGLE_SIZE, "N or auto", 1)[0], 0);
      }
      case "hikari" -> new Topology(trimmed, Kind.HIKARI, 1, number(trimmed, shape, SINGLE_SIZE, "N", 1)[0], 0);
      case "partitioned", "per-module" -> {
        int[] kn = number(trimmed, shape, K_BY_N, "KxN", 2);
        yield new Topology(trimmed, name.equals("partitioned") ? Kind.PARTITIONED : Kind.PER_MODULE, kn[0], kn[1], 0);
      }
      case "pgbouncer" -> {
        int[] knm = number(trimmed, shape, K_BY_N_SLASH_M, "KxN/M", 3);
        yield new Topology(trimmed, Kind.PGBOUNCER, knm[0], knm[1], knm[2]);
      }
      default -> throw new IllegalArgumentException("unknown topology '" + name + "' in '" + trimmed
          + "'; expected one of " + SYNTAX);
    };
  }

  /** Parses a list given as separate arguments, each of which may itself hold comma- or space-separated topologies. */
  static List<Topology> parseAll(List<String> arguments) {
    List<Topology> topologies = new ArrayList<>();
    for (String argument : arguments) {
      for (String part : argument.split("[,\\s]+")) {
        if (!part.isBlank()) {
          topologies.add(parse(part));
        }
      }
    }
    if (topologies.isEmpty()) {
      throw new IllegalArgumentException("no topology given; expected one or more of " + SYNTAX);
    }
    return topologies;
  }

  private static int[] number(String topology, String shape, Pattern pattern, String expected, int groups) {
    Matcher matcher = pattern.matcher(shape);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("'" + shape + "' in topology '" + topology + "' is not " + expected
          + " (positive whole numbers); expected one of " + SYNTAX);
    }
    int[] values = new int[groups];
    for (int i = 0; i < groups; i++) {
      String digits = matcher.group(i + 1);
      long value = digits.length() > 6 ? Long.MAX_VALUE : Long.parseLong(digits);
      boolean poolCount = groups >= 2 && i == 0;
      long limit = poolCount ? MAX_POOLS : MAX_POOL_SIZE;
      if (value < 1 || value > limit) {
        throw new IllegalArgumentException("'" + digits + "' in topology '" + topology + "' is out of range: "
            + (poolCount ? "the number of pools" : "a pool size") + " must be between 1 and " + limit);
      }
      values[i] = (int) value;
    }
    return values;
  }

  @Override
  public String toString() {
    return text;
  }
}
