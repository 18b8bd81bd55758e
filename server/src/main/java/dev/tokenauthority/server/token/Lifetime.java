package dev.tokenauthority.server.token;

import java.time.Duration;

/** The lifetime bounds of one token kind: a requested ttl must lie within {@code [min, max]}. */
public record Lifetime(Duration min, Duration max, Duration defaultTtl) {
  public Lifetime {
    if (min.isNegative() || min.isZero()) {
      throw new IllegalArgumentException("minimum lifetime must be positive, was " + min);
    }
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException("maximum lifetime " + max + " is below minimum " + min);
    }
    if (defaultTtl.compareTo(min) < 0 || defaultTtl.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "default lifetime " + defaultTtl + " is outside [" + min + ", " + max + "]");
    }
  }

  /** Whether {@code ttl} is allowed. */
  public boolean allows(Duration ttl) {
    return ttl.compareTo(min) >= 0 && ttl.compareTo(max) <= 0;
  }
}
