package dev.poolwise.lab.model;

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
 * @param sweep throughput of the scenario's query mix on 1, 2, 4… connections at once
 * @param seconds how long the calibration took
 * @param loadAverage the machine's one-minute load average when it ran (other processes share the cores)
 */
public record Calibration(Map<QueryKind, Double> serviceDemandMs, double effectiveParallelism,
    double connectionSetupMs, int connectionLimit, List<SweepPoint> sweep, double seconds, double loadAverage) {

  /** @param queriesPerS the mix's queries per second on {@code connections} connections at once */
  public record SweepPoint(int connections, double queriesPerS) {}

  public Calibration {
    serviceDemandMs = serviceDemandMs == null ? Map.of() : Map.copyOf(new EnumMap<>(serviceDemandMs));
    sweep = sweep == null ? List.of() : List.copyOf(sweep);
  }

  /** The server model these measurements describe. */
  public ServerModel serverModel() {
    return new ServerModel(serviceDemandMs, effectiveParallelism, connectionSetupMs, connectionLimit);
  }
}
