package dev.poolwise;

/**
 * The pool in JMX ({@code dev.poolwise:type=Pool,name=<poolName>}), registered when
 * {@code registerMBean(true)} is set. Attributes are live counts and the current verdict; operations
 * control the pool. Nothing here ever contains a credential.
 */
public interface PoolwiseMXBean {

  String getPoolName();

  int getMaxSize();

  /**
   * The most connections the pool may hold now: {@link #getMaxSize()}, or its fleet budget's cap when that is
   * lower (see docs/fleet.md).
   */
  int getSizeLimit();

  /** "capped at 8 by the fleet budget: 12 members share 97 connections", or empty when the pool is in no fleet. */
  String getFleet();

  int getTotalConnections();

  int getActiveConnections();

  int getIdleConnections();

  int getThreadsAwaitingConnection();

  long getAcquisitions();

  long getTimeouts();

  /** The one-sentence verdict of {@link PoolwiseDataSource#diagnose()}. */
  String getVerdict();

  /** Retire every connection (idle now, borrowed on return). */
  void softEvictAll();

  /** New borrowers wait (up to their acquire timeout) until {@link #resume()}; returns still work. */
  void suspend();

  void resume();
}
