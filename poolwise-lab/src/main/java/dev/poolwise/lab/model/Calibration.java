package dev.poolwise.lab.model;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The server's parameters as measured before a run ({@code results.json}'s top-level {@code "calibration"}): every
 * number the model predicts from, and how it was obtained.
 *
 * @param serviceDemandMs each query kind's mean time when it runs alone on one connection (the slow report without
 *     its sleep), ms
 * @param effectiveParallelism how many queries the server (and, on a shared machine, the client beside it) runs at
 *     full speed at once: the sweep's best throughput over its throughput on one connection
 * @param connectionSetupMs the median time to open one connection, ms
 * @param connectionLimit connections the workload's role may open ({@code max_connections} minus reserved slots
 *     minus other sessions)
 * @param sweep throughput of the scenario's query mix on 1, 2, 4… connections at once: the model's capacity curve
 * @param seconds how long the calibration took
 * @param loadAverage the machine's one-minute load average when it ran (other processes share the cores)
 * @param clientCpuMs each query kind's client part: the calling thread's CPU time per query while the demand was
 *     measured (the driver sending it and reading its rows), ms; empty in results written before it was measured
 * @param clientThreads the threads the client runs its queries' client parts on at once: the lab's processors,
 *     which is the number of carrier threads its virtual threads run on
 * @param pgbouncerHopMs what passing through PgBouncer added to a short query, ms (a query through a PgBouncer
 *     started for the calibration, against the same query direct); 0 when no row needed PgBouncer
 */
