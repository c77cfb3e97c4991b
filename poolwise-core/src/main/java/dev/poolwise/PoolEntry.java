package dev.poolwise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One physical connection and its bookkeeping.
 *
 * <p>Concurrency: ownership moves through {@link #stateWord}, one volatile long changed only by
 * compare-and-set: the low bits are the state, the rest a borrow sequence number that grows with every
 * hand-out, so a compare-and-set made from an old observation (the housekeeper reclaiming a leak it saw
 * a moment ago) fails if the entry has been returned and lent again meanwhile (no ABA). Whoever moves an
 * entry into {@link #CLAIMED} or {@link #RETURNING} owns its borrow bookkeeping until it publishes the
 * next state, so those plain fields need no lock: the volatile write that publishes the state orders
 * them for the next owner. Snapshots and the housekeeper read the bookkeeping of {@link #IN_USE} entries
 * racily and tolerate a borrow that ends while they look. {@link #evictionReason} is volatile because a connection handle sets it from the
 * borrowing thread (a statement failed with a broken-connection SQLState) and the housekeeper sets it
 * (max lifetime, soft eviction) while someone else holds the entry; the first reason wins, later ones
 * are ignored, which is benign: any reason is enough to close the connection on its return.
 * {@link #validateBeforeNextHandOut} is a plain flag set by any thread (a sibling broke, see
 * {@link SiblingSuspicion}) and read and cleared by the owner at hand-out; it is deliberately not
 * volatile and not a bit of the state word, so an unmarked borrow pays one plain load and no fence. A mark
 * the claimer does not see yet is benign: it costs at most the one failed statement the pool cost before
 * marks existed.
 */
final class PoolEntry extends CacheLinePadding {

  /** Idle, ready to hand out. */
  static final int IDLE = 0;
  /** Borrowed by the application through a handle. */
  static final int IN_USE = 1;
  /** Taken out of the idle set by the housekeeper for a keepalive check. */
  static final int RESERVED = 2;
  /** Closed or being closed; no longer counted in the pool. */
  static final int REMOVED = 3;
  /** Just taken from idle; its new borrower's bookkeeping is being written (counts as in use). */
  static final int CLAIMED = 4;
  /** Being returned; its borrow's bookkeeping is being closed (counts as in use). */
  static final int RETURNING = 5;

  private static final int STATE_BITS = 3;
  private static final long STATE_MASK = (1L << STATE_BITS) - 1;

  final Connection raw;
  final ConnectionDefaults defaults;
  final long createdNanos;
  /** When max lifetime retires this connection ({@link Long#MAX_VALUE} when there is no lifetime). */
  final long retireAtNanos;
  /** A sequence number for messages and tests ("connection #7"). */
  final long id;

  /** Whether handles record the SQL in flight and transaction start (diagnostics or SQL logging on). */
  final boolean tracksSql;
  /** The pool's SQL log, or {@code null} when SQL logging is off. */
  final @Nullable SqlLog sqlLog;

  /** {@code borrowSequence << STATE_BITS | state}; see the class comment. A new entry starts in use by its creator. */
  private volatile long stateWord = IN_USE;
  /** Hand-outs of this entry, for the pool's acquisition count; written by the entry's owner. */
  long borrows;
  /** This entry's recent hold and wait times; written by the entry's owner, read racily by snapshots. */
  final RecentTimings holdTimes = new RecentTimings(RecentTimings.PER_CONNECTION);
  final RecentTimings waitTimes = new RecentTimings(RecentTimings.PER_CONNECTION);

  // The current borrow, for the holder table. Written by whoever claimed the entry before it publishes it
  // IN_USE (see the class comment); read racily by snapshots and the housekeeper after they read the state
  // word. The SQL fields below are written by the borrowing thread on every execute and read the same way.
  /** The borrowing thread. */
  @Nullable Thread borrower;
  /** The work label in effect when it was borrowed, or null. */
  @Nullable String tag;
  /** The lane it was borrowed in (0 = default). */
  int lane;
  /** When it was handed out. */
  long acquiredNanos;
  /** The borrower's per-pool holding count, for the multiple-acquisition guard. */
  @Nullable ThreadWork.Holding holding;
  /** Whether the current borrow has been reported as a suspected leak. */
  boolean leakReported;
  /**
   * Where it was borrowed, when stacks are captured; written by the borrower right after borrowing (a
   * release store, see {@link #acquisitionStack()}), cleared by whoever ends the borrow.
   */
  private @Nullable Throwable acquisitionStack;
  // What the borrower is doing, written by the borrowing thread on every execute and read by snapshots on
  // other threads. Release/acquire through VarHandles rather than volatile: on the execute path a volatile
  // store costs a full fence each (measured: ~45 ns per execute for four of them), a release store costs
  // nothing extra on x86, and a reader that acquires executingSql also sees the start time written before it.
  private @Nullable String executingSql;
  private long executingSinceNanos;
  private @Nullable String lastSql;
  private long transactionSinceNanos;

  private static final VarHandle EXECUTING_SQL;
  private static final VarHandle EXECUTING_SINCE;
  private static final VarHandle LAST_SQL;
  private static final VarHandle TRANSACTION_SINCE;

  private static final VarHandle STATE_WORD;
  private static final VarHandle ACQUISITION_STACK;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE_WORD = lookup.findVarHandle(PoolEntry.class, "stateWord", long.class);
      ACQUISITION_STACK = lookup.findVarHandle(PoolEntry.class, "acquisitionStack", Throwable.class);
      EXECUTING_SQL = lookup.findVarHandle(PoolEntry.class, "executingSql", String.class);
      EXECUTING_SINCE = lookup.findVarHandle(PoolEntry.class, "executingSinceNanos", long.class);
      LAST_SQL = lookup.findVarHandle(PoolEntry.class, "lastSql", String.class);
      TRANSACTION_SINCE = lookup.findVarHandle(PoolEntry.class, "transactionSinceNanos", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Where the current borrow was made, or {@code null} when its stack was not captured. */
  @Nullable Throwable acquisitionStack() {
    return (Throwable) ACQUISITION_STACK.getAcquire(this);
  }

  void acquisitionStack(Throwable site) {
    ACQUISITION_STACK.setRelease(this, site);
  }

  /* --- State --- */

  /** The current state, one of the constants above. */
  int state() {
    return (int) (stateWord & STATE_MASK);
  }

  /** The state word, for a later {@link #compareAndSet}; read it before the fields it guards. */
  long stateWord() {
    return stateWord;
  }

  static int stateOf(long word) {
    return (int) (word & STATE_MASK);
  }

  /** Whether the entry counts as borrowed (handed out, being handed out or being returned). */
  static boolean isBorrowed(int state) {
    return state == IN_USE || state == CLAIMED || state == RETURNING;
  }

  /** Moves from exactly {@code expectedWord} (as read) to {@code newState}, keeping the sequence number. */
  boolean compareAndSet(long expectedWord, int newState) {
    return STATE_WORD.compareAndSet(this, expectedWord, (expectedWord & ~STATE_MASK) | newState);
  }

  /** Moves from {@code expectedState} (any sequence) to {@code newState}; false if the state was another. */
  boolean transition(int expectedState, int newState) {
    long word = stateWord;
    return stateOf(word) == expectedState && compareAndSet(word, newState);
  }

  /**
   * Takes an idle entry for a new borrow ({@link #IDLE} to {@link #CLAIMED}, with the next sequence
   * number); false if someone else was faster or it is not idle. The winner writes the borrow's
   * bookkeeping and then calls {@link #publish}.
   */
  boolean tryClaim() {
    long word = stateWord;
    return stateOf(word) == IDLE
        && STATE_WORD.compareAndSet(this, word, ((word >>> STATE_BITS) + 1) << STATE_BITS | CLAIMED);
  }

  /** The owner of a claimed or returning entry publishes its next state (and the fields written before). */
  void publish(int newState) {
    stateWord = (stateWord & ~STATE_MASK) | newState;
  }

  /**
   * The claimer publishes the borrow ({@link #CLAIMED} to {@link #IN_USE}). A release store: readers
   * that see {@code IN_USE} see the bookkeeping written before it, and nothing on the borrow path needs
   * the full fence of a volatile store here (only publishing {@link #IDLE} does: the waiter handshake).
   */
  void publishInUse() {
    STATE_WORD.setRelease(this, (stateWord & ~STATE_MASK) | IN_USE);
  }

  /** Marks the entry removed, whatever its state was. */
  void markRemoved() {
    publish(REMOVED);
  }

  /** The borrower starts executing {@code sql} (may be null for a batch). */
  void startExecuting(@Nullable String sql, long nowNanos) {
    EXECUTING_SINCE.setOpaque(this, nowNanos);
    EXECUTING_SQL.setRelease(this, sql == null ? "(batch)" : sql);
  }

  /** The borrower's statement finished; returns its SQL. */
  String finishExecuting() {
    String sql = (String) EXECUTING_SQL.getOpaque(this);
    LAST_SQL.setRelease(this, sql);
    EXECUTING_SQL.setRelease(this, null);
    return sql;
  }

  /** The SQL executing now, or null. */
  @Nullable String executingSql() {
    return (String) EXECUTING_SQL.getAcquire(this);
  }

  /** When the current SQL started; meaningful after {@link #executingSql()} returned non-null. */
  long executingSinceNanos() {
    return (long) EXECUTING_SINCE.getOpaque(this);
  }

  /** The SQL executed last in this borrow, or null. */
  @Nullable String lastSql() {
    return (String) LAST_SQL.getAcquire(this);
  }

  /** When the transaction the borrower may have open started; 0 when none is open. */
  long transactionSinceNanos() {
    return (long) TRANSACTION_SINCE.getAcquire(this);
  }

  void transactionSince(long nanos) {
    TRANSACTION_SINCE.setRelease(this, nanos);
  }
  /**
   * When the application last returned this connection (or when it was created). Written by the returner
   * before it publishes the entry idle; the housekeeper reads it after reading the state word.
   */
  long lastReleasedNanos;
  /** When the housekeeper last validated this connection while idle. */
  long lastKeepaliveNanos;
  /**
   * Validate before the next hand-out, whatever the idle time: a sibling broke in a way that usually
   * breaks them all. Set by {@link SiblingSuspicion} from any thread, cleared by the owner at hand-out;
   * plain on purpose (see the class comment).
   */
  boolean validateBeforeNextHandOut;
  private volatile @Nullable String evictionReason;
  /** Told when this connection breaks, so the siblings are validated; {@code null} in unit tests of handles. */
  private final @Nullable SiblingSuspicion siblings;
  /** Whether a break was already reported to {@link #siblings}; only the borrowing thread reports one. */
  private boolean breakReported;

  PoolEntry(long id, Connection raw, ConnectionDefaults defaults, long createdNanos, long retireAtNanos) {
    this(id, raw, defaults, createdNanos, retireAtNanos, true, null, null);
  }

  PoolEntry(long id, Connection raw, ConnectionDefaults defaults, long createdNanos, long retireAtNanos,
      boolean diagnostics, @Nullable SqlLog sqlLog, @Nullable SiblingSuspicion siblings) {
    this.sqlLog = sqlLog;
    this.siblings = siblings;
    this.tracksSql = diagnostics || sqlLog != null;
    this.id = id;
    this.raw = raw;
    this.defaults = defaults;
    this.createdNanos = createdNanos;
    this.retireAtNanos = retireAtNanos;
    this.lastReleasedNanos = createdNanos;
    this.lastKeepaliveNanos = createdNanos;
  }

  /** Starts a borrow's bookkeeping; called by whoever claimed the entry, before it publishes it in use. */
  void beginBorrow(Thread borrower, @Nullable String tag, int lane, ThreadWork.Holding holding, long nowNanos) {
    this.borrower = borrower;
    this.tag = tag;
    this.lane = lane;
    this.holding = holding;
    this.acquiredNanos = nowNanos;
    this.leakReported = false;
    ACQUISITION_STACK.setRelease(this, null);
    EXECUTING_SQL.setRelease(this, null);
    LAST_SQL.setRelease(this, null);
    TRANSACTION_SINCE.setRelease(this, 0L);
  }

  /** Ends a borrow's bookkeeping; called by whoever moved the entry out of {@link #IN_USE}. */
  void endBorrow() {
    borrower = null;
    holding = null;
    ACQUISITION_STACK.setRelease(this, null);
  }

  /** Whether max lifetime has retired this connection at {@code nowNanos}. */
  boolean isPastLifetime(long nowNanos) {
    return retireAtNanos != Long.MAX_VALUE && nowNanos - retireAtNanos >= 0;
  }

  /**
   * Called by a handle when a JDBC call failed; marks the entry for eviction when the failure means it is
   * dead, and the first time tells {@link SiblingSuspicion}, which may mark the other connections too.
   */
  void checkBroken(SQLException failure) {
    if (BrokenConnections.isBroken(failure)) {
      markForEviction("broken (SQLState " + failure.getSQLState() + ")");
      if (siblings != null && !breakReported) {
        breakReported = true;
        siblings.broke(this, failure);
      }
    }
  }

  /** Close this connection instead of reusing it; the first reason given is kept. */
  void markForEviction(String reason) {
    if (evictionReason == null) {
      evictionReason = reason;
    }
  }

  /** Why this entry will be closed, or {@code null} while it is healthy. */
  @Nullable String evictionReason() {
    return evictionReason;
  }

  @Override
  public String toString() {
    return "connection #" + id;
  }
}
