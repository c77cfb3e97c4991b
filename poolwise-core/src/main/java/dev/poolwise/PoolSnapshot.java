package dev.poolwise;

import java.time.Instant;

/**
 * The pool's counts at one instant. Taken under the pool's lock, so the counts are consistent with
 * each other: {@code active + idle == total} and {@code total <= maxSize} always hold.
 *
 * @param poolName the pool's name
 * @param takenAt when this snapshot was taken
 * @param maxSize the configured maximum
 * @param minIdle the configured minimum of idle connections
 * @param total physical connections open now (active + idle)
 * @param active connections borrowed by the application
 * @param idle connections ready to be borrowed
 * @param waiting threads waiting for a connection
 * @param pendingCreations physical connects in flight
 */
public record PoolSnapshot(
    String poolName,
    Instant takenAt,
    int maxSize,
    int minIdle,
    int total,
    int active,
    int idle,
    int waiting,
    int pendingCreations) {

  @Override
  public String toString() {
    return "pool '" + poolName + "': max " + maxSize + ", total " + total + ", active " + active + ", idle " + idle
        + ", waiting " + waiting + (pendingCreations > 0 ? ", connecting " + pendingCreations : "");
  }
}
