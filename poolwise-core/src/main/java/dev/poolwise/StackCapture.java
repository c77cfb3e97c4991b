package dev.poolwise;

/** Whether the pool records where each connection was borrowed (shown for leaks and in the holder table). */
public enum StackCapture {
  /** Never: borrowing costs nothing extra; the holder table shows thread and tag only. */
  OFF,
  /** One borrow in 256 per pool, plus every borrow once a leak or a timeout has been seen: cheap and usually enough. */
  SAMPLED,
  /** Every borrow: the exact site of every holder, at the cost of one stack walk per borrow. */
  ALWAYS
}
