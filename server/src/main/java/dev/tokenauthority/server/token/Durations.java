package dev.tokenauthority.server.token;

import java.time.Duration;

/** Durations in the words an operator uses: "30d", "12h", "90s". */
public final class Durations {
  private Durations() {}

  public static String describe(Duration d) {
    if (!d.isZero() && d.toNanosPart() == 0) {
      if (d.toSeconds() % 86_400 == 0) {
        return d.toDays() + "d";
      }
      if (d.toSeconds() % 3_600 == 0) {
        return d.toHours() + "h";
      }
      if (d.toSeconds() % 60 == 0) {
        return d.toMinutes() + "m";
      }
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
