package dev.poolwise.testkit;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over one {@link StubDatabase}, for code that takes a DataSource rather
 * than a URL. Every {@code getConnection} goes through the database's connect knobs.
 * Thread-safe: the credentials are final, the settings volatile.
 */
public final class StubDataSource implements DataSource {

  private final StubDatabase database;
  private final String user;
  private final String password;
  private volatile int loginTimeoutSeconds;
  private volatile PrintWriter logWriter;

  StubDataSource(StubDatabase database, String user, String password) {
    this.database = database;
    this.user = user;
    this.password = password;
  }

  public StubDatabase database() {
    return database;
  }

  @Override
  public StubConnection getConnection() throws SQLException {
    return database.connect(user, password);
  }

  @Override
  public StubConnection getConnection(String username, String password) throws SQLException {
    return database.connect(username, password);
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    logWriter = out;
  }

  @Override
  public void setLoginTimeout(int seconds) {
    loginTimeoutSeconds = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("the stub data source does not use java.util.logging");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return StubErrors.unwrap(this, iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return StubErrors.isWrapperFor(this, iface);
  }

  @Override
  public String toString() {
    return "StubDataSource[" + database.name() + (user == null ? "" : ", user=" + user) + "]"; // never the password
  }
}
