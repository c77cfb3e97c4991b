package dev.poolwise.lab.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The database server as the simulator sees it, every number from a {@link Calibration}: each query kind's service
 * demand (ms of work when it runs alone), the effective cores running queries share, what opening a connection
 * costs, and how many connections the workload's role may hold before PostgreSQL refuses with 53300.
 *
 * @param demandMs per query kind, ms when alone (every kind must be present)
 * @param effectiveCores how many queries run at full speed at once; more share them (processor sharing). The most
 *     the server gives at any concurrency, and what it gives at every concurrency when {@code capacity} is empty
 * @param connectionSetupMs work to open one connection (fork, authentication, first round trips)
 * @param connectionLimit connections the workload may open: {@code max_connections} minus reserved slots minus
 *     other clients' sessions; a connection beyond it is refused (53300). {@link Integer#MAX_VALUE}: no limit
 * @param capacity the effective cores measured at a few numbers of queries running at once (the calibration's
 *     sweep), ascending: a real server gives less than its cores when many queries compete (context switches,
 *     the client's own threads on the same cores, lock contention), and this is where the model learns how much
 *     less. Between two points the cores are interpolated linearly, beyond the last one they stay at its value.
 *     Empty: {@code effectiveCores} at every concurrency
 * @param clientCpuMs per query kind, the part of {@code demandMs} the client spends on its own thread (the driver
 *     sending the query and reading the rows), measured as the calling thread's CPU time; the rest is the server's.
 *     Empty: the client is not modelled apart (the whole demand is the server's)
 * @param clientThreads how many threads the client runs queries' client parts on at once (the lab's carrier threads
 *     for its virtual threads: its processors); ignored without {@code clientCpuMs}
 * @param shares per query kind, its share of the cores relative to a kind of share 1 while they run together
 *     (discriminatory processor sharing), in (0, 1]; a kind missing (or an empty map) has share 1
 * @param pgbouncerHopMs what passing through PgBouncer adds to each query, ms: work on PgBouncer's one thread,
 *     sharing the cores (0: not measured, PgBouncer costs nothing but its server pool)
 */
public record ServerModel(Map<QueryKind, Double> demandMs, double effectiveCores, double connectionSetupMs,
    int connectionLimit, List<CoresAt> capacity, Map<QueryKind, Double> clientCpuMs, int clientThreads,
    Map<QueryKind, Double> shares, double pgbouncerHopMs) {

  /** The server ran {@code running} queries at once at the speed of {@code cores} queries alone. */
  public record CoresAt(int running, double cores) {}

  /** A server with the same effective cores at every concurrency. */
  public ServerModel(Map<QueryKind, Double> demandMs, double effectiveCores, double connectionSetupMs,
      int connectionLimit) {
    this(demandMs, effectiveCores, connectionSetupMs, connectionLimit, List.of(), Map.of(), 0, Map.of(), 0);
  }

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
    List<CoresAt> points = new ArrayList<>(capacity == null ? List.of() : capacity);
    for (CoresAt point : points) {
      if (point.running() < 1 || !(point.cores() > 0)) {
        throw new IllegalArgumentException("a capacity point needs >= 1 query running and cores > 0, got " + point);
      }
    }
    points.sort(Comparator.comparingInt(CoresAt::running));
    capacity = List.copyOf(points);
    EnumMap<QueryKind, Double> client = new EnumMap<>(QueryKind.class);
    if (clientCpuMs != null && !clientCpuMs.isEmpty()) {
      for (QueryKind kind : QueryKind.values()) {
        Double value = clientCpuMs.get(kind);
        client.put(kind, value == null || !(value >= 0) ? 0.0 : Math.min(value, demandMs.get(kind)));
      }
      if (clientThreads < 1) {
        throw new IllegalArgumentException("a client part needs at least one client thread, got " + clientThreads);
      }
    }
    clientCpuMs = Map.copyOf(client);
    EnumMap<QueryKind, Double> weights = new EnumMap<>(QueryKind.class);
    if (shares != null) {
      shares.forEach((kind, share) -> {
        if (!(share > 0 && share <= 1)) {
          throw new IllegalArgumentException("a query kind's share must be in (0, 1], got " + share + " for " + kind);
        }
        weights.put(kind, share);
      });
    }
    shares = Map.copyOf(weights);
    if (!(pgbouncerHopMs >= 0)) {
      throw new IllegalArgumentException("PgBouncer's hop must be >= 0 ms, got " + pgbouncerHopMs);
    }
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
    return new ServerModel(demandMs, effectiveCores, connectionSetupMs, limit, capacity, clientCpuMs,
        clientThreads, shares, pgbouncerHopMs);
  }

  /** The same server whose queries' client parts run on {@code threads} client threads at once. */
  public ServerModel withClientThreads(int threads) {
    return new ServerModel(demandMs, effectiveCores, connectionSetupMs, connectionLimit, capacity, clientCpuMs,
        threads, shares, pgbouncerHopMs);
  }

  /** Whether queries have a client part that queues for the client's threads. */
  boolean modelsClient() {
    return !clientCpuMs.isEmpty();
  }

  /** The client's part of a query of this kind, ms of work on a client thread (0 when not modelled). */
  double clientDemand(QueryKind kind) {
    return clientCpuMs.getOrDefault(kind, 0.0);
  }

  /**
   * The effective cores {@code running} queries share: never more than {@code running} (a query runs on one core at
   * most) nor than the measured capacity at that concurrency.
   */
  double coresFor(int running) {
    if (running <= 0) {
      return 1;
    }
    if (capacity.isEmpty()) {
      return Math.min(running, effectiveCores);
    }
    CoresAt below = capacity.get(0);
    if (running <= below.running()) {
      return Math.min(running, below.cores());
    }
    for (CoresAt above : capacity) {
      if (running <= above.running()) {
        double t = (running - below.running()) / (double) (above.running() - below.running());
        return Math.min(running, below.cores() + t * (above.cores() - below.cores()));
      }
      below = above;
    }
    return Math.min(running, below.cores());
  }

  /** The whole demand of a query of this kind alone, ms (client part included). */
  double demand(QueryKind kind) {
    return demandMs.get(kind);
  }

  /** A query kind's share of the cores while it runs (1 unless measured lower). */
  double share(QueryKind kind) {
    return shares.getOrDefault(kind, 1.0);
  }

  /** The server's part: the demand without the client's. */
  double serverDemand(QueryKind kind) {
    return Math.max(0, demand(kind) - clientDemand(kind));
  }
}
