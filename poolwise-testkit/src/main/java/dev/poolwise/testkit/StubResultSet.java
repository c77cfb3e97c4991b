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
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Map;

/**
 * A stub {@link ResultSet}: forward-only and read-only, with one INTEGER column labelled
 * {@code ?column?} (what PostgreSQL calls an unnamed {@code SELECT 1}) and either one row holding
 * the value 1 (query results) or no rows (metadata and generated-keys results).
 *
 * <p>Concurrency: used by one thread at a time; the closed flag and cursor position are volatile
 * so that a close from the owning statement's thread is seen by everyone.
 */
public final class StubResultSet implements ResultSet {

  private static final int THE_VALUE = 1;

  /** The statement that produced this result set; null for database metadata results. */
  private final StubStatement statement;
  private final int rowCount;
  /** 0 = before the first row, 1..rowCount = on that row, rowCount + 1 = after the last row. */
  private volatile int position;
  private volatile boolean closed;
  private volatile int fetchSize;

  StubResultSet(StubStatement statement, int rowCount) {
    this.statement = statement;
    this.rowCount = rowCount;
  }

  /* --- Cursor --- */

  @Override
  public boolean next() throws SQLException {
    ensureOpen();
    if (position <= rowCount) {
      position++;
    }
    return position <= rowCount;
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    ensureOpen();
    return rowCount > 0 && position == 0;
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    ensureOpen();
    return rowCount > 0 && position > rowCount;
  }

  @Override
  public boolean isFirst() throws SQLException {
    ensureOpen();
    return rowCount > 0 && position == 1;
  }

  @Override
  public boolean isLast() throws SQLException {
    ensureOpen();
    return rowCount > 0 && position == rowCount;
  }

  @Override
  public int getRow() throws SQLException {
    ensureOpen();
    return position >= 1 && position <= rowCount ? position : 0;
  }

