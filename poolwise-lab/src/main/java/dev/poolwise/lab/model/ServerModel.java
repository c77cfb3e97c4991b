package dev.poolwise.lab.model;

import java.util.EnumMap;
import java.util.Map;

/**
 * The database server as the simulator sees it, every number from a {@link Calibration}: each query kind's service
 * demand (ms of work when it runs alone), the effective cores running queries share, what opening a connection
 * costs, and how many connections the workload's role may hold before PostgreSQL refuses with 53300.
 *
 * @param demandMs per query kind, ms when alone (every kind must be present)
 * @param effectiveCores how many queries run at full speed at once; more share them (processor sharing)
 * @param connectionSetupMs work to open one connection (fork, authentication, first round trips)
 * @param connectionLimit connections the workload may open: {@code max_connections} minus reserved slots minus
 *     other clients' sessions; a connection beyond it is refused (53300). {@link Integer#MAX_VALUE}: no limit
 */
public record ServerModel(Map<QueryKind, Double> demandMs, double effectiveCores, double connectionSetupMs,
    int connectionLimit) {

  public ServerModel {
    EnumMap<QueryKind, Double> copy = new EnumMap<>(QueryKind.class);
    copy.putAll(demandMs);
    for (QueryKind kind : QueryKind.values()) {
      Double value = copy.get(kind);
      if (value == null || !(value >= 0)) {
        throw new IllegalArgumentException("the server model needs a service demand >= 0 ms for " + kind
            + ", got " + value);
      }
    }
    if (!(effectiveCores > 0)) {
      throw new IllegalArgumentException("effective cores must be > 0, got " + effectiveCores);
    }
    demandMs = Map.copyOf(copy);
  }

  /** Every kind with the same demand: for tests and analytic checks. */
  public static ServerModel uniform(double demandMs, double effectiveCores, double connectionSetupMs,
      int connectionLimit) {
    EnumMap<QueryKind, Double> demands = new EnumMap<>(QueryKind.class);
    for (QueryKind kind : QueryKind.values()) {
      demands.put(kind, demandMs);
    }
    return new ServerModel(demands, effectiveCores, connectionSetupMs, connectionLimit);
  }

  /** The same server with room for {@code limit} connections of the workload. */
  public ServerModel withConnectionLimit(int limit) {
    return new ServerModel(demandMs, effectiveCores, connectionSetupMs, limit);
  }

  double demand(QueryKind kind) {
    return demandMs.get(kind);
  }
}
