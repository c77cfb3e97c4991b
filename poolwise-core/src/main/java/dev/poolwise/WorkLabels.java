package dev.poolwise;

import java.util.Objects;

/**
 * The per-thread tag and lane behind {@link Poolwise}. A {@link ThreadLocal} holding one small
 * immutable record per thread: not a cache (nothing is reused across requests), so it suits virtual
 * threads, which live for one request and whose thread-locals die with them.
 *
 * <p>Concurrency: confined to the owning thread. A scope restores exactly the labels that were in
 * effect when it opened, so scopes nest; closing scopes out of order restores the labels of the
 * scope closed last, which is the best that can be done and never throws.
 */
final class WorkLabels {

  /** The labels in effect: both may be {@code null}. */
  record Labels(String tag, String lane) {}

  private static final Labels NONE = new Labels(null, null);
  private static final ThreadLocal<Labels> CURRENT = ThreadLocal.withInitial(() -> NONE);

  private WorkLabels() {}

  static Labels current() {
    return CURRENT.get();
  }

  static String currentTag() {
    return CURRENT.get().tag();
  }

  static Poolwise.Scope openTag(String tag) {
    Objects.requireNonNull(tag, "tag");
    Labels before = CURRENT.get();
    CURRENT.set(new Labels(tag, before.lane()));
    return () -> CURRENT.set(before);
  }

  static Poolwise.Scope openLane(String lane) {
    Objects.requireNonNull(lane, "lane");
    Labels before = CURRENT.get();
    CURRENT.set(new Labels(before.tag(), lane));
    return () -> CURRENT.set(before);
  }
}
