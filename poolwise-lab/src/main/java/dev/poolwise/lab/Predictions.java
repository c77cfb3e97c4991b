package dev.poolwise.lab;

import dev.poolwise.lab.model.PoolLayout;
import dev.poolwise.lab.model.ServerModel;

/** A lab {@link Topology} as the model's {@link PoolLayout}: the same pools, routing, lanes and PgBouncer. */
final class Predictions {

  /** What a row's prediction was made from ({@code results.json}'s {@code "prediction_from"}). */
  static final String FROM_CALIBRATION = "calibration";

  private Predictions() {}

  /** Slots the fleet budget leaves free for a newcomer (FleetBudget's NEWCOMER_HEADROOM). */
  private static final int FLEET_NEWCOMER_HEADROOM = 2;

  /**
   * The server as {@code topology}'s clients see it: the replicas rows run K client JVMs, each with its own carrier
   * threads for the queries' client parts.
   */
  static ServerModel server(Topology topology, ServerModel calibrated) {
    return topology.kind() == Topology.Kind.REPLICAS && calibrated.clientThreads() > 0
        ? calibrated.withClientThreads(calibrated.clientThreads() * topology.pools()) : calibrated;
  }

  /**
   * The layout of {@code topology} on a server that lets the run open {@code connectionLimit} connections (what
   * the fleet budget of {@code replicas:KxN+fleet} divides).
   */
  static PoolLayout layout(Topology topology, int connectionLimit) {
    PoolLayout layout = switch (topology.kind()) {
      case SINGLE -> PoolLayout.single(topology.size());
      // The peers are modelled alike: one pool of N without Poolwise's pool-locking guard (docs/model.md)
      case HIKARI, AGROAL, VIBUR, DBCP2, TOMCAT -> PoolLayout.hikari(topology.size());
      case PARTITIONED -> PoolLayout.partitioned(topology.pools(), topology.size());
      case PER_MODULE -> PoolLayout.perModule(topology.pools(), topology.size());
      case PGBOUNCER -> PoolLayout.pgbouncer(topology.pools(), topology.size(), topology.serverPoolSize());
      // K replicas, each user bound to one of them; with the fleet budget each pool is capped at its equal share
      // of the budget (every replica wants its whole pool here), the K beacons and the newcomers' slots left out
      case REPLICAS -> topology.serverPoolSize() > 0
          ? PoolLayout.replicasBehindPgBouncer(topology.pools(), topology.size(), topology.serverPoolSize())
          : PoolLayout.replicas(topology.pools(), topology.fleet()
              ? Math.max(1, Math.min(topology.size(),
                  (connectionLimit - topology.pools() - FLEET_NEWCOMER_HEADROOM) / topology.pools()))
              : topology.size());
    };
    return topology.backgroundLane() > 0 ? layout.withBackgroundLane(topology.backgroundLane()) : layout;
  }
}
