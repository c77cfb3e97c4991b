package dev.poolwise;

import java.sql.CallableStatement;
import java.sql.ResultSet;

/**
 * The {@link CallableStatement} the application gets from {@code prepareCall}. The statement and
 * prepared-statement parts are inherited ({@link AbstractStatementHandle},
 * {@link PreparedStatementDelegation}), and the out-parameter methods are plain delegation generated into
 * {@link CallableStatementDelegation}, except that an out parameter holding a cursor (PostgreSQL returns
 * {@code refcursor} results as a {@link ResultSet} from {@code getObject}) comes back as a
 * {@link ResultSetHandle}, so its {@code getStatement()} cannot lead to the raw connection.
 */
final class CallableStatementHandle extends CallableStatementDelegation {

  CallableStatementHandle(CallableStatement delegate, ConnectionHandle connection, String sql) {
    super(delegate, connection, sql);
  }

  @Override
  String kind() {
    return "CallableStatement";
  }

  /* --- Out parameters that may hold a cursor (every getObject, generated, passes through these) --- */

  /** A cursor out parameter gets its own handle (not the statement's cached one: it is a second result). */
  @Override
  @Nullable Object wrapCursor(@Nullable Object value) {
    return value instanceof ResultSet cursor ? new ResultSetHandle(cursor, this, connection) : value;
  }

  /** Only when the caller asked for a type the handle satisfies; asking for a driver class gets the driver's object. */
  @Override
  @Nullable <T> T wrapCursor(@Nullable T value, Class<T> type) {
    return value instanceof ResultSet cursor && type.isAssignableFrom(ResultSetHandle.class)
        ? type.cast(new ResultSetHandle(cursor, this, connection))
        : value;
  }
}
