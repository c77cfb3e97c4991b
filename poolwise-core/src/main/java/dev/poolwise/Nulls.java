package dev.poolwise;

/**
 * NullAway's escape hatch for a value that cannot be null by an invariant NullAway cannot see (a field set in a
 * lifecycle method, a compare-and-set that only one thread wins, a map key read back from the same map). The
 * build names {@link #castToNonNull} to NullAway ({@code -XepOpt:NullAway:CastToNonNullMethod}); every call says
 * at its site why the value is not null. It checks nothing at run time: a wrong invariant still fails where the
 * value is used, as before.
 */
final class Nulls {

  private Nulls() {}

  /** {@code value}, which the caller knows is not null; no check (see the class comment). */
  @SuppressWarnings("NullAway") // the one place that returns a @Nullable as non-null: that is its job
  static <T> T castToNonNull(@Nullable T value) {
    return value;
  }
}
