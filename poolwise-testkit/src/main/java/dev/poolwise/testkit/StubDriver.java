package dev.poolwise.testkit;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The stub JDBC driver: accepts {@code jdbc:stub:<databaseName>[?key=value&...]} and connects to
 * the {@link StubDatabase} of that name, creating it (with no knobs set) if it does not exist yet.
 *
 * <p>Registered with {@link DriverManager} by its static initializer and through
 * {@code META-INF/services/java.sql.Driver}. URL parameters are added to the connect properties
 * and win over properties of the same name, as in pgjdbc; unknown parameters are ignored.
 *
 * <p>Stateless and thread-safe; all state lives in {@link StubDatabase}.
 */
public final class StubDriver implements Driver {

  public static final String URL_PREFIX = "jdbc:stub:";

  private static final StubDriver REGISTERED_INSTANCE = new StubDriver();

  static {
    try {
      DriverManager.registerDriver(REGISTERED_INSTANCE);
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Forces class initialization, and with it registration with DriverManager. */
  static void ensureRegistered() {
    // The static initializer did the work; calling this method is what triggers it.
  }

  @Override
  public StubConnection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null; // JDBC contract: a driver returns null for URLs meant for another driver.
    }
    int queryStart = url.indexOf('?', URL_PREFIX.length());
    String databaseName = queryStart < 0 ? url.substring(URL_PREFIX.length()) : url.substring(URL_PREFIX.length(), queryStart);
    if (databaseName.isBlank()) {
      throw new SQLException("stub JDBC URL '" + url + "' names no database; expected jdbc:stub:<databaseName>[?key=value&...],"
          + " for example " + StubDatabase.create().url(), "08001");
    }
    Properties effective = info == null ? new Properties() : info;
    if (queryStart >= 0) {
      effective = withUrlParameters(effective, url.substring(queryStart + 1));
    }
    return StubDatabase.named(databaseName).connect(effective);
  }

  @Override
  public boolean acceptsURL(String url) {
    return url != null && url.startsWith(URL_PREFIX);
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
    Properties given = info == null ? new Properties() : info;
    return new DriverPropertyInfo[] {
        property("user", given, "database user name; the stub defaults it to \"" + StubConnection.DEFAULT_USER + "\""),
        property("password", given, "checked only when the database's requirePassword knob is set"),
        property("socketTimeout", given, "accepted and ignored"),
        property("connectTimeout", given, "accepted and ignored"),
        property("ApplicationName", given, "becomes the connection's ApplicationName client info"),
    };
  }

  @Override
  public int getMajorVersion() {
    return 1;
  }

  @Override
  public int getMinorVersion() {
    return 0;
  }

  @Override
  public boolean jdbcCompliant() {
    return false; // A stub; it does not run SQL.
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("the stub driver does not use java.util.logging");
  }

  private static DriverPropertyInfo property(String name, Properties given, String description) {
    DriverPropertyInfo property = new DriverPropertyInfo(name, given.getProperty(name));
    property.required = false;
    property.description = description;
    return property;
  }

  private static Properties withUrlParameters(Properties info, String query) {
    Properties merged = new Properties();
    merged.putAll(info);
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      merged.setProperty(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return merged;
  }
}
