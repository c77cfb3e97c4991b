package dev.poolwise.lab;

import java.util.Locale;

/**
 * How the lab writes a measured figure, the same way in the table, the verdict and the HTML report:
 * thousands separated by commas, milliseconds with as many decimals as their size deserves, and a dash
 * for a figure that does not exist (null, NaN, infinite).
 */
final class Figures {

  /** Printed where a figure is missing: a model that did not apply, a row that did not run. */
  static final String MISSING = "–";

  private Figures() {}

  static boolean present(Double value) {
    return value != null && Double.isFinite(value);
  }

  /** Milliseconds: {@code 0.04}, {@code 3.1}, {@code 640}, {@code 12,500}. */
  static String ms(double value) {
    if (!Double.isFinite(value)) {
      return MISSING;
    }
    double magnitude = Math.abs(value);
    if (magnitude == 0) {
      return "0";
    }
    if (magnitude < 1) {
      return String.format(Locale.US, "%.2f", value);
    }
    if (magnitude < 10) {
      return String.format(Locale.US, "%.1f", value);
    }
    return String.format(Locale.US, "%,.0f", value);
  }

  static String ms(Double value) {
    return present(value) ? ms(value.doubleValue()) : MISSING;
  }

  /** A count of events: {@code 1,234}. */
  static String count(long value) {
    return String.format(Locale.US, "%,d", value);
  }

  /** A rate or a mean: {@code 38.5}, {@code 1,204.0}. */
  static String rate(double value) {
    return Double.isFinite(value) ? String.format(Locale.US, "%,.1f", value) : MISSING;
  }

  /** A relative difference as a percentage without sign: {@code 4.2 %}, {@code 37 %}. */
  static String percent(double ratio) {
    double percent = Math.abs(ratio) * 100;
    return percent < 10 ? String.format(Locale.US, "%.1f %%", percent) : String.format(Locale.US, "%,.0f %%", percent);
  }
}
