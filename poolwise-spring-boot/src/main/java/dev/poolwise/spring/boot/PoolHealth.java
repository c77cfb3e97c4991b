package dev.poolwise.spring.boot;

import dev.poolwise.Diagnosis;
import dev.poolwise.PoolSnapshot;
import dev.poolwise.PoolwiseDataSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the health indicator reports, independent of the Spring Boot version's health API (which moved
 * package in Boot 4): whether the pool is up, and the details.
 *
 * <p>Only a closed pool and a pool that cannot open connections ({@link Diagnosis.Cause#CREATION_FAILING})
 * are DOWN. A saturated pool (slow SQL, connections held idle, too small for the load) stays UP with the
 * verdict in the details: restarting the instance or taking it out of a load balancer does not fix any of
 * those, and moves its load onto the remaining instances exactly when load is high.
 *
 * @param up whether the status is UP
 * @param details the pool's counts; {@code cause}; and when not healthy the {@code verdict} and {@code holders}
 */
record PoolHealth(boolean up, Map<String, Object> details) {

  static PoolHealth of(PoolwiseDataSource pool) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pool", pool.poolName());
    if (pool.isClosed()) {
      details.put("cause", "CLOSED");
      details.put("verdict", "The pool is closed.");
      return new PoolHealth(false, details);
    }
    Diagnosis diagnosis = pool.diagnose();
    PoolSnapshot snapshot = diagnosis.snapshot();
    details.put("cause", diagnosis.cause().name());
    if (diagnosis.cause() != Diagnosis.Cause.HEALTHY) {
      details.put("verdict", diagnosis.verdict());
      if (!diagnosis.holderTable().isEmpty()) {
        details.put("holders", List.of(diagnosis.holderTable().split("\n")));
      }
    }
    details.put("maxSize", snapshot.maxSize());
    details.put("total", snapshot.total());
    details.put("active", snapshot.active());
    details.put("idle", snapshot.idle());
    details.put("waiting", snapshot.waiting());
    details.put("connecting", snapshot.pendingCreations());
    details.put("acquisitions", snapshot.acquisitions());
    details.put("timeouts", snapshot.timeouts());
    details.put("waitP99Millis", snapshot.waitTimes().p99().toMillis());
    details.put("holdP99Millis", snapshot.holdTimes().p99().toMillis());
    return new PoolHealth(diagnosis.cause() != Diagnosis.Cause.CREATION_FAILING, details);
  }
}
