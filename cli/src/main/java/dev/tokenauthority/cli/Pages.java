package dev.tokenauthority.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Every page of a List call (AIP-158: follow next_page_token until it is empty), as one list. */
public final class Pages {
  /** One page: its items and the token of the next ("" on the last). */
  public record Page<T>(List<T> items, String next) {}

  private Pages() {}

  /** All items of all pages, in the server's order; {@code fetch} gets the page token to send. */
  public static <T> List<T> all(Function<String, Page<T>> fetch) {
    return upTo(Integer.MAX_VALUE, fetch);
  }

  /** The first {@code max} items, fetching no page beyond them. */
  public static <T> List<T> upTo(int max, Function<String, Page<T>> fetch) {
    List<T> items = new ArrayList<>();
    String token = "";
    do {
      Page<T> page = fetch.apply(token);
      items.addAll(page.items());
      token = page.next();
    } while (!token.isEmpty() && items.size() < max);
    return items.size() > max ? new ArrayList<>(items.subList(0, max)) : items;
  }
}
