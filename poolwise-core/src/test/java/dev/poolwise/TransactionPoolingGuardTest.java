package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which SQL the PgBouncer transaction-mode warning names (null: fine under transaction pooling). */
class TransactionPoolingGuardTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "SET search_path = app                      | set",
      "set session characteristics as transaction read only | set",
      "  LISTEN orders                            | listen",
      "PREPARE q AS select 1                      | prepare",
      "CREATE TEMP TABLE t (id int)               | create temp",
      "select pg_advisory_lock(42)                | pg_advisory_lock",
      "select pg_advisory_xact_lock(42)           | null",
      "SET LOCAL search_path = app                | null",
      "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE | null",
      "BEGIN                                      | null",
      "select * from orders                       | null",
      "DISCARD ALL                                | null"})
  void namesTheStatementsThatOutliveTheTransaction(String sql, String kind) {
    String seen = SessionStatements.changesSession(sql) ? TransactionPoolingGuard.kindOf(sql) : null;
    assertThat(seen).isEqualTo(kind);
  }
}
