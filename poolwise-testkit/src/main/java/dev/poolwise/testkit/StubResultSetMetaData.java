package dev.poolwise.testkit;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/** Describes the stub's only result shape: one INTEGER column labelled {@code ?column?}. Immutable. */
public final class StubResultSetMetaData implements ResultSetMetaData {

  static final String COLUMN_LABEL = "?column?";

  private static void checkColumn(int column) throws SQLException {
    if (column != 1) {
      throw new SQLException("column index " + column + " is out of range; the stub result set has exactly 1 column", "22023");
    }
  }

  @Override
  public int getColumnCount() {
    return 1;
  }

  @Override
  public boolean isAutoIncrement(int column) throws SQLException {
    checkColumn(column);
    return false;
  }

  @Override
  public boolean isCaseSensitive(int column) throws SQLException {
    checkColumn(column);
    return false;
  }

  @Override
  public boolean isSearchable(int column) throws SQLException {
    checkColumn(column);
    return true;
  }

  @Override
  public boolean isCurrency(int column) throws SQLException {
    checkColumn(column);
    return false;
  }

  @Override
  public int isNullable(int column) throws SQLException {
    checkColumn(column);
    return columnNullableUnknown;
  }

  @Override
  public boolean isSigned(int column) throws SQLException {
    checkColumn(column);
    return true;
  }

  @Override
  public int getColumnDisplaySize(int column) throws SQLException {
    checkColumn(column);
    return 11;
  }

  @Override
  public String getColumnLabel(int column) throws SQLException {
    checkColumn(column);
    return COLUMN_LABEL;
  }

  @Override
  public String getColumnName(int column) throws SQLException {
    checkColumn(column);
    return COLUMN_LABEL;
  }

  @Override
  public String getSchemaName(int column) throws SQLException {
    checkColumn(column);
    return "";
  }

  @Override
  public int getPrecision(int column) throws SQLException {
    checkColumn(column);
    return 10;
  }

  @Override
  public int getScale(int column) throws SQLException {
    checkColumn(column);
    return 0;
  }

  @Override
  public String getTableName(int column) throws SQLException {
    checkColumn(column);
    return "";
  }

  @Override
  public String getCatalogName(int column) throws SQLException {
    checkColumn(column);
    return "";
  }

  @Override
  public int getColumnType(int column) throws SQLException {
    checkColumn(column);
    return Types.INTEGER;
  }

  @Override
  public String getColumnTypeName(int column) throws SQLException {
    checkColumn(column);
    return "int4";
  }

  @Override
  public boolean isReadOnly(int column) throws SQLException {
    checkColumn(column);
    return true;
  }

  @Override
  public boolean isWritable(int column) throws SQLException {
    checkColumn(column);
    return false;
  }

  @Override
  public boolean isDefinitelyWritable(int column) throws SQLException {
    checkColumn(column);
    return false;
  }

  @Override
  public String getColumnClassName(int column) throws SQLException {
    checkColumn(column);
    return Integer.class.getName();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return StubErrors.unwrap(this, iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return StubErrors.isWrapperFor(this, iface);
  }
}
