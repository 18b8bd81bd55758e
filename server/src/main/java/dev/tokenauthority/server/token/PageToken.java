package dev.tokenauthority.server.token;

import dev.tokenauthority.server.error.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * Opaque keyset page tokens: where the last page ended, bound to the filter that produced it
 * (AIP-158: a page token used with other filters is an error, not a silently wrong page).
 */
public final class PageToken {
  private static final String VERSION = "1";

  private PageToken() {}

  /** The position after which the next page starts: the last item's create time and id. */
  public record Position(Instant createTime, String id) {}

  static String encode(Position position, String fingerprint) {
    String text = String.join(
        ":", VERSION, Long.toString(position.createTime().toEpochMilli()), position.id(),
        Long.toHexString(crc(fingerprint)));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The position in {@code token}; null for an empty token (the first page). */
  static Position decode(String token, String fingerprint) {
    if (token.isEmpty()) {
      return null;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = text.split(":", -1);
      if (parts.length != 4 || !VERSION.equals(parts[0])) {
        throw invalid("page_token is not one this server issued");
      }
      if (Long.parseUnsignedLong(parts[3], 16) != crc(fingerprint)) {
        throw invalid("page_token was issued for other filters; send the same filters, or no page_token");
      }
      return new Position(Instant.ofEpochMilli(Long.parseLong(parts[1])), parts[2]);
    } catch (IllegalArgumentException e) { // bad base64 or numbers
      throw invalid("page_token is not one this server issued");
    }
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
