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
 *   agroal:N, vibur:N, dbcp2:N, tomcat:N
 *                       one pool of N of that library (see PeerPool for how each is configured)
 *   pgbouncer:KxN/M     K Poolwise pools of N through PgBouncer (transaction mode) with a server pool of M
 *   replicas:KxN        K replica JVMs started by the lab, each with one Poolwise pool of N and 1/K of the users
 *   replicas:KxN+fleet  the same with the pools' fleet budget on: together they stay within max_connections
 *   replicas:KxN/M      the same through PgBouncer (transaction mode) with a server pool of M
 *   ...+lane:K          on single:N and partitioned:KxN: each pool gets a lane named "background" capped at K
 *                       connections, and the scenario's background requests (--background) borrow in it
 * </pre>
 *
 * @param text the topology as written ({@code per-module:70x5})
 * @param kind which family
 * @param pools how many client pools (K; 1 for single and the peers)
 * @param size connections per client pool (N; 0 for {@code single:auto} until it is sized)
 * @param serverPoolSize PgBouncer's server pool (M), 0 for the other kinds
 * @param backgroundLane connections each pool's {@value #BACKGROUND_LANE} lane may hold ({@code +lane:K}), 0 for
 *     none: background requests then borrow in the default lane like everything else
 */
record Topology(String text, Kind kind, int pools, int size, int serverPoolSize, int backgroundLane) {

  enum Kind {
    /** One Poolwise pool. */
    SINGLE,
    /** K Poolwise pools, round robin per request. */
    PARTITIONED,
    /** K Poolwise pools, route index mod K picks the pool; pools grow lazily from zero. */
    PER_MODULE,
    /** One HikariCP pool. */
    HIKARI(PeerPool.HIKARI),
    /** One Agroal pool. */
    AGROAL(PeerPool.AGROAL),
    /** One Vibur DBCP pool (fair). */
    VIBUR(PeerPool.VIBUR),
    /** One Apache Commons DBCP2 pool (fair). */
    DBCP2(PeerPool.DBCP2),
    /** One Tomcat JDBC pool (fair queue). */
    TOMCAT(PeerPool.TOMCAT),
    /** K Poolwise pools through one PgBouncer in transaction mode. */
    PGBOUNCER,
    /** K separate JVMs (replicas of a service), one Poolwise pool each; optionally a fleet or PgBouncer. */
    REPLICAS;

    /** The other library this kind measures, or null for Poolwise's own kinds. */
    final PeerPool peer;

    Kind() {
      this(null);
    }

    Kind(PeerPool peer) {
      this.peer = peer;
    }

    /** One pool of another library (HikariCP, Agroal, …), not Poolwise. */
    boolean isPeer() {
      return peer != null;
    }
  }

  /** Sizes beyond this are typos: no PostgreSQL serves ten thousand connections from one lab. */
  static final int MAX_POOL_SIZE = 10_000;
  static final int MAX_POOLS = 1_000;
  /** Replica JVMs one topology may start: each takes a few hundred MB and a share of the CPUs. */
  static final int MAX_REPLICAS = 32;

  static final String SYNTAX = "single:N, single:auto, partitioned:KxN, per-module:KxN, pgbouncer:KxN/M,"
      + " replicas:KxN, replicas:KxN+fleet, replicas:KxN/M, one peer pool of N: hikari:N, agroal:N, vibur:N, dbcp2:N,"
      + " tomcat:N (single:N and partitioned:KxN may end in +lane:K)";

  /**
   * The suffix that turns the fleet budget on for {@code replicas:KxN}. Part of the results.json contract, like
   * {@link #LANE_SUFFIX}.
   */
  static final String FLEET_SUFFIX = "+fleet";
  /** The fleet name the replicas of a {@code +fleet} topology share. */
  static final String FLEET_NAME = "poolwise-lab";

  /** The lane background requests borrow in on a {@code +lane:K} topology. */
  static final String BACKGROUND_LANE = "background";

  /**
   * The suffix that gives a topology its background lane. The spelling is part of the results.json contract:
   * tools (and {@link Verdict}) find a row's lane and its lane-less twin from the topology text.
   */
  static final String LANE_SUFFIX = "+lane:";

  private static final Pattern LANE_SIZE = Pattern.compile("\\+lane:(\\d+)");

  private static final Pattern SINGLE_SIZE = Pattern.compile("(\\d+)");
  private static final Pattern K_BY_N = Pattern.compile("(\\d+)x(\\d+)");
  private static final Pattern K_BY_N_SLASH_M = Pattern.compile("(\\d+)x(\\d+)/(\\d+)");

  /** A topology without a background lane. */
  Topology(String text, Kind kind, int pools, int size, int serverPoolSize) {
    this(text, kind, pools, size, serverPoolSize, 0);
  }

  /** True for {@code single:auto}, sized during the run. */
  boolean auto() {
    return kind == Kind.SINGLE && size == 0;
  }

  /** True for {@code replicas:KxN+fleet}: the replicas' pools share the server budget as one fleet. */
  boolean fleet() {
    return kind == Kind.REPLICAS && text.endsWith(FLEET_SUFFIX);
  }

