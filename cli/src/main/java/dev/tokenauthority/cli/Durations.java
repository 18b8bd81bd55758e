package dev.tokenauthority.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations as people type them: {@code 90d}, {@code 720h}, {@code 1h30m}, {@code 45s}, {@code 2w}. */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("(\\d{1,9}[wdhms])+");
  private static final Pattern PART = Pattern.compile("(\\d{1,9})([wdhms])");

  private Durations() {}

  /** Parses {@code text}; throws {@link IllegalArgumentException} saying what is accepted. */
  public static Duration parse(String text) {
    String s = text.strip().toLowerCase();
    if (!WHOLE.matcher(s).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration: use a number and a unit"
          + " (w, d, h, m, s), e.g. 90d, 720h or 1h30m");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(s);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "w" -> Duration.ofDays(7 * n);
        case "d" -> Duration.ofDays(n);
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      });
    }
    return total;
  }

  /** Short form for people: {@code 90d}, {@code 1h}, {@code 90m}, {@code 45s}. */
  public static String format(Duration d) {
    long s = d.getSeconds();
    if (s != 0 && s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s != 0 && s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s != 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  /** picocli's converter for duration options. */
  public static final class Converter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
