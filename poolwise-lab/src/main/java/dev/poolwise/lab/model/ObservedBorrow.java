package dev.poolwise.lab.model;

/**
 * One borrow seen in a production recording (Poolwise's JFR events): when the borrower asked, how long it
 * waited and held, which pool, under which tag, on which thread. Times are nanoseconds on the recording's
 * clock; {@code requestedAtNanos} is relative to the recording's first event.
 */
public record ObservedBorrow(
    long requestedAtNanos, long waitNanos, long holdNanos, String pool, String tag, long threadId) {}
