package dev.poolwise;

/**
 * Labels for work, so the pool can say who holds its connections. Scoped: a label applies to the
 * connections the current thread borrows until the scope is closed, and scopes nest.
 *
 * <pre>{@code
 * try (var tag = Poolwise.tag("GET /dashboard")) {
 *   ... // connections borrowed here carry the tag in snapshots, timeout messages and logs
 * }
 * try (var lane = Poolwise.lane("background")) {
 *   ... // borrowed in the "background" lane: limited, and served after interactive work
 * }
 * }</pre>
 *
 * <p>The label lives with the thread that opened the scope; with virtual threads that is usually one
 * request. Work handed to another thread must open its own scope there.
 */
public final class Poolwise {

  private Poolwise() {}

  /** Label connections borrowed by this thread until the returned scope is closed. */
  public static Scope tag(String tag) {
    return ThreadWork.openTag(tag);
  }

  /**
   * Borrow in the named lane until the returned scope is closed. The lane must be configured on the pool
   * ({@link PoolwiseDataSource.Builder#lane}); borrowing in a lane a pool does not know fails with an
   * {@code SQLException} naming the lanes it has.
   */
  public static Scope lane(String lane) {
    return ThreadWork.openLane(lane);
  }

  /** The tag in effect on this thread, or {@code null}. */
  public static @Nullable String currentTag() {
    return ThreadWork.current().tag;
  }

  /** A label's scope; closing it restores the label that was in effect before. Never throws. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
