package dev.tokenauthority.server.dashboard;

import java.util.List;
import java.util.Map;

/** The create wizard's form and review steps: the fields, the catalogue, and errors by field. */
public record CreatePage(String csrf, String who, TokenForm form, List<String> kinds, List<String> catalogue,
    Map<String, String> errors, String expiresText) {
  /** Expiry presets; "custom" takes the date field. */
  public static final List<String> EXPIRIES = List.of("30d", "90d", "365d", "custom");

  /** The error shown beside {@code field} ("" for the form as a whole), or null. */
  public String error(String field) {
    return errors.get(field);
  }

  public static String expiryLabel(String preset) {
    return switch (preset) {
      case "30d" -> "30 days";
      case "90d" -> "90 days";
      case "365d" -> "1 year";
      default -> "a date";
    };
  }
}
