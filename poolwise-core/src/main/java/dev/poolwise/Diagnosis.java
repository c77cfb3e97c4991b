package dev.poolwise;

/**
 * The pool's explanation of its own state: a one-sentence verdict naming the likely cause, the
 * snapshot it was drawn from, and a compact table of who holds the connections.
 *
 * @param cause the category of the verdict
 * @param verdict one sentence a person can act on
 * @param holderTable holders grouped by tag and acquisition site, longest-held first (several lines)
 * @param snapshot the pool state the verdict was drawn from
 */
public record Diagnosis(Cause cause, String verdict, String holderTable, PoolSnapshot snapshot) {

  /** What the verdict blames. */
  public enum Cause {
    /** Nothing is wrong: connections are available or waits are short. */
    HEALTHY,
    /** New connections cannot be opened: the server refuses (53300, authentication) or is unreachable. */
    CREATION_FAILING,
    /** Every holder is waiting for a second connection: the pool has locked itself. */
    POOL_LOCKED,
    /** Connections held far longer than the leak threshold: likely never closed. */
    LEAK,
    /** Connections held inside an open transaction while no SQL runs. */
    IDLE_IN_TRANSACTION,
    /** Connections held while no SQL runs and no transaction is open: held across non-database work. */
    HELD_IDLE,
    /** Every connection is executing SQL, slowly: the database is the bottleneck. */
    SLOW_SQL,
    /** Connections are used briefly but demand exceeds the pool: it is simply too small for the load. */
    DEMAND_ABOVE_CAPACITY
  }

  @Override
  public String toString() {
    return verdict + (holderTable.isEmpty() ? "" : "\n" + holderTable);
  }
}
