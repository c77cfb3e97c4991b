package dev.poolwise.lab;

import java.time.Duration;

/**
 * The seed's {@code executeWithRetry}: a request whose connection did not come in time tries again, up to
 * {@code tries} attempts in all, {@code interval} apart. {@code --retry 3x1000ms}; {@link #NONE} is one try.
 */
record RetryPolicy(int tries, Duration interval) {

  static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO);

  RetryPolicy {
    if (tries < 1) {
      throw new IllegalArgumentException("--retry needs at least 1 try, got " + tries);
    }
    if (interval.isNegative()) {
      throw new IllegalArgumentException("--retry interval must not be negative, got " + interval);
    }
  }

  boolean retries() {
    return tries > 1;
  }
}