  /* --- Life cycle --- */

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (statement != null) {
        statement.resultSetClosed(this);
      }
    }
  }

  /** Close requested by the statement itself (new execute, statement close): no closeOnCompletion cascade. */
  void closeWithoutCompletingStatement() {
    closed = true;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public StubStatement getStatement() throws SQLException {
    ensureOpen();
    return statement;
  }

  private void ensureOpen() throws SQLException {
    if (closed) {
      throw StubErrors.resultSetClosed();
    }
  }

  /* --- The value --- */

  private int value(int columnIndex) throws SQLException {
    ensureOpen();
    if (columnIndex != 1) {
      throw new SQLException("column index " + columnIndex + " is out of range; the stub result set has exactly 1 column", "22023");
    }
    if (position < 1 || position > rowCount) {
      throw new SQLException("the result set is not positioned on a row"
          + (rowCount == 0 ? " (it has no rows)" : "; call next() first and check that it returned true"), "24000");
    }
    return THE_VALUE;
  }

  private int value(String columnLabel) throws SQLException {
    return value(findColumn(columnLabel));
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    ensureOpen();
    if (!StubResultSetMetaData.COLUMN_LABEL.equalsIgnoreCase(columnLabel)) {
      throw new SQLException("the stub result set has one column, labelled \"" + StubResultSetMetaData.COLUMN_LABEL
          + "\"; there is no column \"" + columnLabel + "\"", "42703");
    }
    return 1;
  }

  @Override
  public boolean wasNull() throws SQLException {
    ensureOpen();
    return false;
  }

  @Override
  public String getString(int columnIndex) throws SQLException {
    return Integer.toString(value(columnIndex));
  }

  @Override
  public String getString(String columnLabel) throws SQLException {
    return Integer.toString(value(columnLabel));
  }

  @Override
  public String getNString(int columnIndex) throws SQLException {
    return getString(columnIndex);
  }

  @Override
  public String getNString(String columnLabel) throws SQLException {
    return getString(columnLabel);
  }

  @Override
  public boolean getBoolean(int columnIndex) throws SQLException {
    return value(columnIndex) != 0;
  }

  @Override
  public boolean getBoolean(String columnLabel) throws SQLException {
    return value(columnLabel) != 0;
  }

  @Override
  public byte getByte(int columnIndex) throws SQLException {
    return (byte) value(columnIndex);
  }

  @Override
  public byte getByte(String columnLabel) throws SQLException {
    return (byte) value(columnLabel);
  }

  @Override
  public short getShort(int columnIndex) throws SQLException {
    return (short) value(columnIndex);
  }

  @Override
  public short getShort(String columnLabel) throws SQLException {
    return (short) value(columnLabel);
  }

  @Override
  public int getInt(int columnIndex) throws SQLException {
    return value(columnIndex);
  }

  @Override
  public int getInt(String columnLabel) throws SQLException {
    return value(columnLabel);
  }

  @Override
  public long getLong(int columnIndex) throws SQLException {
    return value(columnIndex);
  }

  @Override
  public long getLong(String columnLabel) throws SQLException {
    return value(columnLabel);
  }

  @Override
  public float getFloat(int columnIndex) throws SQLException {
    return value(columnIndex);
  }

  @Override
  public float getFloat(String columnLabel) throws SQLException {
    return value(columnLabel);
  }

  @Override
  public double getDouble(int columnIndex) throws SQLException {
    return value(columnIndex);
  }

  @Override
  public double getDouble(String columnLabel) throws SQLException {
    return value(columnLabel);
  }

  @Override
  public BigDecimal getBigDecimal(int columnIndex) throws SQLException {
    return BigDecimal.valueOf(value(columnIndex));
  }

  @Override
  public BigDecimal getBigDecimal(String columnLabel) throws SQLException {
    return BigDecimal.valueOf(value(columnLabel));
  }

  @Override
  @Deprecated
  public BigDecimal getBigDecimal(int columnIndex, int scale) throws SQLException {
    return BigDecimal.valueOf(value(columnIndex)).setScale(scale);
  }

  @Override
  @Deprecated
  public BigDecimal getBigDecimal(String columnLabel, int scale) throws SQLException {
    return BigDecimal.valueOf(value(columnLabel)).setScale(scale);
  }

  @Override
  public Object getObject(int columnIndex) throws SQLException {
    return value(columnIndex);
  }

  @Override
  public Object getObject(String columnLabel) throws SQLException {
    return value(columnLabel);
  }

  @Override
  public Object getObject(int columnIndex, Map<String, Class<?>> map) throws SQLException {
    return value(columnIndex);
  }

  @Override
  public Object getObject(String columnLabel, Map<String, Class<?>> map) throws SQLException {
    return value(columnLabel);
  }

  @Override
  public <T> T getObject(int columnIndex, Class<T> type) throws SQLException {
    return convert(value(columnIndex), type);
  }

  @Override
  public <T> T getObject(String columnLabel, Class<T> type) throws SQLException {
    return convert(value(columnLabel), type);
  }

  private static <T> T convert(int value, Class<T> type) throws SQLException {
    Object converted;
    if (type == Integer.class || type == Object.class || type == Number.class) {
      converted = value;
    } else if (type == Long.class) {
      converted = (long) value;
    } else if (type == Short.class) {
      converted = (short) value;
    } else if (type == String.class) {
      converted = Integer.toString(value);
    } else if (type == BigDecimal.class) {
      converted = BigDecimal.valueOf(value);
    } else if (type == Boolean.class) {
      converted = value != 0;
    } else if (type == Double.class) {
      converted = (double) value;
    } else {
      throw new SQLException("the stub result set's INTEGER value cannot be converted to " + type.getName(), "22023");
    }
    return type.cast(converted);
  }

  /* --- Description and settings --- */

  @Override
  public StubResultSetMetaData getMetaData() throws SQLException {
    ensureOpen();
    return new StubResultSetMetaData();
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    ensureOpen();
    return null;
  }

  @Override
  public void clearWarnings() throws SQLException {
    ensureOpen();
  }

  @Override
  public void setFetchDirection(int direction) throws SQLException {
    ensureOpen();
    if (direction != FETCH_FORWARD) {
      throw new SQLException("the stub result set is forward-only; only FETCH_FORWARD is accepted", "22023");
    }
  }

  @Override
  public int getFetchDirection() throws SQLException {
    ensureOpen();
    return FETCH_FORWARD;
  }

  @Override
  public void setFetchSize(int rows) throws SQLException {
    ensureOpen();
    fetchSize = rows;
  }

  @Override
  public int getFetchSize() throws SQLException {
    ensureOpen();
    return fetchSize;
  }

  @Override
  public int getType() throws SQLException {
    ensureOpen();
    return TYPE_FORWARD_ONLY;
  }

  @Override
  public int getConcurrency() throws SQLException {
    ensureOpen();
    return CONCUR_READ_ONLY;
  }

  @Override
  public int getHoldability() throws SQLException {
    ensureOpen();
    return CLOSE_CURSORS_AT_COMMIT;
  }

  @Override
  public boolean rowUpdated() throws SQLException {
    ensureOpen();
    return false;
  }

  @Override
  public boolean rowInserted() throws SQLException {
    ensureOpen();
    return false;
  }

  @Override
  public boolean rowDeleted() throws SQLException {
    ensureOpen();
    return false;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return StubErrors.unwrap(this, iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return StubErrors.isWrapperFor(this, iface);
  }

  /* --- Everything else: unsupported (other value types, scrolling, updates) --- */
  @Override
  public boolean absolute(int row) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("absolute");
  }

  @Override
  public void afterLast() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("afterLast");
  }

  @Override
  public void beforeFirst() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("beforeFirst");
  }

  @Override
  public void cancelRowUpdates() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("cancelRowUpdates (stub result sets are read-only)");
  }

  @Override
  public void deleteRow() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("deleteRow (stub result sets are read-only)");
  }

  @Override
  public boolean first() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("first");
  }

  @Override
  public Array getArray(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getArray");
  }

  @Override
  public Array getArray(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getArray");
  }

  @Override
  public InputStream getAsciiStream(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getAsciiStream");
  }

  @Override
  public InputStream getAsciiStream(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getAsciiStream");
  }

  @Override
  public InputStream getBinaryStream(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getBinaryStream");
  }

  @Override
  public InputStream getBinaryStream(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getBinaryStream");
  }

  @Override
  public Blob getBlob(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getBlob");
  }

  @Override
  public Blob getBlob(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getBlob");
  }

  @Override
  public byte[] getBytes(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getBytes");
  }

  @Override
  public byte[] getBytes(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getBytes");
  }

  @Override
  public Reader getCharacterStream(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getCharacterStream");
  }

  @Override
  public Reader getCharacterStream(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getCharacterStream");
  }

  @Override
  public Clob getClob(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getClob");
  }

  @Override
  public Clob getClob(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getClob");
  }

  @Override
  public String getCursorName() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getCursorName");
  }

  @Override
  public Date getDate(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getDate");
  }

  @Override
  public Date getDate(String columnLabel, Calendar cal) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getDate");
  }

  @Override
  public Date getDate(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getDate");
  }

  @Override
  public Date getDate(int columnIndex, Calendar cal) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getDate");
  }

  @Override
  public Reader getNCharacterStream(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getNCharacterStream");
  }

  @Override
  public Reader getNCharacterStream(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getNCharacterStream");
  }

  @Override
  public NClob getNClob(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getNClob");
  }

  @Override
  public NClob getNClob(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getNClob");
  }

  @Override
  public Ref getRef(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getRef");
  }

  @Override
  public Ref getRef(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getRef");
  }

  @Override
  public RowId getRowId(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getRowId");
  }

  @Override
  public RowId getRowId(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getRowId");
  }

  @Override
  public SQLXML getSQLXML(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getSQLXML");
  }

  @Override
  public SQLXML getSQLXML(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getSQLXML");
  }

  @Override
  public Time getTime(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getTime");
  }

  @Override
  public Time getTime(String columnLabel, Calendar cal) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getTime");
  }

  @Override
  public Time getTime(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getTime");
  }

  @Override
  public Time getTime(int columnIndex, Calendar cal) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getTime");
  }

  @Override
  public Timestamp getTimestamp(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getTimestamp");
  }

  @Override
  public Timestamp getTimestamp(String columnLabel, Calendar cal) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getTimestamp");
  }

  @Override
  public Timestamp getTimestamp(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getTimestamp");
  }

  @Override
  public Timestamp getTimestamp(int columnIndex, Calendar cal) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getTimestamp");
  }

  @Override
  public URL getURL(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getURL");
  }

  @Override
  public URL getURL(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getURL");
  }

  @Override
  @Deprecated
  public InputStream getUnicodeStream(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getUnicodeStream");
  }

  @Override
  @Deprecated
  public InputStream getUnicodeStream(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("getUnicodeStream");
  }

  @Override
  public void insertRow() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("insertRow (stub result sets are read-only)");
  }

  @Override
  public boolean last() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("last");
  }

  @Override
  public void moveToCurrentRow() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("moveToCurrentRow (stub result sets are read-only)");
  }

  @Override
  public void moveToInsertRow() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("moveToInsertRow (stub result sets are read-only)");
  }

  @Override
  public boolean previous() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("previous");
  }

  @Override
  public void refreshRow() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("refreshRow (stub result sets are read-only)");
  }

  @Override
  public boolean relative(int rows) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("relative");
  }

  @Override
  public void updateArray(String columnLabel, Array x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateArray (stub result sets are read-only)");
  }

  @Override
  public void updateArray(int columnIndex, Array x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateArray (stub result sets are read-only)");
  }

  @Override
  public void updateAsciiStream(String columnLabel, InputStream x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateAsciiStream (stub result sets are read-only)");
  }

  @Override
  public void updateAsciiStream(String columnLabel, InputStream x, int length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateAsciiStream (stub result sets are read-only)");
  }

  @Override
  public void updateAsciiStream(String columnLabel, InputStream x, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateAsciiStream (stub result sets are read-only)");
  }

  @Override
  public void updateAsciiStream(int columnIndex, InputStream x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateAsciiStream (stub result sets are read-only)");
  }

  @Override
  public void updateAsciiStream(int columnIndex, InputStream x, int length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateAsciiStream (stub result sets are read-only)");
  }

  @Override
  public void updateAsciiStream(int columnIndex, InputStream x, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateAsciiStream (stub result sets are read-only)");
  }

  @Override
  public void updateBigDecimal(String columnLabel, BigDecimal x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBigDecimal (stub result sets are read-only)");
  }

  @Override
  public void updateBigDecimal(int columnIndex, BigDecimal x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBigDecimal (stub result sets are read-only)");
  }

  @Override
  public void updateBinaryStream(String columnLabel, InputStream x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBinaryStream (stub result sets are read-only)");
  }

  @Override
  public void updateBinaryStream(String columnLabel, InputStream x, int length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBinaryStream (stub result sets are read-only)");
  }

  @Override
  public void updateBinaryStream(String columnLabel, InputStream x, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBinaryStream (stub result sets are read-only)");
  }

  @Override
  public void updateBinaryStream(int columnIndex, InputStream x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBinaryStream (stub result sets are read-only)");
  }

  @Override
  public void updateBinaryStream(int columnIndex, InputStream x, int length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBinaryStream (stub result sets are read-only)");
  }

  @Override
  public void updateBinaryStream(int columnIndex, InputStream x, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBinaryStream (stub result sets are read-only)");
  }

  @Override
  public void updateBlob(String columnLabel, Blob x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBlob (stub result sets are read-only)");
  }

  @Override
  public void updateBlob(String columnLabel, InputStream inputStream) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBlob (stub result sets are read-only)");
  }

  @Override
  public void updateBlob(String columnLabel, InputStream inputStream, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBlob (stub result sets are read-only)");
  }

  @Override
  public void updateBlob(int columnIndex, Blob x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBlob (stub result sets are read-only)");
  }

  @Override
  public void updateBlob(int columnIndex, InputStream inputStream) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBlob (stub result sets are read-only)");
  }

  @Override
  public void updateBlob(int columnIndex, InputStream inputStream, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBlob (stub result sets are read-only)");
  }

  @Override
  public void updateBoolean(String columnLabel, boolean x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBoolean (stub result sets are read-only)");
  }

  @Override
  public void updateBoolean(int columnIndex, boolean x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBoolean (stub result sets are read-only)");
  }

  @Override
  public void updateByte(String columnLabel, byte x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateByte (stub result sets are read-only)");
  }

  @Override
  public void updateByte(int columnIndex, byte x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateByte (stub result sets are read-only)");
  }

  @Override
  public void updateBytes(String columnLabel, byte[] x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBytes (stub result sets are read-only)");
  }

  @Override
  public void updateBytes(int columnIndex, byte[] x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateBytes (stub result sets are read-only)");
  }

  @Override
  public void updateCharacterStream(String columnLabel, Reader reader) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateCharacterStream (stub result sets are read-only)");
  }

  @Override
  public void updateCharacterStream(String columnLabel, Reader reader, int length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateCharacterStream (stub result sets are read-only)");
  }

  @Override
  public void updateCharacterStream(String columnLabel, Reader reader, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateCharacterStream (stub result sets are read-only)");
  }

  @Override
  public void updateCharacterStream(int columnIndex, Reader x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateCharacterStream (stub result sets are read-only)");
  }

  @Override
  public void updateCharacterStream(int columnIndex, Reader x, int length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateCharacterStream (stub result sets are read-only)");
  }

  @Override
  public void updateCharacterStream(int columnIndex, Reader x, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateCharacterStream (stub result sets are read-only)");
  }

  @Override
  public void updateClob(String columnLabel, Clob x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateClob (stub result sets are read-only)");
  }

  @Override
  public void updateClob(String columnLabel, Reader reader) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateClob (stub result sets are read-only)");
  }

  @Override
  public void updateClob(String columnLabel, Reader reader, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateClob (stub result sets are read-only)");
  }

  @Override
  public void updateClob(int columnIndex, Clob x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateClob (stub result sets are read-only)");
  }

  @Override
  public void updateClob(int columnIndex, Reader reader) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateClob (stub result sets are read-only)");
  }

  @Override
  public void updateClob(int columnIndex, Reader reader, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateClob (stub result sets are read-only)");
  }

  @Override
  public void updateDate(String columnLabel, Date x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateDate (stub result sets are read-only)");
  }

  @Override
  public void updateDate(int columnIndex, Date x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateDate (stub result sets are read-only)");
  }

  @Override
  public void updateDouble(String columnLabel, double x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateDouble (stub result sets are read-only)");
  }

  @Override
  public void updateDouble(int columnIndex, double x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateDouble (stub result sets are read-only)");
  }

  @Override
  public void updateFloat(String columnLabel, float x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateFloat (stub result sets are read-only)");
  }

  @Override
  public void updateFloat(int columnIndex, float x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateFloat (stub result sets are read-only)");
  }

  @Override
  public void updateInt(String columnLabel, int x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateInt (stub result sets are read-only)");
  }

  @Override
  public void updateInt(int columnIndex, int x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateInt (stub result sets are read-only)");
  }

  @Override
  public void updateLong(String columnLabel, long x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateLong (stub result sets are read-only)");
  }

  @Override
  public void updateLong(int columnIndex, long x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateLong (stub result sets are read-only)");
  }

  @Override
  public void updateNCharacterStream(String columnLabel, Reader reader) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNCharacterStream (stub result sets are read-only)");
  }

  @Override
  public void updateNCharacterStream(String columnLabel, Reader reader, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNCharacterStream (stub result sets are read-only)");
  }

  @Override
  public void updateNCharacterStream(int columnIndex, Reader x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNCharacterStream (stub result sets are read-only)");
  }

  @Override
  public void updateNCharacterStream(int columnIndex, Reader x, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNCharacterStream (stub result sets are read-only)");
  }

  @Override
  public void updateNClob(String columnLabel, NClob nClob) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNClob (stub result sets are read-only)");
  }

  @Override
  public void updateNClob(String columnLabel, Reader reader) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNClob (stub result sets are read-only)");
  }

  @Override
  public void updateNClob(String columnLabel, Reader reader, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNClob (stub result sets are read-only)");
  }

  @Override
  public void updateNClob(int columnIndex, NClob nClob) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNClob (stub result sets are read-only)");
  }

  @Override
  public void updateNClob(int columnIndex, Reader reader) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNClob (stub result sets are read-only)");
  }

  @Override
  public void updateNClob(int columnIndex, Reader reader, long length) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNClob (stub result sets are read-only)");
  }

  @Override
  public void updateNString(String columnLabel, String nString) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNString (stub result sets are read-only)");
  }

  @Override
  public void updateNString(int columnIndex, String nString) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNString (stub result sets are read-only)");
  }

  @Override
  public void updateNull(String columnLabel) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNull (stub result sets are read-only)");
  }

  @Override
  public void updateNull(int columnIndex) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateNull (stub result sets are read-only)");
  }

  @Override
  public void updateObject(String columnLabel, Object x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateObject (stub result sets are read-only)");
  }

  @Override
  public void updateObject(String columnLabel, Object x, SQLType targetSqlType) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateObject (stub result sets are read-only)");
  }

  @Override
  public void updateObject(String columnLabel, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateObject (stub result sets are read-only)");
  }

  @Override
  public void updateObject(String columnLabel, Object x, int scaleOrLength) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateObject (stub result sets are read-only)");
  }

  @Override
  public void updateObject(int columnIndex, Object x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateObject (stub result sets are read-only)");
  }

  @Override
  public void updateObject(int columnIndex, Object x, SQLType targetSqlType) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateObject (stub result sets are read-only)");
  }

  @Override
  public void updateObject(int columnIndex, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateObject (stub result sets are read-only)");
  }

  @Override
  public void updateObject(int columnIndex, Object x, int scaleOrLength) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateObject (stub result sets are read-only)");
  }

  @Override
  public void updateRef(String columnLabel, Ref x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateRef (stub result sets are read-only)");
  }

  @Override
  public void updateRef(int columnIndex, Ref x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateRef (stub result sets are read-only)");
  }

  @Override
  public void updateRow() throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateRow (stub result sets are read-only)");
  }

  @Override
  public void updateRowId(String columnLabel, RowId x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateRowId (stub result sets are read-only)");
  }

  @Override
  public void updateRowId(int columnIndex, RowId x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateRowId (stub result sets are read-only)");
  }

  @Override
  public void updateSQLXML(String columnLabel, SQLXML xmlObject) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateSQLXML (stub result sets are read-only)");
  }

  @Override
  public void updateSQLXML(int columnIndex, SQLXML xmlObject) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateSQLXML (stub result sets are read-only)");
  }

  @Override
  public void updateShort(String columnLabel, short x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateShort (stub result sets are read-only)");
  }

  @Override
  public void updateShort(int columnIndex, short x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateShort (stub result sets are read-only)");
  }

  @Override
  public void updateString(String columnLabel, String x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateString (stub result sets are read-only)");
  }

  @Override
  public void updateString(int columnIndex, String x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateString (stub result sets are read-only)");
  }

  @Override
  public void updateTime(String columnLabel, Time x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateTime (stub result sets are read-only)");
  }

  @Override
  public void updateTime(int columnIndex, Time x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateTime (stub result sets are read-only)");
  }

  @Override
  public void updateTimestamp(String columnLabel, Timestamp x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateTimestamp (stub result sets are read-only)");
  }

  @Override
  public void updateTimestamp(int columnIndex, Timestamp x) throws SQLException {
    ensureOpen();
    throw StubErrors.notSupported("updateTimestamp (stub result sets are read-only)");
  }
}
