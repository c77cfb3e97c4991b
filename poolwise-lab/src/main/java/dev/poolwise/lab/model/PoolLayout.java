package dev.poolwise.lab.model;

/**
 * The pools of one lab topology as the simulator builds them.
 *
 * @param library whose pool semantics apply (HikariCP: Poolwise's without the pool-locking guard)
 * @param pools how many client pools
 * @param size each pool's maximum
 * @param minIdle connections each pool opens at start and keeps (the size for single, partitioned and hikari; 0 for
 *     the lazily-growing per-module and PgBouncer client pools)
 * @param routing how a request picks its pool
 * @param backgroundLane each pool's lane for background requests, 0 for none
 * @param bouncerServerPool PgBouncer's server pool (transaction mode) between the pools and the server, 0 for none
 */
public record PoolLayout(Library library, int pools, int size, int minIdle, Routing routing, int backgroundLane,
    int bouncerServerPool) {

  public enum Library { POOLWISE, HIKARI }

  public enum Routing {
    /** Requests take the pools in turn, whatever their route. */
    ROUND_ROBIN,
    /** Route index mod the number of pools picks the pool. */
    BY_ROUTE,
    /**
     * Each user is bound to one pool (user index mod the number of pools): K replicas of a service, each with its
     * own pool and 1/K of the users, every request of a user's page going to that user's replica.
     */
    BY_USER
  }

  public PoolLayout {
    if (pools < 1 || size < 1 || minIdle < 0 || minIdle > size || backgroundLane < 0 || backgroundLane > size
        || bouncerServerPool < 0) {
      throw new IllegalArgumentException("not a pool layout: " + pools + " pools of " + size + ", minIdle " + minIdle
          + ", lane " + backgroundLane + ", PgBouncer server pool " + bouncerServerPool);
    }
  }

  public static PoolLayout single(int size) {
    return new PoolLayout(Library.POOLWISE, 1, size, size, Routing.ROUND_ROBIN, 0, 0);
  }

  public static PoolLayout hikari(int size) {
    return new PoolLayout(Library.HIKARI, 1, size, size, Routing.ROUND_ROBIN, 0, 0);
  }

  public static PoolLayout partitioned(int pools, int size) {
    return new PoolLayout(Library.POOLWISE, pools, size, size, Routing.ROUND_ROBIN, 0, 0);
  }

  public static PoolLayout perModule(int pools, int size) {
    return new PoolLayout(Library.POOLWISE, pools, size, 0, Routing.BY_ROUTE, 0, 0);
  }

  public static PoolLayout pgbouncer(int pools, int size, int serverPool) {
    return new PoolLayout(Library.POOLWISE, pools, size, 0, Routing.BY_ROUTE, 0, serverPool);
  }

  /** K replicas, each with one pool of {@code size} filled at start and 1/K of the users. */
  public static PoolLayout replicas(int pools, int size) {
    return new PoolLayout(Library.POOLWISE, pools, size, size, Routing.BY_USER, 0, 0);
  }

  /** K replicas, each with one pool of {@code size}, behind PgBouncer keeping {@code serverPool} server connections. */
  public static PoolLayout replicasBehindPgBouncer(int pools, int size, int serverPool) {
    return new PoolLayout(Library.POOLWISE, pools, size, size, Routing.BY_USER, 0, serverPool);
  }

  public PoolLayout withBackgroundLane(int lane) {
    return new PoolLayout(library, pools, size, minIdle, routing, lane, bouncerServerPool);
  }

  public PoolLayout withSize(int newSize) {
    return new PoolLayout(library, pools, newSize, minIdle == size ? newSize : Math.min(minIdle, newSize), routing,
        Math.min(backgroundLane, newSize), bouncerServerPool);
  }
}
