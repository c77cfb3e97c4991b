package dev.poolwise.spring.boot;

import dev.poolwise.PoolwiseDataSource;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The pool's health: DOWN when it is closed or cannot open connections, otherwise UP; the details carry
 * the counts and, when the pool's diagnosis is not HEALTHY, its verdict and holder table. Shown as
 * {@code poolwise} under {@code /actuator/health}. (Spring Boot 4 flavour; the logic is in {@code PoolHealth}.)
 */
public class PoolwiseHealthIndicator implements HealthIndicator {

  private final PoolwiseDataSource pool;

  public PoolwiseHealthIndicator(PoolwiseDataSource pool) {
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  @Override
  public Health health() {
    PoolHealth health = PoolHealth.of(pool);
    return (health.up() ? Health.up() : Health.down()).withDetails(health.details()).build();
  }
}
