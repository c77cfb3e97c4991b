package dev.poolwise.lab;

import dev.poolwise.PoolwiseDataSource;
import dev.poolwise.StartMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One connection to a server someone else runs, for {@code doctor} and {@code advise --url}: a JDBC URL or a
 * {@code DATABASE_URL}, loopback only unless the user allows remote hosts, and never a secret in the output.
 *
 * <p>The URL itself is parsed by Poolwise (a one-connection pool), so {@code DATABASE_URL} semantics — percent
 * decoding, Prisma's parameters, {@code sslmode} — are the pool's and live in one place. This class reads the
 * URL only far enough to find the hosts (for the loopback check), a display form without credentials, and
 * the secrets to scrub from anything it prints.
 *
 * <p>Failure modes: a host name that does not resolve counts as remote (the check cannot prove otherwise);
 * secrets are scrubbed by exact text, so a password shorter than {@value #SHORTEST_SCRUBBED_SECRET} characters
 * is not searched for in free text (it would blank out ordinary words) — the output never echoes the URL's
 * user info or {@code password} parameter in the first place.
 */
final class LiveDatabase implements AutoCloseable {

  /** The application name this lab's own connection shows in {@code pg_stat_activity}. */
  static final String APPLICATION_NAME = "poolwise-lab";

  static final String HIDDEN = "<hidden>";

  private static final int SHORTEST_SCRUBBED_SECRET = 3;

  /** {@code scheme://[userinfo@]hosts[/database][?query]} — both URL forms, after an optional {@code jdbc:postgresql:}. */
  private static final Pattern AUTHORITY_FORM =
      Pattern.compile("^(?:jdbc:postgresql:|postgres(?:ql)?:)//(?:([^/?#]*)@)?([^/?#]*)(/[^?#]*)?(\\?[^#]*)?.*$",
          Pattern.CASE_INSENSITIVE);

  /** {@code jdbc:postgresql:database} and {@code jdbc:postgresql:/}: pgjdbc connects to localhost:5432. */
  private static final Pattern LOCAL_FORM = Pattern.compile("^jdbc:postgresql:(?!//)([^?]*)(\\?.*)?$", Pattern.CASE_INSENSITIVE);

  private static final Pattern SECRET_PARAMETER =
      Pattern.compile("(?i)(?:^|[?&;])(?:password|sslpassword)=([^&;#]*)");

  /** Statements that carry a password as a literal: CREATE/ALTER ROLE/USER … PASSWORD '…'. */
  private static final Pattern PASSWORD_LITERAL = Pattern.compile("(?i)(password\\s+)'(?:[^']|'')*'");

  private final PoolwiseDataSource pool;
  private final Connection connection;
  private final Target target;

  private LiveDatabase(PoolwiseDataSource pool, Connection connection, Target target) {
    this.pool = pool;
    this.connection = connection;
    this.target = target;
  }

  /**
   * What a URL points at, read without connecting.
   *
   * @param hosts host names or addresses, without ports or brackets
   * @param display {@code host:port/database} with no user info and no parameters
   * @param secrets texts that must never appear in output (passwords, raw and decoded)
   */
  record Target(List<String> hosts, String display, Set<String> secrets) {

    static Target parse(String url) {
      String trimmed = url.strip();
      Set<String> secrets = new LinkedHashSet<>();
      Matcher secretParameters = SECRET_PARAMETER.matcher(trimmed);
      while (secretParameters.find()) {
        addSecret(secrets, secretParameters.group(1));
      }
      Matcher authority = AUTHORITY_FORM.matcher(trimmed);
      if (authority.matches()) {
        String userInfo = authority.group(1);
        if (userInfo != null && userInfo.indexOf(':') >= 0) {
          addSecret(secrets, userInfo.substring(userInfo.indexOf(':') + 1));
        }
        List<String> hosts = new ArrayList<>();
        String hostList = authority.group(2);
        for (String entry : hostList.split(",")) {
          hosts.add(hostOf(entry));
        }
        String database = authority.group(3) == null ? "" : authority.group(3);
        return new Target(List.copyOf(hosts), hostList + database, secrets);
      }
      Matcher local = LOCAL_FORM.matcher(trimmed);
      if (local.matches()) {
        return new Target(List.of("localhost"), "localhost:5432/" + local.group(1).replaceFirst("^/", ""), secrets);
      }
      throw new IllegalArgumentException("Not a PostgreSQL URL: expected jdbc:postgresql://host:port/database or"
          + " postgresql://user:password@host:port/database (the URL is not repeated here: it may hold a password)");
    }

    private static String hostOf(String entry) {
      String host = entry.strip();
      if (host.startsWith("[")) {
        int close = host.indexOf(']');
        return close < 0 ? host.substring(1) : host.substring(1, close);
      }
      int colon = host.indexOf(':');
      return colon < 0 ? host : host.substring(0, colon);
    }

    private static void addSecret(Set<String> secrets, String raw) {
      if (raw == null || raw.isEmpty()) {
        return;
      }
      secrets.add(raw);
      try {
        secrets.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException malformed) {
        // The raw form is scrubbed; a malformed escape is not a second spelling the driver could use.
      }
    }

    /** The hosts that are not loopback addresses (empty when every host is). */
    List<String> remoteHosts() {
      List<String> remote = new ArrayList<>();
      for (String host : hosts) {
        if (!Loopback.isLoopback(host)) {
          remote.add(host.isEmpty() ? "(no host)" : host);
        }
      }
      return remote;
    }

  }

  /**
   * Connects to {@code url}. {@code user} (may be null) overrides the URL's; the password comes from the URL
   * or, when the URL has none, from {@code PGPASSWORD} as with psql.
   *
   * @throws IllegalArgumentException when a host is not loopback and {@code allowRemote} is false, or the URL is
   *     not a PostgreSQL URL
   */
  static LiveDatabase connect(String url, String user, boolean allowRemote) throws SQLException {
    Target target = Target.parse(url);
    List<String> remote = target.remoteHosts();
    if (!remote.isEmpty() && !allowRemote) {
      throw new IllegalArgumentException("Refusing to connect to " + String.join(", ", remote) + ": not a loopback"
          + " address. The lab inspects servers on this machine by default; pass --allow-remote to inspect "
          + (remote.size() == 1 ? "it" : "them") + " anyway.");
    }
    String environmentPassword = System.getenv("PGPASSWORD");
    boolean passwordFromEnvironment =
        target.secrets().isEmpty() && environmentPassword != null && !environmentPassword.isEmpty();
    Set<String> secrets = new LinkedHashSet<>(target.secrets());
    if (passwordFromEnvironment) {
      secrets.add(environmentPassword);
    }
    Target withSecrets = new Target(target.hosts(), target.display(), Set.copyOf(secrets));
    PoolwiseDataSource pool;
    try {
      PoolwiseDataSource.Builder builder = PoolwiseDataSource.builder().url(url)
          .poolName("poolwise-lab-inspect")
          .maxSize(1)
          .minIdle(0)
          .startMode(StartMode.FAIL_FAST)
          .connectTimeout(Duration.ofSeconds(10))
          .acquireTimeout(Duration.ofSeconds(15))
          .diagnostics(false)
          .registerMBean(false)
          .driverProperty("ApplicationName", APPLICATION_NAME);
      if (user != null && !user.isBlank()) {
        builder.username(user);
      }
      if (passwordFromEnvironment) {
        builder.password(environmentPassword);
      }
      pool = builder.build();
    } catch (SQLException | RuntimeException e) {
      throw scrubbed(e, withSecrets);
    }
    try {
      return new LiveDatabase(pool, pool.getConnection(), withSecrets);
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw scrubbed(e, withSecrets);
    }
  }

  /** The connection; auto-commit, owned by this object. */
  Connection connection() {
    return connection;
  }

  /** {@code host:port/database}, safe to print. */
  String display() {
    return target.display();
  }

  /** {@code text} with every known secret and every {@code PASSWORD '…'} literal replaced by {@value #HIDDEN}. */
  String scrub(String text) {
    return scrub(text, target);
  }

  static String scrub(String text, Target target) {
    if (text == null) {
      return null;
    }
    String result = PASSWORD_LITERAL.matcher(text).replaceAll("$1'" + Matcher.quoteReplacement(HIDDEN) + "'");
    for (String secret : target.secrets()) {
      if (secret.length() >= SHORTEST_SCRUBBED_SECRET) {
        result = result.replace(secret, HIDDEN);
      }
    }
    return result;
  }

  /** An exception with the same type of meaning and a scrubbed message; the cause chain is dropped on purpose. */
  private static SQLException scrubbed(Exception e, Target target) {
    StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
        message.append(" (caused by: ").append(cause.getMessage()).append(')');
      }
    }
    String sqlState = e instanceof SQLException sql ? sql.getSQLState() : null;
    return new SQLException("Could not connect to " + target.display() + ": " + scrub(message.toString(), target),
        sqlState);
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Closing our one borrowed connection; the pool closes the physical one below either way.
    } finally {
      pool.close();
    }
  }
}
