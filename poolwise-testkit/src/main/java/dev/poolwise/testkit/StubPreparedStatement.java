package dev.poolwise.testkit;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;

/**
 * A stub {@link PreparedStatement}: remembers its SQL, accepts and ignores parameters, and runs
 * through the same execute path as {@link StubStatement} (one row, value 1, for queries).
 * As in every JDBC driver, the {@code execute*(String sql)} methods inherited from
 * {@code Statement} are refused on a prepared statement.
 *
 * <p>Concurrency: as {@link StubStatement}.
 */
public class StubPreparedStatement extends StubStatement implements PreparedStatement {

  private final String sql;
  private volatile int pendingBatchCount;

  StubPreparedStatement(StubConnection connection, String sql) {
    super(connection);
    this.sql = sql;
  }

  /** The SQL this statement was prepared with. */
  public String sql() {
    return sql;
  }

  @Override
  public StubResultSet executeQuery() throws SQLException {
    run(sql, true);
    return getResultSet();
  }

  @Override
  public int executeUpdate() throws SQLException {
    run(sql, false);
    return 1;
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    return executeUpdate();
  }

  @Override
  public boolean execute() throws SQLException {
    return run(sql, looksLikeQuery(sql));
  }

  @Override
  public void addBatch() throws SQLException {
    ensureOpen();
    pendingBatchCount++;
  }

  @Override
  public void clearBatch() throws SQLException {
    ensureOpen();
    pendingBatchCount = 0;
  }

  @Override
  public int[] executeBatch() throws SQLException {
    ensureOpen();
    int count = pendingBatchCount;
    pendingBatchCount = 0;
    int[] counts = new int[count];
    for (int i = 0; i < count; i++) {
      run(sql, false);
      counts[i] = 1;
    }
    return counts;
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    int[] counts = executeBatch();
    long[] largeCounts = new long[counts.length];
    java.util.Arrays.fill(largeCounts, 1L);
    return largeCounts;
  }

  @Override
  public void clearParameters() throws SQLException {
    ensureOpen();
  }

  @Override
  public StubResultSetMetaData getMetaData() throws SQLException {
    ensureOpen();
    return looksLikeQuery(sql) ? new StubResultSetMetaData() : null;
  }

  @Override
  public ParameterMetaData getParameterMetaData() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getParameterMetaData");
  }

  /* --- Statement's SQL-string methods, which JDBC forbids on a PreparedStatement --- */

  private static SQLException sqlStringMethodOnPreparedStatement() {
    return new SQLException("a PreparedStatement cannot run a different SQL string; call executeQuery()/executeUpdate()/execute()"
        + " without arguments, or use Connection.createStatement() for ad-hoc SQL", "42809");
  }

  @Override
  public StubResultSet executeQuery(String sql) throws SQLException {
    throw sqlStringMethodOnPreparedStatement();
  }

  @Override
  public int executeUpdate(String sql) throws SQLException {
    throw sqlStringMethodOnPreparedStatement();
  }

  @Override
  public boolean execute(String sql) throws SQLException {
    throw sqlStringMethodOnPreparedStatement();
  }

  @Override
  public void addBatch(String sql) throws SQLException {
    throw sqlStringMethodOnPreparedStatement();
  }

  /* --- Parameter setters: accepted and ignored --- */
  @Override
  public void setArray(int parameterIndex, Array x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setAsciiStream(int parameterIndex, InputStream x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setAsciiStream(int parameterIndex, InputStream x, int length) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setAsciiStream(int parameterIndex, InputStream x, long length) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setBinaryStream(int parameterIndex, InputStream x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setBinaryStream(int parameterIndex, InputStream x, int length) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setBinaryStream(int parameterIndex, InputStream x, long length) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setBlob(int parameterIndex, Blob x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setBlob(int parameterIndex, InputStream inputStream) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setBlob(int parameterIndex, InputStream inputStream, long length) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setBoolean(int parameterIndex, boolean x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setByte(int parameterIndex, byte x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setBytes(int parameterIndex, byte[] x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setCharacterStream(int parameterIndex, Reader reader) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setCharacterStream(int parameterIndex, Reader reader, int length) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setCharacterStream(int parameterIndex, Reader reader, long length) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setClob(int parameterIndex, Clob x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setClob(int parameterIndex, Reader reader) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setClob(int parameterIndex, Reader reader, long length) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setDate(int parameterIndex, Date x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setDate(int parameterIndex, Date x, Calendar cal) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setDouble(int parameterIndex, double x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setFloat(int parameterIndex, float x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setInt(int parameterIndex, int x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setLong(int parameterIndex, long x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setNCharacterStream(int parameterIndex, Reader value) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setNCharacterStream(int parameterIndex, Reader value, long length) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setNClob(int parameterIndex, NClob value) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setNClob(int parameterIndex, Reader reader) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setNClob(int parameterIndex, Reader reader, long length) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setNString(int parameterIndex, String value) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setNull(int parameterIndex, int sqlType) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setNull(int parameterIndex, int sqlType, String typeName) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setObject(int parameterIndex, Object x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setObject(int parameterIndex, Object x, SQLType targetSqlType) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setObject(int parameterIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setObject(int parameterIndex, Object x, int targetSqlType) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setObject(int parameterIndex, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setRef(int parameterIndex, Ref x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setRowId(int parameterIndex, RowId x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setSQLXML(int parameterIndex, SQLXML xmlObject) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setShort(int parameterIndex, short x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setString(int parameterIndex, String x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setTime(int parameterIndex, Time x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setTime(int parameterIndex, Time x, Calendar cal) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setTimestamp(int parameterIndex, Timestamp x) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setTimestamp(int parameterIndex, Timestamp x, Calendar cal) throws SQLException {
    ensureOpen();
  }

  @Override
  public void setURL(int parameterIndex, URL x) throws SQLException {
    ensureOpen();
  }

  @Override
  @Deprecated
  public void setUnicodeStream(int parameterIndex, InputStream x, int length) throws SQLException {
    ensureOpen();
  }
}
