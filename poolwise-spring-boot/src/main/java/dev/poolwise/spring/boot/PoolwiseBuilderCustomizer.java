package dev.poolwise.spring.boot;

import dev.poolwise.PoolwiseDataSource;

/**
 * A bean of this type gets the auto-configured pool's builder after the properties have been applied
 * and before the pool is built: for what properties cannot express, such as a
 * {@link PoolwiseDataSource.Builder#credentials credentials supplier} for rotated passwords.
 */
@FunctionalInterface
public interface PoolwiseBuilderCustomizer {

  void customize(PoolwiseDataSource.Builder builder);
}
