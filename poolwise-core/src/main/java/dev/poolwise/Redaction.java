package dev.poolwise;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of every string the pool produces. All messages, log lines and {@code toString}
 * output that mention a URL or driver properties go through here.
 */
final class Redaction {

  static final String HIDDEN = "<hidden>";

  /** {@code password=secret} in a query string or a semicolon-separated JDBC URL (SQL Server style). */
  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)((?:^|[?&;])(?:password|pwd|passwd|sslpassword|ssl_password|pass)=)[^&;]*");

  private Redaction() {}

  /**
   * The URL with any password hidden: in user info ({@code scheme://user:secret@host}, also when the user
   * or password contains an unencoded {@code @} or {@code :}), in an Oracle-style subname
   * ({@code jdbc:oracle:thin:user/secret@//host}), and in {@code password=} parameters. Errs on the side
   * of hiding too much: everything between the user name and the last {@code @} before the query goes.
   */
  @Contract("!null -> !null")
  static @Nullable String redactUrl(@Nullable String url) {
    if (url == null) {
      return null;
    }
    String redacted = redactUserInfo(url);
    return PASSWORD_PARAMETER.matcher(redacted).replaceAll("$1" + Matcher.quoteReplacement(HIDDEN));
  }

  private static String redactUserInfo(String url) {
    int queryStart = firstIndexOf(url, '?', '#');
    int at = url.lastIndexOf('@', queryStart - 1);
    if (at < 0) {
      return url;
    }
    int slashes = url.indexOf("//");
    if (slashes >= 0 && slashes < at) {
      // scheme://user:password@host — the user ends at the first ':' after '//'.
      int colon = url.indexOf(':', slashes + 2);
      return colon >= 0 && colon < at ? url.substring(0, colon + 1) + HIDDEN + url.substring(at) : url;
    }
    // jdbc:vendor:sub:user/password@… (Oracle thin) or jdbc:vendor:user:password@… — the credentials are the
    // segment after the last ':' that precedes the user/password separator.
    int slash = url.lastIndexOf('/', at);
    if (slash > 0) {
      return url.substring(0, slash + 1) + HIDDEN + url.substring(at);
    }
    int lastColon = url.lastIndexOf(':', at);
    int userColon = lastColon > 0 ? url.lastIndexOf(':', lastColon - 1) : -1;
    return userColon >= 0 ? url.substring(0, lastColon + 1) + HIDDEN + url.substring(at) : url;
  }

  private static int firstIndexOf(String text, char first, char second) {
    int a = text.indexOf(first);
    int b = text.indexOf(second);
    if (a < 0) {
      return b < 0 ? text.length() : b;
    }
    return b < 0 ? a : Math.min(a, b);
  }

  /** A sorted copy with the values of secret-looking keys hidden. */
  static Map<String, String> redactProperties(Map<String, String> properties) {
    Map<String, String> copy = new TreeMap<>();
    properties.forEach((key, value) -> copy.put(key, isSecretKey(key) ? HIDDEN : value));
    return copy;
  }

  static boolean isSecretKey(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return lower.contains("password") || lower.contains("passwd") || lower.equals("pwd") || lower.contains("secret")
        || lower.contains("token") || lower.equals("sslkey");
  }
}
