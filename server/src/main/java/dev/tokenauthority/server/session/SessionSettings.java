package dev.tokenauthority.server.session;

import java.time.Duration;

/**
 * How long a session lasts. The access token's lifetime is the {@code session} token kind's
 * (1 hour by default); a refresh token lapses after {@code refreshIdle} unused, and no refresh
 * goes past {@code refreshAbsolute} from sign-in, however active the person.
 */
public record SessionSettings(Duration refreshIdle, Duration refreshAbsolute) {
  public static SessionSettings defaults() {
    return new SessionSettings(Duration.ofDays(30), Duration.ofDays(90));
  }
}
