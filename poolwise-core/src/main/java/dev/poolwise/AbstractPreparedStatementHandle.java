package dev.poolwise;

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
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;

/**
 * The {@link PreparedStatement} part shared by {@link PreparedStatementHandle} and
 * {@link CallableStatementHandle}: plain delegation of the parameter setters, and the four
 * parameterless execute methods through the connection handle's execute hook with the SQL given at
 * prepare time. Everything about the {@link Statement} part, concurrency and failure modes is in
 * {@link AbstractStatementHandle}.
 */
abstract class AbstractPreparedStatementHandle<S extends PreparedStatement> extends AbstractStatementHandle<S>
    implements PreparedStatement {

  AbstractPreparedStatementHandle(S delegate, ConnectionHandle connection, String preparedSql) {
    super(delegate, connection, preparedSql);
  }

  @Override
  public final ResultSet executeQuery() throws SQLException {
    connection.beforeExecute(preparedSql);
    try {
      return wrapResultSet(delegate.executeQuery());
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final int executeUpdate() throws SQLException {
    connection.beforeExecute(preparedSql);
    try {
      return delegate.executeUpdate();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final void setNull(int parameterIndex, int sqlType) throws SQLException {
    try {
      delegate.setNull(parameterIndex, sqlType);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setBoolean(int parameterIndex, boolean x) throws SQLException {
    try {
      delegate.setBoolean(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setByte(int parameterIndex, byte x) throws SQLException {
    try {
      delegate.setByte(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setShort(int parameterIndex, short x) throws SQLException {
    try {
      delegate.setShort(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setInt(int parameterIndex, int x) throws SQLException {
    try {
      delegate.setInt(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setLong(int parameterIndex, long x) throws SQLException {
    try {
      delegate.setLong(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setFloat(int parameterIndex, float x) throws SQLException {
    try {
      delegate.setFloat(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setDouble(int parameterIndex, double x) throws SQLException {
    try {
      delegate.setDouble(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
    try {
      delegate.setBigDecimal(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setString(int parameterIndex, String x) throws SQLException {
    try {
      delegate.setString(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setBytes(int parameterIndex, byte[] x) throws SQLException {
    try {
      delegate.setBytes(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setDate(int parameterIndex, Date x) throws SQLException {
    try {
      delegate.setDate(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setTime(int parameterIndex, Time x) throws SQLException {
    try {
      delegate.setTime(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setTimestamp(int parameterIndex, Timestamp x) throws SQLException {
    try {
      delegate.setTimestamp(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setAsciiStream(int parameterIndex, InputStream x, int length) throws SQLException {
    try {
      delegate.setAsciiStream(parameterIndex, x, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Deprecated
  @Override
  public final void setUnicodeStream(int parameterIndex, InputStream x, int length) throws SQLException {
    try {
      delegate.setUnicodeStream(parameterIndex, x, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setBinaryStream(int parameterIndex, InputStream x, int length) throws SQLException {
    try {
      delegate.setBinaryStream(parameterIndex, x, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void clearParameters() throws SQLException {
    try {
      delegate.clearParameters();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setObject(int parameterIndex, Object x, int targetSqlType) throws SQLException {
    try {
      delegate.setObject(parameterIndex, x, targetSqlType);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setObject(int parameterIndex, Object x) throws SQLException {
    try {
      delegate.setObject(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final boolean execute() throws SQLException {
    connection.beforeExecute(preparedSql);
    try {
      return delegate.execute();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }

  @Override
  public final void addBatch() throws SQLException {
    try {
      delegate.addBatch();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setCharacterStream(int parameterIndex, Reader reader, int length) throws SQLException {
    try {
      delegate.setCharacterStream(parameterIndex, reader, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setRef(int parameterIndex, Ref x) throws SQLException {
    try {
      delegate.setRef(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setBlob(int parameterIndex, Blob x) throws SQLException {
    try {
      delegate.setBlob(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setClob(int parameterIndex, Clob x) throws SQLException {
    try {
      delegate.setClob(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setArray(int parameterIndex, Array x) throws SQLException {
    try {
      delegate.setArray(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final ResultSetMetaData getMetaData() throws SQLException {
    try {
      return delegate.getMetaData();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setDate(int parameterIndex, Date x, Calendar cal) throws SQLException {
    try {
      delegate.setDate(parameterIndex, x, cal);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setTime(int parameterIndex, Time x, Calendar cal) throws SQLException {
    try {
      delegate.setTime(parameterIndex, x, cal);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setTimestamp(int parameterIndex, Timestamp x, Calendar cal) throws SQLException {
    try {
      delegate.setTimestamp(parameterIndex, x, cal);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setNull(int parameterIndex, int sqlType, String typeName) throws SQLException {
    try {
      delegate.setNull(parameterIndex, sqlType, typeName);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setURL(int parameterIndex, URL x) throws SQLException {
    try {
      delegate.setURL(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final ParameterMetaData getParameterMetaData() throws SQLException {
    try {
      return delegate.getParameterMetaData();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setRowId(int parameterIndex, RowId x) throws SQLException {
    try {
      delegate.setRowId(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setNString(int parameterIndex, String value) throws SQLException {
    try {
      delegate.setNString(parameterIndex, value);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setNCharacterStream(int parameterIndex, Reader value, long length) throws SQLException {
    try {
      delegate.setNCharacterStream(parameterIndex, value, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setNClob(int parameterIndex, NClob value) throws SQLException {
    try {
      delegate.setNClob(parameterIndex, value);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setClob(int parameterIndex, Reader reader, long length) throws SQLException {
    try {
      delegate.setClob(parameterIndex, reader, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setBlob(int parameterIndex, InputStream inputStream, long length) throws SQLException {
    try {
      delegate.setBlob(parameterIndex, inputStream, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setNClob(int parameterIndex, Reader reader, long length) throws SQLException {
    try {
      delegate.setNClob(parameterIndex, reader, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setSQLXML(int parameterIndex, SQLXML xmlObject) throws SQLException {
    try {
      delegate.setSQLXML(parameterIndex, xmlObject);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setObject(int parameterIndex, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
    try {
      delegate.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setAsciiStream(int parameterIndex, InputStream x, long length) throws SQLException {
    try {
      delegate.setAsciiStream(parameterIndex, x, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setBinaryStream(int parameterIndex, InputStream x, long length) throws SQLException {
    try {
      delegate.setBinaryStream(parameterIndex, x, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setCharacterStream(int parameterIndex, Reader reader, long length) throws SQLException {
    try {
      delegate.setCharacterStream(parameterIndex, reader, length);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setAsciiStream(int parameterIndex, InputStream x) throws SQLException {
    try {
      delegate.setAsciiStream(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setBinaryStream(int parameterIndex, InputStream x) throws SQLException {
    try {
      delegate.setBinaryStream(parameterIndex, x);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setCharacterStream(int parameterIndex, Reader reader) throws SQLException {
    try {
      delegate.setCharacterStream(parameterIndex, reader);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setNCharacterStream(int parameterIndex, Reader value) throws SQLException {
    try {
      delegate.setNCharacterStream(parameterIndex, value);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setClob(int parameterIndex, Reader reader) throws SQLException {
    try {
      delegate.setClob(parameterIndex, reader);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setBlob(int parameterIndex, InputStream inputStream) throws SQLException {
    try {
      delegate.setBlob(parameterIndex, inputStream);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setNClob(int parameterIndex, Reader reader) throws SQLException {
    try {
      delegate.setNClob(parameterIndex, reader);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setObject(int parameterIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
    try {
      delegate.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final void setObject(int parameterIndex, Object x, SQLType targetSqlType) throws SQLException {
    try {
      delegate.setObject(parameterIndex, x, targetSqlType);
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    }
  }

  @Override
  public final long executeLargeUpdate() throws SQLException {
    connection.beforeExecute(preparedSql);
    try {
      return delegate.executeLargeUpdate();
    } catch (SQLException e) {
      throw connection.checkBroken(e);
    } finally {
      connection.afterExecute();
    }
  }
}
