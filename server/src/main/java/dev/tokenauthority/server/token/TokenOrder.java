package dev.tokenauthority.server.token;

import java.time.Instant;

/**
 * The orders a token list can be read in. Each is a total order (ties broken by id), so pages
 * continue after the last token's key without skipping or repeating one.
 */
public enum TokenOrder {
  /** Newest first: the API's order. */
  NEWEST(true),
  OLDEST(false),
  /** The soonest to expire first; tokens that never expire last. */
  EXPIRES_SOONEST(false),
  /** The most recently used first; never-used tokens last. */
  LAST_USED(true),
  /** By label, A to Z (by code point). */
  LABEL(false);

  /** A never-expiring token sorts as if it expired at the end of time. */
  public static final long NEVER = Long.MAX_VALUE;

  private final boolean descending;

  TokenOrder(boolean descending) {
    this.descending = descending;
  }

  public boolean descending() {
    return descending;
  }

  /** Whether the key is text (compared as text) rather than a number. */
  public boolean textKey() {
    return this == LABEL;
  }

  /** Where a page that ends with {@code t} continues from. */
  public After after(TokenRecord t) {
    return new After(switch (this) {
      case NEWEST, OLDEST -> String.valueOf(t.createTime().toEpochMilli());
      case EXPIRES_SOONEST -> String.valueOf(t.expireTime() == null ? NEVER : t.expireTime().toEpochMilli());
      case LAST_USED -> String.valueOf(millis(t.lastUseTime()));
      case LABEL -> t.label();
    }, t.id());
  }

  private static long millis(Instant t) {
    return t == null ? 0 : t.toEpochMilli();
  }

  /**
   * The sort key and id of the token a page ended with.
   *
   * @param key the order's key, as text: epoch milliseconds or the label
   */
  public record After(String key, String id) {
    /** As a page token carries it: the id never holds a colon, so the last one separates them. */
    public String text() {
      return key + ":" + id;
    }

    /** The position in {@code text}, or null if it has no colon or (for a number) no number. */
    static After parse(String text, TokenOrder order) {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        return null;
      }
      String key = text.substring(0, colon);
      if (!order.textKey()) {
        try {
          Long.parseLong(key);
        } catch (NumberFormatException e) {
          return null;
        }
      }
      return new After(key, text.substring(colon + 1));
    }
  }
}
