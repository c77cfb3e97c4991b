package dev.poolwise.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every benchmark, every parameter value: set up, a few invocations, tear down, without JMH. Catches a
 * benchmark broken by a change in core or testkit at build time instead of at the start of a long run.
 */
class BenchmarksSmokeTest {

  private static final int INVOCATIONS = 100; // more than the pools' sizes, so connections are reused

  @ParameterizedTest
  @ValueSource(strings = {"off", "default", "stacks-always"})
  void diagnosticsOverhead(String variant) throws Exception {
    DiagnosticsOverheadBenchmark benchmark = new DiagnosticsOverheadBenchmark();
    benchmark.diagnostics = variant;
    benchmark.startPool();
    try {
      for (int i = 0; i < INVOCATIONS; i++) {
        assertThat(benchmark.borrowAndClose().isClosed()).isTrue();
        assertThat(benchmark.borrowPrepareExecute()).as("select 1 yields a result set").isTrue();
      }
    } finally {
      benchmark.stopPool();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"PostgreSQL+AUTO", "PostgreSQL+OFF", "Stub+AUTO"})
  void sessionResetOverhead(String variant) throws Exception {
    SessionResetOverheadBenchmark benchmark = new SessionResetOverheadBenchmark();
    benchmark.variant = variant;
    benchmark.startPool();
    try {
      for (int i = 0; i < INVOCATIONS; i++) {
        benchmark.borrowPrepareExecute();
      }
    } finally {
      benchmark.stopPool();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"poolwise", "hikari"})
  void borrowReturn(String pool) throws Exception {
    BorrowReturnBenchmark benchmark = new BorrowReturnBenchmark();
    benchmark.pool = pool;
    benchmark.startPool();
    try {
      for (int i = 0; i < INVOCATIONS; i++) {
        assertThat(benchmark.borrowReturn1Thread().isClosed()).isTrue();
        assertThat(benchmark.borrowReturn2Threads().isClosed()).isTrue();
      }
    } finally {
      benchmark.stopPool();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"poolwise", "hikari"})
  void poolCycle(String pool) throws Exception {
    for (int size : new int[] {4, 64}) {
      PoolCycleBenchmark benchmark = new PoolCycleBenchmark();
      benchmark.pool = pool;
      benchmark.poolSize = size;
      benchmark.startPool();
      try {
        for (int i = 0; i < INVOCATIONS; i++) {
          assertThat(benchmark.borrowReturn1Thread().isClosed()).isTrue();
          assertThat(benchmark.borrowReturn2Threads().isClosed()).isTrue();
          assertThat(benchmark.borrowReturn8Threads().isClosed()).isTrue();
          assertThat(benchmark.borrowReturn32Threads().isClosed()).isTrue();
          assertThat(benchmark.statement1Thread()).as("select 1 yields a result set").isTrue();
          assertThat(benchmark.statement2Threads()).isTrue();
          assertThat(benchmark.statement8Threads()).isTrue();
          assertThat(benchmark.statement32Threads()).isTrue();
        }
      } finally {
        benchmark.stopPool();
      }
    }
  }

  @org.junit.jupiter.api.Test
  void virtualThreadHarness() throws Exception {
    // 50 virtual threads on a pool of 4 (so they queue), two short rounds per pool
    var rounds = VirtualThreadHarness.run(50, 4, java.time.Duration.ofMillis(100), 2);
    assertThat(rounds).hasSize(4).allSatisfy(round -> assertThat(round.opsPerSecond()).isPositive());
  }
}
