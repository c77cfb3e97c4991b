package dev.poolwise;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** "Did you mean …?" for misspelt configuration keys and URL parameters. */
final class Suggestions {

  private Suggestions() {}

  /**
   * The candidates closest to {@code typed}: equal ignoring case, {@code _}/{@code -}/{@code .}, or within a
   * small edit distance (two edits, three for longer names). Closest first, at most three.
   */
  static List<String> closest(String typed, Collection<String> candidates) {
    String normalTyped = normalise(typed);
    int allowed = normalTyped.length() >= 10 ? 3 : 2;
    return candidates.stream()
        .filter(candidate -> distance(normalTyped, normalise(candidate)) <= allowed)
        .sorted(Comparator.comparingInt((String candidate) -> distance(normalTyped, normalise(candidate)))
            .thenComparing(Comparator.naturalOrder()))
        .limit(3)
        .collect(Collectors.toList());
  }

  /** {@code " (did you mean 'a' or 'b'?)"}, or the empty string when nothing is close. */
  static String didYouMean(String typed, Collection<String> candidates) {
    List<String> close = closest(typed, candidates);
    if (close.isEmpty()) {
      return "";
    }
    return close.stream().map(c -> "'" + c + "'").collect(Collectors.joining(" or ", " (did you mean ", "?)"));
  }

  private static String normalise(String name) {
    return name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "").replace(".", "");
  }

  /** Levenshtein distance; names are short, so the quadratic table is fine. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
