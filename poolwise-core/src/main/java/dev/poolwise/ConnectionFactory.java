package dev.poolwise;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Opens physical connections: from a JDBC {@link Driver} for a URL, or from a user-supplied
 * {@link DataSource}. Asked only by the pool's connector threads, never by an application thread.
 */
interface ConnectionFactory {

  /** Open one physical connection with the credentials current at this moment. */
  Connection open(Credentials credentials) throws SQLException;

  /** A short, credential-free description for messages ("jdbc:postgresql://db:5432/shop"). */
  String describe();

  static ConnectionFactory of(PoolSettings settings) throws SQLException {
    if (settings.dataSource() != null) {
      return new DataSourceFactory(settings.dataSource());
    }
    return new DriverFactory(settings, resolveDriver(settings));
  }

  private static Driver resolveDriver(PoolSettings settings) throws SQLException {
    // of(settings) resolves a driver only when there is no DataSource, and the builder requires one of the two.
    String url = Nulls.castToNonNull(settings.jdbcUrl());
    if (settings.driverClassName() != null) {
      try {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> driverClass = Class.forName(settings.driverClassName(), true,
            loader != null ? loader : ConnectionFactory.class.getClassLoader());
        Driver driver = (Driver) driverClass.getDeclaredConstructor().newInstance();
        if (!driver.acceptsURL(url)) {
          throw new SQLException("JDBC driver " + settings.driverClassName() + " does not accept the URL "
              + Redaction.redactUrl(url) + "; check the URL's prefix or the driverClassName setting", "08001");
        }
        return driver;
      } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
        throw new SQLException("Cannot load JDBC driver class '" + settings.driverClassName() + "' for pool '"
            + settings.poolName() + "': " + e + ". Is the driver jar on the classpath?", "08001", e);
      }
    }
    try {
      return DriverManager.getDriver(url);
    } catch (SQLException noDriver) {
      String hint = url.startsWith("jdbc:postgresql:")
          ? "add the PostgreSQL driver (org.postgresql:postgresql) to the classpath"
          : "add the database's JDBC driver to the classpath, or set driverClassName";
      throw new SQLException("No JDBC driver on the classpath accepts " + Redaction.redactUrl(url) + " (pool '"
          + settings.poolName() + "'): " + hint, "08001", noDriver);
    }
  }

  /** Connects through a driver; the URL and driver properties are fixed, the credentials are asked each time. */
  final class DriverFactory implements ConnectionFactory {
    private final PoolSettings settings;
    private final Driver driver;

    DriverFactory(PoolSettings settings, Driver driver) {
      this.settings = settings;
      this.driver = driver;
    }

    @Override
    public Connection open(Credentials credentials) throws SQLException {
      Properties properties = settings.connectProperties(credentials);
      Connection connection = driver.connect(settings.jdbcUrl(), properties);
      if (connection == null) {
        throw new SQLException("JDBC driver " + driver.getClass().getName() + " returned no connection for "
            + describe() + " (it does not accept the URL)", "08001");
      }
      return connection;
    }

    @Override
    public String describe() {
      return Redaction.redactUrl(Nulls.castToNonNull(settings.jdbcUrl())); // a DriverFactory is made for a URL
    }
  }

  /** Connects through an application-supplied DataSource. */
  final class DataSourceFactory implements ConnectionFactory {
    private final DataSource dataSource;

    DataSourceFactory(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    @Override
    public Connection open(Credentials credentials) throws SQLException {
      if (credentials != null && credentials.username() != null) {
        return dataSource.getConnection(credentials.username(), credentials.password());
      }
      return dataSource.getConnection();
    }

    @Override
    public String describe() {
      return "DataSource " + dataSource.getClass().getName();
    }
  }
}
