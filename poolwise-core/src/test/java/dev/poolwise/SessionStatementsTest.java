package dev.poolwise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which SQL texts mark a PostgreSQL session for a reset on return ({@link SessionReset#AUTO}). */
class SessionStatementsTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "SET statement_timeout = 1",
      "set search_path to other",
      "  set local lock_timeout = '1s'",
      "SET ROLE reader",
      "RESET ALL",
      "reset search_path",
      "BEGIN",
      "begin isolation level serializable",
      "START TRANSACTION",
      "LISTEN orders",
      "PREPARE by_id AS select 1",
      "DECLARE c CURSOR WITH HOLD FOR select 1",
      "DISCARD TEMP",
      "LOAD 'auto_explain'",
      "DO $$ begin perform set_config('a.b', 'c', false); end $$",
      "COPY items FROM STDIN",
      "create temp table t (id int)",
      "CREATE TEMPORARY TABLE t (id int)",
      "create local temporary table t (id int)",
      "create global temp table t (id int)",
      "create or replace temp view v as select 1",
      "select set_config('search_path', 'x', false)",
      "SELECT SET_CONFIG('work_mem', '1MB', false)",
      "select pg_advisory_lock(42)",
      "select pg_try_advisory_lock(1, 2)",
      "select pg_advisory_lock_shared(7)",
      "select 1; set work_mem = '1MB'",
      "select 1;\n-- comment\nset work_mem = '1MB'",
      "/* leading comment */ SET x.y = 1",
      "-- leading line comment\nset x.y = 1",
      "(set x.y = 1)",
      "\tBEGIN;"
  })
  void statementsThatChangeTheSessionAreRecognised(String sql) {
    assertThat(SessionStatements.changesSession(sql)).as(sql).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "select 1",
      "SELECT name FROM items WHERE id = ?",
      "select settings from user_settings where user_id = ?",
      "update items set name = ? where id = ?",
      "insert into items (id, name) values (?, ?)",
      "delete from items where reset_at < now()",
      "with x as (select 1) select * from x",
      "create table t (id int)",
      "create index on items (name)",
      "select pg_advisory_xact_lock(42)",
      "select pg_try_advisory_xact_lock(42)",
      "commit",
      "ROLLBACK",
      "savepoint a",
      "select 'a;b' as semicolon_in_literal",
      "select begin_date, start_time, listener from events",
      "analyze items",
      ""
  })
  void ordinaryStatementsAreNot(String sql) {
    assertThat(SessionStatements.changesSession(sql)).as(sql).isFalse();
  }

  @org.junit.jupiter.api.Test
  void nullIsNotASessionChange() {
    assertThat(SessionStatements.changesSession(null)).isFalse();
  }
}
