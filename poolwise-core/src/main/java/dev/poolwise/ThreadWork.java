package dev.poolwise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the pool knows about the current thread: the work label and lane opened with {@link Poolwise},
 * how many connections it holds from each pool (for the multiple-acquisition guard and the
 * pool-locking check) and which one it returned last (where it looks first).
 *
 * <p>Concurrency: one instance per thread, in a {@link ThreadLocal}. It is not a cache of connections
 * (nothing is reused across requests), so it suits virtual threads, which live for one request; its
 * state dies with the thread. {@link #tag}, {@link #lane} and the holdings table are touched only by
 * the owning thread. {@link Holding#count} is the exception: a connection may be returned on another
 * thread than the one that borrowed it, so it changes by atomic adds (uncontended in practice: the line
 * belongs to the owning thread's core).
 */
final class ThreadWork {

  /** How many connections one thread holds from one pool, and which one it borrowed last. */
  static final class Holding {
    private static final VarHandle COUNT;

    static {
      try {
        COUNT = MethodHandles.lookup().findVarHandle(Holding.class, "count", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final Thread thread;
    /** Changed only through {@link #add}; read plainly by the owning thread and under the pool's lock. */
    private volatile int count;
    /**
     * The entry this thread returned last to this pool: where it looks first for an idle connection, so a
     * platform thread keeps reusing "its" warm connection (most recently used first) and two threads do
     * not fight over one. A hint only: never a reservation, never a cache of connections (a virtual thread
     * that lives for one request simply has none); every use goes through the entry's compare-and-set.
     * Written and read by the owning thread only.
     */
    @Nullable PoolEntry lastReturned;
    /**
     * The entry the pool's locked path handed this thread without queueing it, between the pool's
     * {@code borrow} and its caller (which takes it at once, see {@link #takeServedAtOnce}); so a borrow that
     * does not wait allocates no waiter. Written and read by the owning thread only.
     */
    @Nullable PoolEntry servedAtOnce;

    Holding(Thread thread) {
      this.thread = thread;
    }

    int count() {
      return count;
    }

    void add(int delta) {
      COUNT.getAndAdd(this, delta);
    }

    /** The entry {@link #servedAtOnce}, cleared so that the holding keeps no borrowed entry reachable. */
    PoolEntry takeServedAtOnce() {
      PoolEntry entry = Nulls.castToNonNull(servedAtOnce); // taken only right after the borrow that set it
      servedAtOnce = null;
      return entry;
    }
  }

  private static final ThreadLocal<ThreadWork> CURRENT = ThreadLocal.withInitial(ThreadWork::new);
  private static final Object[] NO_POOLS = new Object[0];
  private static final Holding[] NO_HOLDINGS = new Holding[0];

  @Nullable String tag;
  @Nullable String lane;
  /**
   * Pool keys (not pools, so a thread never keeps a closed pool reachable) and their holdings: the first
   * pool inline (nearly every thread uses one pool, and a waiting virtual thread should cost little), any
   * further ones in the arrays.
   */
  private @Nullable Object firstPool;
  private @Nullable Holding firstHolding;
  private Object[] pools = NO_POOLS;
  private Holding[] holdings = NO_HOLDINGS;

  static ThreadWork current() {
    return CURRENT.get();
  }

  /** This thread's holding in the pool identified by {@code poolKey}; created on first use. */
  Holding holdingFor(Object poolKey) {
    if (firstPool == poolKey) {
      return Nulls.castToNonNull(firstHolding); // set together with firstPool, and a pool key is never null
    }
    if (firstPool == null) {
      firstPool = poolKey;
      firstHolding = new Holding(Thread.currentThread());
      return firstHolding;
    }
    Object[] keys = pools;
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] == poolKey) {
        return holdings[i];
      }
    }
    Holding created = new Holding(Thread.currentThread());
    pools = Arrays.copyOf(keys, keys.length + 1);
    pools[keys.length] = poolKey;
    holdings = Arrays.copyOf(holdings, keys.length + 1);
    holdings[keys.length] = created;
    return created;
  }

  static Poolwise.Scope openTag(String tag) {
    Objects.requireNonNull(tag, "tag");
    ThreadWork work = current();
    String before = work.tag;
    work.tag = tag;
    return () -> work.tag = before;
  }

  static Poolwise.Scope openLane(String lane) {
    Objects.requireNonNull(lane, "lane");
    ThreadWork work = current();
    String before = work.lane;
    work.lane = lane;
    return () -> work.lane = before;
  }
}
