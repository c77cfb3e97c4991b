package dev.poolwise.spring.boot;

import dev.poolwise.PoolwiseDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * The {@link DataSource} type Spring Boot builds when Poolwise is the pool. The starter makes it the default
 * {@code spring.datasource.type} ({@link PoolwiseDataSourceDefaults}), so Boot's own
 * {@code DataSourceAutoConfiguration} creates it with {@code DataSourceBuilder} — URL, user name, password
 * and driver class through the setters below — exactly where and when it would create HikariCP. Everything
 * Boot does around the DataSource therefore applies unchanged: it backs off for an application's own
 * DataSource bean and when {@code DataSourceAutoConfiguration} is excluded, pools the embedded database when
 * no URL is set, takes part in {@code @JdbcTest}/{@code @DataJpaTest}, runs {@code spring.sql.init}, and takes
 * the database from {@code JdbcConnectionDetails} ({@code @ServiceConnection}, Docker Compose).
 *
 * <p>As a Spring bean it starts the pool when initialised, after applying the {@code poolwise.*} properties
 * ({@link PoolwiseProperties}), {@code spring.datasource.name} as the pool name when
 * {@code poolwise.pool-name} is unset, and every {@link PoolwiseBuilderCustomizer} bean. Outside a container
 * (a copy made by {@code DataSourceBuilder.derivedFrom}) it starts with URL and credentials only, at its first
 * {@code getConnection()}, as a {@code HikariDataSource} made with its no-argument constructor does. The
 * running pool — for {@code diagnose()}, {@code snapshot()}, {@code inTransaction(...)} — is {@link #pool()},
 * or {@code unwrap(PoolwiseDataSource.class)} on the injected {@code DataSource}.
 */
public final class ConfigurablePoolwiseDataSource
    implements DataSource, AutoCloseable, EnvironmentAware, BeanFactoryAware, InitializingBean {

  /*
   * Concurrency: the setters and the Aware callbacks run on the thread that creates the bean, before the
   * pool starts; start() is synchronized and publishes the pool through a volatile field, so a getConnection()
   * racing the container's afterPropertiesSet() starts the pool once. Setting anything after the start is
   * refused rather than silently ignored. close() may run while other threads borrow: the pool's own close()
   * handles that (borrowers fail with its "pool is closed" error).
   * Failure modes: a bad URL or setting fails the start with the core's message (never the password), which
   * fails the application context at startup, naming the setting.
   */

  private String url;
  private String username;
  private String password;
  private String driverClassName;
  private Environment environment;
  private BeanFactory beanFactory;
  private volatile PoolwiseDataSource pool;
  private volatile boolean closed;

  /** The JDBC URL, or a {@code postgresql://} URL; Boot sets it from {@code spring.datasource.url} or the embedded database. */
  public void setUrl(String url) {
    requireNotStarted("url");
    this.url = url;
  }

  public String getUrl() {
    return url;
  }

  /** Overrides the URL's user name when set. */
  public void setUsername(String username) {
    requireNotStarted("username");
    this.username = username;
  }

  public String getUsername() {
    return username;
  }

  /** Overrides the URL's password when set. */
  public void setPassword(String password) {
    requireNotStarted("password");
    this.password = password;
  }

  /** For {@code DataSourceBuilder.derivedFrom} (Flyway and Liquibase with their own user); never logged. */
  public String getPassword() {
    return password;
  }

  /** Only needed for drivers that do not register themselves; Boot passes the one it derived from the URL. */
  public void setDriverClassName(String driverClassName) {
    requireNotStarted("driverClassName");
    this.driverClassName = driverClassName;
  }

  public String getDriverClassName() {
    return driverClassName;
  }

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  /** Starts the pool when the container initialises the bean, so that a bad setting fails the startup. */
  @Override
  public void afterPropertiesSet() throws SQLException {
    start();
  }

  /** The running pool, started now if it has not been yet. */
  public PoolwiseDataSource pool() throws SQLException {
    PoolwiseDataSource started = pool;
    return started != null ? started : start();
  }

  private synchronized PoolwiseDataSource start() throws SQLException {
    if (pool == null) {
      if (closed) {
        throw new SQLException("This Poolwise DataSource was closed (the application context is shutting down)",
            "08003");
      }
      pool = build();
    }
    return pool;
  }

  private PoolwiseDataSource build() throws SQLException {
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("Poolwise needs a database URL: set spring.datasource.url (a JDBC URL or a "
          + "postgresql:// URL) or DATABASE_URL, or put an embedded database (H2, HSQLDB, Derby) on the classpath");
    }
    PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder();
    try {
      builder.url(url);
    } catch (IllegalArgumentException e) {
      // The core's message names the bad part and never the password; add where the URL comes from.
      throw new IllegalArgumentException("The DataSource URL (spring.datasource.url, DATABASE_URL or the "
          + "application's JdbcConnectionDetails): " + e.getMessage(), e);
    }
    set(username, builder::username);
    set(password, builder::password);
    set(driverClassName, builder::driverClassName);
    if (environment != null) {
      String name = environment.getProperty("spring.datasource.name");
      if (name != null && !name.isBlank()) {
        builder.poolName(name);
      }
      Binder.get(environment).bindOrCreate("poolwise", PoolwiseProperties.class).applyTo(builder);
    }
    if (beanFactory != null) {
      beanFactory.getBeanProvider(PoolwiseBuilderCustomizer.class).orderedStream()
          .forEach(customizer -> customizer.customize(builder));
    }
    return builder.build();
  }

  private static void set(String value, Consumer<String> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  private void requireNotStarted(String setting) {
    if (pool != null) {
      throw new IllegalStateException("Cannot set " + setting + ": the Poolwise pool '" + pool.poolName()
          + "' has already started; configure the DataSource before its first use");
    }
  }

  /** Closes the pool (the container calls this at shutdown); later borrows fail. */
  @Override
  public synchronized void close() {
    closed = true;
    if (pool != null) {
      pool.close();
    }
  }

  /* --- DataSource: everything goes to the running pool --- */

  @Override
  public Connection getConnection() throws SQLException {
    return pool().getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return pool().getConnection(username, password);
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return pool().getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    pool().setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    pool().setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return pool().getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("Poolwise logs through SLF4J, not java.util.logging");
  }

  /** This object for its own types (so {@code DataSourceBuilder.derivedFrom} sees the setters), else the pool's answer. */
  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    return type.isInstance(this) ? type.cast(this) : pool().unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return type.isInstance(this) || pool().isWrapperFor(type);
  }

  /** The pool's own description once started (no URL credentials, no password); never the password. */
  @Override
  public String toString() {
    PoolwiseDataSource started = pool;
    return started != null ? started.toString() : "ConfigurablePoolwiseDataSource[not started]";
  }
}
