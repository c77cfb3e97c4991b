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

  /** {@code scheme://user:secret@host} → {@code scheme://user:<hidden>@host}. */
  private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/?#@:]*):[^/?#@]*@");

  /** {@code password=secret} in a query string or a semicolon-separated JDBC URL (SQL Server style). */
  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)((?:^|[?&;])(?:password|pwd|passwd|sslpassword|ssl_password|pass)=)[^&;]*");

  private Redaction() {}

  /** The URL with any password, in user info or in parameters, replaced by {@value #HIDDEN}. */
  static String redactUrl(String url) {
    if (url == null) {
      return null;
    }
    String withoutUserInfoPassword = USERINFO_PASSWORD.matcher(url).replaceAll("$1:" + Matcher.quoteReplacement(HIDDEN) + "@");
    return PASSWORD_PARAMETER.matcher(withoutUserInfoPassword).replaceAll("$1" + Matcher.quoteReplacement(HIDDEN));
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
