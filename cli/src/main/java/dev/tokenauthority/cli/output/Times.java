package dev.tokenauthority.cli.output;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times for people: dates in UTC and "in 89 days" / "3 days ago" / "never". */
public final class Times {
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private Times() {}

  /** Whether the optional timestamp field is set (proto3 message fields: the has-method says so). */
  public static Instant instant(boolean present, Timestamp ts) {
    return present ? Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()) : null;
  }

  /** The protobuf form of {@code t}, for request filters. */
  public static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  public static String date(Instant t) {
    return t == null ? "-" : DATE.format(t);
  }

  public static String dateTime(Instant t) {
    return t == null ? "-" : DATE_TIME.format(t);
  }

  /** "2027-03-04 14:00:00 UTC (in 90 days)", or {@code absent} when there is no time. */
  public static String full(Instant t, Instant now, String absent) {
    return t == null ? absent : dateTime(t) + " (" + relative(t, now) + ")";
  }

  /** "in 90 days", "3 hours ago", "just now"; the largest unit, rounded. */
  public static String relative(Instant t, Instant now) {
    if (t == null) {
      return "never";
    }
    Duration d = Duration.between(now, t);
    boolean future = !d.isNegative();
    long s = Math.abs(d.getSeconds());
    if (s < 60) {
      return "just now";
    }
    String amount;
    if (s < 3_600) {
      amount = plural(Math.round(s / 60.0), "minute");
    } else if (s < 86_400) {
      amount = plural(Math.round(s / 3_600.0), "hour");
    } else if (s < 2 * 365 * 86_400L) {
      amount = plural(Math.round(s / 86_400.0), "day");
    } else {
      amount = plural(Math.round(s / (365.25 * 86_400)), "year");
    }
    return future ? "in " + amount : amount + " ago";
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
