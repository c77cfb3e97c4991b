package dev.poolwise;

import java.util.Arrays;

/**
 * Where a connection was borrowed, captured as cheaply as the JDK allows: a plain {@link Throwable},
 * whose constructor records the VM's compact backtrace and defers building {@link StackTraceElement}s
 * until someone asks for them. That only happens when a person will read the result (a holder table,
 * a leak warning), so the borrowing thread pays for the capture and nothing else. The pool's own frames
 * are dropped at that point, not at capture time.
 */
final class BorrowSite extends Throwable {

  private static final long serialVersionUID = 1L;

  BorrowSite() {
    super("Connection borrowed here");
  }

  /** A copy without the pool's own frames on top, for logging. */
  Throwable trimmed() {
    StackTraceElement[] frames = getStackTrace();
    int first = 0;
    while (first < frames.length - 1 && isPoolInternal(frames[first].getClassName())) {
      first++;
    }
    Throwable copy = new Throwable(getMessage());
    copy.setStackTrace(Arrays.copyOfRange(frames, first, frames.length));
    return copy;
  }

  /** The pool's own frames at the top of a borrow stack: shown to nobody, so skipped (here and in the holder table). */
  static boolean isPoolInternal(String className) {
    return className.equals(BorrowSite.class.getName()) || className.equals(ConnectionPool.class.getName())
        || className.equals(PoolwiseDataSource.class.getName()) || className.equals(MultipleAcquisitionLog.class.getName());
  }
}
