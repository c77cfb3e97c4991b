package dev.poolwise;

import java.util.Objects;

/**
 * A user name and password for opening physical connections.
 *
 * <p>Give the pool a {@code Supplier<Credentials>} (see {@link PoolwiseDataSource.Builder#credentials})
 * when passwords rotate: the supplier is asked before every new physical connection, so a rotated
 * password takes effect without restarting the pool. {@link #toString()} never shows the password.
 *
 * @param username the database user, or {@code null} to let the driver decide (URL, environment)
 * @param password the password, or {@code null} for none
 */
public record Credentials(@Nullable String username, @Nullable String password) {

  /** Credentials with a user name only (trust, peer or certificate authentication). */
  public static Credentials of(@Nullable String username) {
    return new Credentials(username, null);
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=" + (password == null ? "<none>" : "<hidden>") + "]";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Credentials that
        && Objects.equals(username, that.username)
        && Objects.equals(password, that.password);
  }

  @Override
  public int hashCode() {
    return Objects.hash(username, password);
  }
}