  /** The sum of every client pool's maximum. */
  int totalMaxConnections() {
    return pools * size;
  }

  /** The peer's key ({@code "hikari"}, {@code "agroal"}, …) for a peer topology, {@code "poolwise"} for the others. */
  String poolLibrary() {
    return kind.isPeer() ? kind.peer.key : "poolwise";
  }

  /** One pool whose size is N: {@code single:N} or a peer's {@code hikari:N}, {@code agroal:N}, …. */
  boolean isOnePool() {
    return kind == Kind.SINGLE || kind.isPeer();
  }

  /** This topology with its size decided ({@code single:auto} once the Advisor has spoken). */
  Topology withSize(int newSize) {
    return new Topology(text, kind, pools, newSize, serverPoolSize, backgroundLane);
  }

  /** The same pools without the background lane: {@code single:20} for {@code single:20+lane:4}. */
  static String withoutLane(String text) {
    int suffix = text.indexOf(LANE_SUFFIX);
    return suffix < 0 ? text : text.substring(0, suffix);
  }

  /** K of a {@code +lane:K} topology text, or 0 when it has no (well-formed) lane suffix. */
  static int laneOf(String text) {
    int suffix = text.indexOf(LANE_SUFFIX);
    if (suffix < 0) {
      return 0;
    }
    Matcher matcher = LANE_SIZE.matcher(text.substring(suffix));
    return matcher.matches() && matcher.group(1).length() <= 6 ? Integer.parseInt(matcher.group(1)) : 0;
  }

  /**
   * Parses one topology.
   *
   * @throws IllegalArgumentException naming the part that is wrong and the accepted syntax
   */
  static Topology parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    int plus = trimmed.indexOf('+');
    if (plus < 0) {
      return parsePools(trimmed);
    }
    Topology pools = parsePools(trimmed.substring(0, plus));
    String suffix = trimmed.substring(plus);
    if (suffix.equals(FLEET_SUFFIX)) {
      if (pools.kind() != Kind.REPLICAS || pools.serverPoolSize() > 0) {
        throw new IllegalArgumentException("'" + trimmed + "': +fleet applies to replicas:KxN only (the fleet budget"
            + " shares max_connections among replicas that connect to PostgreSQL directly)");
      }
      return new Topology(trimmed, Kind.REPLICAS, pools.pools(), pools.size(), 0);
    }
    Matcher lane = LANE_SIZE.matcher(suffix);
    if (!lane.matches()) {
      throw new IllegalArgumentException("'" + suffix + "' in topology '" + trimmed + "' is not a lane: the only"
          + " suffix is +lane:K (K connections of each pool for background requests), e.g. single:20+lane:4");
    }
    if (pools.kind() != Kind.SINGLE && pools.kind() != Kind.PARTITIONED || pools.auto()) {
      throw new IllegalArgumentException("'" + trimmed + "': +lane:K applies to single:N and partitioned:KxN only"
          + " (a lane is a Poolwise feature and needs a fixed pool size to be capped within)");
    }
    String digits = lane.group(1);
    long size = digits.length() > 6 ? Long.MAX_VALUE : Long.parseLong(digits);
    if (size < 1 || size > pools.size()) {
      throw new IllegalArgumentException("'" + digits + "' in topology '" + trimmed + "' is out of range: the lane"
          + " may hold between 1 and the pool's size (" + pools.size() + ") connections");
    }
    return new Topology(trimmed, pools.kind(), pools.pools(), pools.size(), 0, (int) size);
  }

  private static Topology parsePools(String trimmed) {
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
      case "hikari", "agroal", "vibur", "dbcp2", "tomcat" -> new Topology(trimmed,
          Kind.valueOf(name.toUpperCase(Locale.ROOT)), 1, number(trimmed, shape, SINGLE_SIZE, "N", 1)[0], 0);
      case "partitioned", "per-module" -> {
        int[] kn = number(trimmed, shape, K_BY_N, "KxN", 2);
        yield new Topology(trimmed, name.equals("partitioned") ? Kind.PARTITIONED : Kind.PER_MODULE, kn[0], kn[1], 0);
      }
      case "pgbouncer" -> {
        int[] knm = number(trimmed, shape, K_BY_N_SLASH_M, "KxN/M", 3);
        yield new Topology(trimmed, Kind.PGBOUNCER, knm[0], knm[1], knm[2]);
      }
      case "replicas" -> {
        if (shape.matches("\\d{3,}x.*") || shape.matches("(\\d+)x.*") && Integer.parseInt(shape.substring(0, shape.indexOf('x'))) > MAX_REPLICAS) {
          throw new IllegalArgumentException("'" + trimmed + "': at most " + MAX_REPLICAS + " replicas (each is a JVM"
              + " the lab starts on this machine)");
        }
        if (shape.contains("/")) {
          int[] knm = number(trimmed, shape, K_BY_N_SLASH_M, "KxN/M", 3);
          yield new Topology(trimmed, Kind.REPLICAS, knm[0], knm[1], knm[2]);
        }
        int[] kn = number(trimmed, shape, K_BY_N, "KxN", 2);
        yield new Topology(trimmed, Kind.REPLICAS, kn[0], kn[1], 0);
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
