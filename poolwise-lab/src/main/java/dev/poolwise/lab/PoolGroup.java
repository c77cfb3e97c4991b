package dev.poolwise.lab;

import dev.poolwise.MultipleAcquisition;
import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.StartMode;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The pools of one topology behind one small interface, so that the scenario and its measurements are
 * identical for Poolwise and its peers (HikariCP, Agroal, …) and for one pool or seventy: the workload asks for the pool that serves a
 * request and calls {@code getConnection()} on it, nothing else.
 */
interface PoolGroup extends AutoCloseable {

  /** The pool that serves a request for API route {@code route} (0-based). */
  DataSource poolFor(int route);

  /**
   * The lane background requests borrow in ({@link Topology#BACKGROUND_LANE} on a {@code +lane:K} topology), or
   * {@code null}: they then borrow in the default lane like every other request.
   */
  default String backgroundLane() {
    return null;
  }

  /** Closes every pool (connections go back to the server). */
  @Override
  void close();

  /**
   * Connection attempts the pools' creators saw fail so far (refused with 53300 when the server was full, or timed
   * out), or null when a pool of the group does not count them (the peers).
   */
  Long connectsFailed();

  /** {@link #connectsFailed()} of {@code pools}: summed over Poolwise pools, null if any pool is another library. */
  static Long connectsFailed(List<DataSource> pools) {
    long failed = 0;
    for (DataSource pool : pools) {
      if (!(pool instanceof PoolwiseDataSource poolwise)) {
        return null;
      }
      failed += poolwise.snapshot().creationFailures();
    }
    return failed;
  }

  /** How the pools connect: URL without credentials, credentials, and driver properties. */
  record Connect(String jdbcUrl, String username, String password, Map<String, String> driverProperties) {
    @Override
    public String toString() {
      return "Connect[" + jdbcUrl + ", user=" + username + ", password=<hidden>]";
    }
  }

  /**
   * How one pool is configured, whatever its library.
   *
   * @param backgroundLane connections the {@link Topology#BACKGROUND_LANE} lane may hold, 0 for no lane (Poolwise
   *     only)
   */
  record PoolSpec(String name, int maxSize, int minIdle, Duration acquireTimeout, boolean lazy,
      MultipleAcquisition multipleAcquisition, int backgroundLane) {}

  /** The warm-up pool's name ({@link #warmUp}). */
  String WARM_UP_POOL = "lab-warm-up";

  /** Builds the pools of {@code topology} (already sized: {@code single:auto} must have been decided). */
  static PoolGroup open(Topology topology, Connect connect, Duration acquireTimeout,
      MultipleAcquisition multipleAcquisition) throws SQLException {
    if (topology.size() < 1) {
      throw new IllegalStateException("topology " + topology + " has no size yet");
    }
    String lane = topology.backgroundLane() > 0 ? Topology.BACKGROUND_LANE : null;
    return switch (topology.kind()) {
      case SINGLE -> new RoundRobin(List.of(poolwise(connect, new PoolSpec("lab-single", topology.size(),
          topology.size(), acquireTimeout, false, multipleAcquisition, topology.backgroundLane()))), lane);
      case HIKARI, AGROAL, VIBUR, DBCP2, TOMCAT -> new RoundRobin(List.of(topology.kind().peer.open(connect,
          new PoolSpec("lab-" + topology.kind().peer.key, topology.size(), topology.size(), acquireTimeout, false,
              multipleAcquisition, 0))), null);
      case PARTITIONED -> new RoundRobin(poolwisePools(topology, connect, "lab-partition-", topology.size(),
          acquireTimeout, false, multipleAcquisition), lane);
      // The seed's client instances: each created on first use, growing from nothing.
      case PER_MODULE -> new ByRoute(poolwisePools(topology, connect, "lab-module-", 0, acquireTimeout, true,
          multipleAcquisition));
      case PGBOUNCER -> new ByRoute(poolwisePools(topology, connect, "lab-bounced-", 0, acquireTimeout, true,
          multipleAcquisition));
      case REPLICAS -> throw new IllegalStateException(topology + " runs in replica JVMs (Replicas), not in this one");
    };
  }

