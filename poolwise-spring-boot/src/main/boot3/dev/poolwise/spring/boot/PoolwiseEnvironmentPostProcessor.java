package dev.poolwise.spring.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Adds {@link PoolwiseDataSourceDefaults} to every Spring Boot application's environment (registered in
 * {@code META-INF/spring.factories}), so that Boot's own DataSource auto-configuration builds a Poolwise
 * pool. (Spring Boot 3 flavour: the interface is {@code org.springframework.boot.env.EnvironmentPostProcessor} there.)
 */
public class PoolwiseEnvironmentPostProcessor implements EnvironmentPostProcessor {

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    PoolwiseDataSourceDefaults.addTo(environment);
  }
}
