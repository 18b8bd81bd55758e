package dev.tokenauthority.server.paging;

import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.error.Violations;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * Opaque keyset page tokens: where the last page ended, bound to the filter that produced it
 * (AIP-158: a page token used with other filters is an error, not a silently wrong page). Every
 * list of the API (tokens, connectors, audit events) pages with these.
 */
public final class PageToken {
  private static final String VERSION = "1";
  static final int DEFAULT_PAGE_SIZE = 50;
  static final int MAX_PAGE_SIZE = 500;

  private PageToken() {}

  /** The position after which the next page of tokens starts: the last one's create time and id. */
  public record Position(Instant createTime, String id) {
    /** As a page token carries it. */
    public String text() {
      return createTime.toEpochMilli() + ":" + id;
    }
  }

  /** The position in {@code token}; null for an empty token (the first page). */
  public static Position decode(String token, String fingerprint) {
    String position = decodeText(token, fingerprint);
    if (position == null) {
      return null;
    }
    int colon = position.indexOf(':');
    try {
      return new Position(Instant.ofEpochMilli(Long.parseLong(position.substring(0, colon))),
          position.substring(colon + 1));
    } catch (RuntimeException e) { // no colon, not a number
      throw invalid("page_token is not one this server issued");
    }
  }

  /** A page token for the item at {@code position} (any text) of the list {@code fingerprint}. */
  public static String encode(String position, String fingerprint) {
    String text = VERSION + ":" + Long.toHexString(crc(fingerprint)) + ":" + position;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The position text in {@code token}; null for an empty token (the first page).
   *
   * @throws InvalidArgumentException if the token is not ours or was issued for other filters
   */
  public static String decodeText(String token, String fingerprint) {
    if (token.isEmpty()) {
      return null;
    }
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid("page_token is not one this server issued");
    }
    String[] parts = text.split(":", 3);
    if (parts.length != 3 || !VERSION.equals(parts[0])) {
      throw invalid("page_token is not one this server issued");
    }
    long crc;
    try {
      crc = Long.parseUnsignedLong(parts[1], 16);
    } catch (NumberFormatException e) {
      throw invalid("page_token is not one this server issued");
    }
    if (crc != crc(fingerprint)) {
      throw invalid("page_token was issued for other filters; send the same filters, or no page_token");
    }
    return parts[2];
  }

  /** Checks a request's page_size: negative is an error. */
  public static void checkPageSize(int pageSize, Violations v) {
    if (pageSize < 0) {
      v.add("page_size", "FIELD_INVALID", "page_size must not be negative");
    }
  }

  /** How many items a page of {@code pageSize} holds: 0 means 50, at most 500. */
  public static int limit(int pageSize) {
    return pageSize == 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
  }

  /** The refusal of a page token whose position this server would not have written. */
  public static InvalidArgumentException notIssuedHere() {
    return invalid("page_token is not one this server issued");
  }

  private static InvalidArgumentException invalid(String message) {
    return InvalidArgumentException.of("page_token", "INVALID_PAGE_TOKEN", message);
  }

  private static long crc(String fingerprint) {
    CRC32 crc = new CRC32();
    crc.update(fingerprint.getBytes(StandardCharsets.UTF_8));
    return crc.getValue();
  }
}
