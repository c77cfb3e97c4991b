package dev.poolwise.lab;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.commons.dbcp2.PoolableConnection;
import org.apache.commons.dbcp2.PoolableConnectionFactory;
import org.apache.commons.pool2.impl.AbandonedConfig;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.apache.tomcat.jdbc.pool.PoolProperties;
import org.vibur.dbcp.ViburDBCPDataSource;

/**
 * The other JDBC pools Poolwise is measured against, each configured the same way: the same size, every connection
 * opened up front when the spec asks for it ({@code minIdle}), the same acquire timeout, no validation on every borrow
 * (each library's own idle-time check stays as it ships), and its fair mode where it has one ({@link #fairness}
 * says which). Used by {@code ./poolwise bench --peers} and by the lab's peer topologies ({@code agroal:20}, …).
 *
 * <p>Every pool returned by {@link #open} is {@link AutoCloseable}; closing it closes its connections.
 */
enum PeerPool {

  HIKARI("hikari", "HikariCP", "com.zaxxer", "HikariCP", HikariDataSource.class,
      "no fair mode (a returned connection goes to a waiter through a hand-off queue, but a thread that asks at that"
          + " moment can take it first from its thread-local list)") {
    @Override
    DataSource open(PoolGroup.Connect connect, PoolGroup.PoolSpec spec) {
      HikariConfig config = new HikariConfig();
      config.setPoolName(spec.name());
      config.setJdbcUrl(connect.jdbcUrl());
      config.setUsername(connect.username());
      config.setPassword(connect.password());
      config.setMaximumPoolSize(spec.maxSize());
      config.setMinimumIdle(spec.minIdle());
      config.setConnectionTimeout(Math.max(250, spec.acquireTimeout().toMillis()));
      // Like Poolwise's BACKGROUND start: the pool is built without waiting for a first connection.
      config.setInitializationFailTimeout(-1);
      config.addDataSourceProperty("ApplicationName", LabDatabase.APPLICATION_NAME);
      connect.driverProperties().forEach(config::addDataSourceProperty);
      return new HikariDataSource(config);
    }
  },

  AGROAL("agroal", "Agroal", "io.agroal", "agroal-pool", AgroalDataSource.class,
      "no fair mode (waiters park on its own synchronizer; a connection returned while a thread is asking can go to"
          + " that thread)") {
    @Override
    DataSource open(PoolGroup.Connect connect, PoolGroup.PoolSpec spec) throws SQLException {
      AgroalDataSourceConfigurationSupplier configuration = new AgroalDataSourceConfigurationSupplier()
          .connectionPoolConfiguration(pool -> pool
              .maxSize(spec.maxSize())
              .minSize(spec.minIdle())
              .initialSize(spec.minIdle())
              .acquisitionTimeout(spec.acquireTimeout())
              .connectionFactoryConfiguration(factory -> {
                factory.jdbcUrl(connect.jdbcUrl())
                    .principal(new NamePrincipal(connect.username()))
                    .credential(new SimplePassword(connect.password()))
                    .jdbcProperty("ApplicationName", LabDatabase.APPLICATION_NAME);
                connect.driverProperties().forEach(factory::jdbcProperty);
                return factory;
              }));
      return AgroalDataSource.from(configuration);
    }
  },

  VIBUR("vibur", "Vibur DBCP", "org.vibur", "vibur-dbcp", ViburDBCPDataSource.class,
      "poolFair=true, its default (a fair Semaphore in front of the idle connections)") {
    @Override
    DataSource open(PoolGroup.Connect connect, PoolGroup.PoolSpec spec) {
      ViburDBCPDataSource pool = new ViburDBCPDataSource();
      pool.setName(spec.name());
      pool.setJdbcUrl(connect.jdbcUrl());
      pool.setUsername(connect.username());
      pool.setPassword(connect.password());
      pool.setDriverProperties(driverProperties(connect));
      pool.setPoolInitialSize(spec.minIdle());
      pool.setPoolMaxSize(spec.maxSize());
      pool.setPoolFair(true);
      pool.setConnectionTimeoutInMs(spec.acquireTimeout().toMillis());
      pool.start();
      return pool;
    }
  },

  DBCP2("dbcp2", "Apache Commons DBCP2", "org.apache.commons", "commons-dbcp2", BasicDataSource.class,
      "commons-pool2 fairness=true (BasicDataSource has no setter: set where it builds its object pool); testOnBorrow"
          + " off (its default is a validation round trip on every borrow)") {
    @Override
    DataSource open(PoolGroup.Connect connect, PoolGroup.PoolSpec spec) throws SQLException {
      BasicDataSource pool = new FairBasicDataSource();
      pool.setUrl(connect.jdbcUrl());
      pool.setUsername(connect.username());
      pool.setPassword(connect.password());
      pool.addConnectionProperty("ApplicationName", LabDatabase.APPLICATION_NAME);
      connect.driverProperties().forEach(pool::addConnectionProperty);
      pool.setMaxTotal(spec.maxSize());
      pool.setMaxIdle(spec.maxSize());
      pool.setMinIdle(spec.minIdle());
      pool.setInitialSize(spec.minIdle());
      pool.setMaxWait(spec.acquireTimeout());
      pool.setTestOnBorrow(false);
      pool.start();
      return pool;
    }
  },