public record Calibration(Map<QueryKind, Double> serviceDemandMs, double effectiveParallelism,
    double connectionSetupMs, int connectionLimit, List<SweepPoint> sweep, double seconds, double loadAverage,
    Map<QueryKind, Double> clientCpuMs, int clientThreads, double pgbouncerHopMs) {

  /** A calibration without the client's part (as written before it was measured). */
  public Calibration(Map<QueryKind, Double> serviceDemandMs, double effectiveParallelism, double connectionSetupMs,
      int connectionLimit, List<SweepPoint> sweep, double seconds, double loadAverage) {
    this(serviceDemandMs, effectiveParallelism, connectionSetupMs, connectionLimit, sweep, seconds, loadAverage,
        Map.of(), 0, 0);
  }

  /** The same calibration with PgBouncer's hop measured. */
  public Calibration withPgbouncerHop(double hopMs) {
    return new Calibration(serviceDemandMs, effectiveParallelism, connectionSetupMs, connectionLimit, sweep, seconds,
        loadAverage, clientCpuMs, clientThreads, Calibrator.round(Math.max(0, hopMs)));
  }

  /**
   * @param queriesPerS the mix's queries per second on {@code connections} connections at once
   * @param effectiveCores the work done per unit of time on them: the sum of the finished queries' service demands
   *     (each kind's time alone) over the elapsed time; 1 is one connection's speed alone. Counting work, not
   *     queries, keeps a slow report more or less in a short window from moving the figure. 0 in results written
   *     before it was measured
   * @param meanMs each kind's mean latency at this level, ms (the kinds that ran)
   * @param counts how many queries of each kind ran at this level
   */
  public record SweepPoint(int connections, double queriesPerS, double effectiveCores, Map<QueryKind, Double> meanMs,
      Map<QueryKind, Long> counts) {

    public SweepPoint {
      meanMs = meanMs == null || meanMs.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(meanMs));
      counts = counts == null || counts.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(counts));
    }

    /** A point measured before the sweep counted work (its effective cores unknown). */
    public SweepPoint(int connections, double queriesPerS) {
      this(connections, queriesPerS, 0, Map.of(), Map.of());
    }
  }

  /** Sweep levels from this many connections on say how the server shares its cores among kinds. */
  static final int CONTENDED_LEVEL = 4;

  public Calibration {
    serviceDemandMs = serviceDemandMs == null ? Map.of() : Map.copyOf(new EnumMap<>(serviceDemandMs));
    sweep = sweep == null ? List.of() : List.copyOf(sweep);
    clientCpuMs = clientCpuMs == null || clientCpuMs.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(clientCpuMs));
  }

  /**
   * How much of the speed the sweep loses beyond its best level the model takes: half. A sweep level keeps every one
   * of its connections busy back to back, one client thread each, so at 16 and 32 connections it shows the worst
   * the machine does (and the measure is the noisiest: the level's work hangs on a handful of slow reports). Taken
   * whole, the model predicted a median 25 % fewer pages/s than 56 measured rows served (2026-12-02, docs/model.md),
   * every row with 20 or more connections below; taken at half, the median error was +1 %. Fitted on those rows,
   * then checked on runs it had not seen (docs/model.md).
   */
  static final double SPEED_LOSS_TAKEN = 0.5;

  /**
   * The server model these measurements describe: the sweep's effective cores at each concurrency when it counted
   * work (beyond the best level, the best minus {@link #SPEED_LOSS_TAKEN} of what the level lost against it), else
   * the best effective parallelism at every concurrency; the queries' client parts on the client's threads when
   * they were measured.
   */
  public ServerModel serverModel() {
    List<ServerModel.CoresAt> capacity = new ArrayList<>();
    double best = 0;
    for (SweepPoint point : sweep) {
      if (!(point.effectiveCores() > 0)) {
        capacity.clear();
        break;
      }
      double cores = point.effectiveCores();
      if (cores < best) {
        cores = best - SPEED_LOSS_TAKEN * (best - cores);
      }
      best = Math.max(best, point.effectiveCores());
      capacity.add(new ServerModel.CoresAt(point.connections(), cores));
    }
    boolean client = !clientCpuMs.isEmpty() && clientThreads > 0;
    return new ServerModel(serviceDemandMs, effectiveParallelism, connectionSetupMs, connectionLimit, capacity,
        client ? clientCpuMs : Map.of(), client ? clientThreads : 0, shares(), Math.max(0, pgbouncerHopMs));
  }

  /**
   * Each kind's share of the cores relative to the kind that got the most, from the contended sweep levels: a
   * kind's speed is its demand alone over its mean latency there (pooled over the levels, weighted by count).
   * Kinds that never ran there take the share of the kind whose demand is closest. Empty without latencies.
   */
  Map<QueryKind, Double> shares() {
    Map<QueryKind, Double> speed = new EnumMap<>(QueryKind.class);
    for (QueryKind kind : QueryKind.values()) {
      Double demand = serviceDemandMs.get(kind);
      double work = 0;
      double latency = 0;
      for (SweepPoint point : sweep) {
        Long count = point.counts().get(kind);
        Double mean = point.meanMs().get(kind);
        if (point.connections() >= CONTENDED_LEVEL && count != null && mean != null && demand != null) {
          work += count * demand;
          latency += count * mean;
        }
      }
      if (work > 0 && latency > 0) {
        speed.put(kind, work / latency);
      }
    }
    if (speed.isEmpty()) {
      return Map.of();
    }
    double fastest = speed.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
    Map<QueryKind, Double> shares = new EnumMap<>(QueryKind.class);
    for (QueryKind kind : QueryKind.values()) {
      QueryKind measured = speed.containsKey(kind) ? kind : closestMeasured(kind, speed);
      shares.put(kind, Calibrator.round(Math.max(1e-3, speed.get(measured) / fastest)));
    }
    return shares;
  }

  private QueryKind closestMeasured(QueryKind kind, Map<QueryKind, Double> speed) {
    double demand = serviceDemandMs.getOrDefault(kind, 0.0);
    QueryKind closest = null;
    for (QueryKind candidate : speed.keySet()) {
      if (closest == null || Math.abs(serviceDemandMs.getOrDefault(candidate, 0.0) - demand)
          < Math.abs(serviceDemandMs.getOrDefault(closest, 0.0) - demand)) {
        closest = candidate;
      }
    }
    return closest;
  }
}