  /**
   * The pool the run's warm-up runs the scenario on before the calibration: one Poolwise pool of {@code size}, named
   * {@code lab-warm-up} so that its borrows in a {@code run --jfr} recording are not taken for a measured row's.
   */
  static PoolGroup warmUp(int size, Connect connect, Duration acquireTimeout, MultipleAcquisition multipleAcquisition)
      throws SQLException {
    return new RoundRobin(List.of(poolwise(connect, new PoolSpec(WARM_UP_POOL, size, size, acquireTimeout, false,
        multipleAcquisition, 0))), null);
  }

  private static List<DataSource> poolwisePools(Topology topology, Connect connect, String prefix, int minIdle,
      Duration acquireTimeout, boolean lazy, MultipleAcquisition multipleAcquisition) throws SQLException {
    List<DataSource> pools = new ArrayList<>();
    try {
      for (int i = 0; i < topology.pools(); i++) {
        pools.add(poolwise(connect, new PoolSpec(prefix + (i + 1), topology.size(), minIdle, acquireTimeout, lazy,
            multipleAcquisition, topology.backgroundLane())));
      }
      return pools;
    } catch (SQLException | RuntimeException e) {
      closeAll(pools);
      throw e;
    }
  }

  private static DataSource poolwise(Connect connect, PoolSpec spec) throws SQLException {
    PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder()
        .url(connect.jdbcUrl())
        .username(connect.username())
        .password(connect.password())
        .poolName(spec.name())
        .maxSize(spec.maxSize())
        .minIdle(spec.minIdle())
        .acquireTimeout(spec.acquireTimeout())
        .startMode(spec.lazy() ? StartMode.LAZY : StartMode.BACKGROUND)
        .multipleAcquisition(spec.multipleAcquisition())
        .driverProperty("ApplicationName", LabDatabase.APPLICATION_NAME);
    connect.driverProperties().forEach(builder::driverProperty);
    if (spec.backgroundLane() > 0) {
      builder.lane(Topology.BACKGROUND_LANE, spec.backgroundLane());
    }
    return builder.build();
  }

  static void closeAll(List<DataSource> pools) {
    RuntimeException failure = null;
    for (DataSource pool : pools) {
      try {
        if (pool instanceof AutoCloseable closeable) {
          closeable.close();
        }
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("could not close pool " + pool, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Requests spread over the pools in turn, whatever their route (one pool: always that one); background
   * requests borrow in {@code backgroundLane} when it is not null.
   */
  final class RoundRobin implements PoolGroup {
    private final List<DataSource> pools;
    private final String backgroundLane;
    private final AtomicLong next = new AtomicLong();

    RoundRobin(List<DataSource> pools, String backgroundLane) {
      this.pools = List.copyOf(pools);
      this.backgroundLane = backgroundLane;
    }

    @Override
    public DataSource poolFor(int route) {
      return pools.size() == 1 ? pools.get(0) : pools.get((int) (next.getAndIncrement() % pools.size()));
    }

    @Override
    public String backgroundLane() {
      return backgroundLane;
    }

    @Override
    public void close() {
      closeAll(pools);
    }

    @Override
    public Long connectsFailed() {
      return PoolGroup.connectsFailed(pools);
    }
  }

  /** Each route bound to one pool: route index mod the number of pools. */
  final class ByRoute implements PoolGroup {
    private final List<DataSource> pools;

    ByRoute(List<DataSource> pools) {
      this.pools = List.copyOf(pools);
    }

    @Override
    public DataSource poolFor(int route) {
      return pools.get(route % pools.size());
    }

    @Override
    public void close() {
      closeAll(pools);
    }

    @Override
    public Long connectsFailed() {
      return PoolGroup.connectsFailed(pools);
    }
  }
}