  TOMCAT("tomcat", "Tomcat JDBC", "org.apache.tomcat", "tomcat-jdbc", org.apache.tomcat.jdbc.pool.DataSource.class,
      "fairQueue=true, its default (waiters are served in arrival order)") {
    @Override
    DataSource open(PoolGroup.Connect connect, PoolGroup.PoolSpec spec) throws SQLException {
      PoolProperties properties = new PoolProperties();
      properties.setName(spec.name());
      properties.setUrl(connect.jdbcUrl());
      properties.setDriverClassName("org.postgresql.Driver");
      properties.setUsername(connect.username());
      properties.setPassword(connect.password());
      properties.setDbProperties(driverProperties(connect));
      properties.setMaxActive(spec.maxSize());
      properties.setMaxIdle(spec.maxSize());
      properties.setMinIdle(spec.minIdle());
      properties.setInitialSize(spec.minIdle());
      properties.setMaxWait((int) Math.min(Integer.MAX_VALUE, spec.acquireTimeout().toMillis()));
      properties.setFairQueue(true);
      properties.setTestOnBorrow(false);
      properties.setJmxEnabled(false);
      ClosingTomcatDataSource pool = new ClosingTomcatDataSource(properties);
      pool.createPool();
      return pool;
    }
  };

  /** How the peer is named on the command line, in tables and in bench.json ({@code agroal}). */
  final String key;
  /** Its product name ({@code Apache Commons DBCP2}). */
  final String title;
  /** Its fair mode, or that it has none, and any setting that differs from its defaults to make it comparable. */
  final String fairness;
  private final String mavenGroup;
  private final String mavenArtifact;
  private final Class<?> anyClass;

  PeerPool(String key, String title, String mavenGroup, String mavenArtifact, Class<?> anyClass, String fairness) {
    this.key = key;
    this.title = title;
    this.mavenGroup = mavenGroup;
    this.mavenArtifact = mavenArtifact;
    this.anyClass = anyClass;
    this.fairness = fairness;
  }

  /**
   * Opens one pool of this library. The result is always {@link AutoCloseable}.
   *
   * @throws SQLException when the library could not open its initial connections
   */
  abstract DataSource open(PoolGroup.Connect connect, PoolGroup.PoolSpec spec) throws SQLException;

  /** The library's version from its jar's Maven metadata, or {@code unknown}. */
  String version() {
    return libraryVersion(mavenGroup, mavenArtifact, anyClass);
  }

  /** Every key, for messages: {@code hikari, agroal, vibur, dbcp2, tomcat}. */
  static String keys() {
    return Arrays.stream(values()).map(peer -> peer.key).collect(Collectors.joining(", "));
  }

  /**
   * The peer named {@code key} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the known peers
   */
  static PeerPool of(String key) {
    String wanted = key == null ? "" : key.trim().toLowerCase(Locale.ROOT);
    for (PeerPool peer : values()) {
      if (peer.key.equals(wanted)) {
        return peer;
      }
    }
    throw new IllegalArgumentException("unknown peer pool '" + key + "'; known: " + keys()
        + " (Oracle UCP is not among them: it needs Oracle's driver classes to pool a PostgreSQL DataSource)");
  }

  @Override
  public String toString() {
    return key;
  }

  /** The version in {@code /META-INF/maven/group/artifact/pom.properties}, else the jar manifest's, else unknown. */
  static String libraryVersion(String group, String artifact, Class<?> anyClass) {
    try (InputStream in = anyClass.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        return properties.getProperty("version");
      }
    } catch (IOException e) {
      // fall back below
    }
    String version = anyClass.getPackage().getImplementationVersion();
    return version != null ? version : "unknown";
  }

  private static Properties driverProperties(PoolGroup.Connect connect) {
    Properties properties = new Properties();
    properties.setProperty("ApplicationName", LabDatabase.APPLICATION_NAME);
    connect.driverProperties().forEach(properties::setProperty);
    return properties;
  }

  /** DBCP2 with commons-pool2's fair mode: waiters take returned connections in arrival order. */
  private static final class FairBasicDataSource extends BasicDataSource {
    @Override
    protected GenericObjectPool<PoolableConnection> createObjectPool(PoolableConnectionFactory factory,
        GenericObjectPoolConfig<PoolableConnection> poolConfig, AbandonedConfig abandonedConfig) {
      poolConfig.setFairness(true);
      return super.createObjectPool(factory, poolConfig, abandonedConfig);
    }
  }

  /** Tomcat JDBC's DataSource has close() but is not AutoCloseable; the lab closes pools through AutoCloseable. */
  private static final class ClosingTomcatDataSource extends org.apache.tomcat.jdbc.pool.DataSource
      implements AutoCloseable {
    ClosingTomcatDataSource(PoolProperties properties) {
      super(properties);
    }
  }
}
