package dev.tokenauthority.server.revocation;

import java.time.Duration;

/**
 * The feed's limits. {@code tick} is how often it looks for rotation grace periods that ended
 * and retries a delivery that failed: a safety net, since every commit that publishes wakes it at once.
 */
public record FeedLimits(Duration heartbeat, Duration retention, int streamsPerHolder, Duration maxStall,
    Duration tick) {
  public FeedLimits(Duration heartbeat, Duration retention, int streamsPerHolder, Duration maxStall) {
    this(heartbeat, retention, streamsPerHolder, maxStall, Duration.ofMillis(250));
  }
}
