package dev.poolwise;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict RFC 3986 percent-decoding and -encoding for the parts of a {@code DATABASE_URL}.
 *
 * <p>Strict on purpose: {@code %} must be followed by two hex digits and the bytes must be valid UTF-8,
 * otherwise {@link MalformedEscape} is thrown so the caller can say which part of the URL is wrong
 * (without echoing it when that part is a password). {@code +} is a literal plus, as in libpq; only
 * HTML forms turn it into a space.
 */
final class PercentCoding {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PercentCoding() {}

  /** Thrown by {@link #decode}; {@link #getMessage()} describes the problem and quotes the bad escape. */
  static final class MalformedEscape extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedEscape(String message) {
      super(message, null, false, false);
    }
  }

  static String decode(String text) throws MalformedEscape {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '%') {
        flush(bytes, out);
        out.append(c);
        i++;
        continue;
      }
      if (i + 2 >= text.length()) {
        throw new MalformedEscape("'" + text.substring(i) + "' is an incomplete percent-escape (expected % and two hex digits)");
      }
      int high = Character.digit(text.charAt(i + 1), 16);
      int low = Character.digit(text.charAt(i + 2), 16);
      if (high < 0 || low < 0) {
        throw new MalformedEscape("'" + text.substring(i, i + 3) + "' is not a percent-escape (expected % and two hex digits)");
      }
      bytes.write(high << 4 | low);
      i += 3;
    }
    flush(bytes, out);
    return out.toString();
  }

  private static void flush(ByteArrayOutputStream bytes, StringBuilder out) throws MalformedEscape {
    if (bytes.size() == 0) {
      return;
    }
    try {
      out.append(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())));
    } catch (CharacterCodingException e) {
      throw new MalformedEscape("the percent-escapes do not form valid UTF-8");
    }
    bytes.reset();
  }

  /**
   * Encodes everything but RFC 3986 unreserved characters as UTF-8 {@code %XX}, so that any decoder —
   * strict, or {@code URLDecoder} as pgjdbc uses for the database name — gets the original text back.
   */
  static String encode(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' || c == '~')) {
        out.append(c);
      } else {
        out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
      }
    }
    return out.toString();
  }
}
