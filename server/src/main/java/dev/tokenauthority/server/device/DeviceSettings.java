package dev.tokenauthority.server.device;

import java.net.URI;
import java.time.Duration;

/**
 * The device flow's settings.
 *
 * @param verificationUri where people approve (the dashboard's device page)
 * @param startsPerMinute requests each peer address may start per minute
 * @param guessesPerMinute wrong user codes each signed-in person may enter per minute
 */
public record DeviceSettings(URI verificationUri, int startsPerMinute, int guessesPerMinute,
    Duration expiry, Duration interval) {
  public static DeviceSettings defaults() {
    return new DeviceSettings(URI.create("http://localhost:8080/device"), 10, 10,
        Duration.ofMinutes(15), Duration.ofSeconds(5));
  }
}
