package dev.poolwise.lab;

import dev.poolwise.lab.model.PoolLayout;

/** A lab {@link Topology} as the model's {@link PoolLayout}: the same pools, routing, lanes and PgBouncer. */
final class Predictions {

  /** What a row's prediction was made from ({@code results.json}'s {@code "prediction_from"}). */
  static final String FROM_CALIBRATION = "calibration";

  private Predictions() {}

  static PoolLayout layout(Topology topology) {
    PoolLayout layout = switch (topology.kind()) {
      case SINGLE -> PoolLayout.single(topology.size());
      // The peers are modelled alike: one pool of N without Poolwise's pool-locking guard (docs/model.md)
      case HIKARI, AGROAL, VIBUR, DBCP2, TOMCAT -> PoolLayout.hikari(topology.size());
      case PARTITIONED -> PoolLayout.partitioned(topology.pools(), topology.size());
      case PER_MODULE -> PoolLayout.perModule(topology.pools(), topology.size());
      case PGBOUNCER -> PoolLayout.pgbouncer(topology.pools(), topology.size(), topology.serverPoolSize());
      // K replicas with 1/K of the users each spread the requests over K pools much as round robin does; the fleet
      // budget's caps are not modelled (docs/model.md)
      case REPLICAS -> topology.serverPoolSize() > 0
          ? PoolLayout.pgbouncer(topology.pools(), topology.size(), topology.serverPoolSize())
          : PoolLayout.partitioned(topology.pools(), topology.size());
    };
    return topology.backgroundLane() > 0 ? layout.withBackgroundLane(topology.backgroundLane()) : layout;
  }
}
