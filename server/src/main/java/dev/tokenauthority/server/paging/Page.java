package dev.tokenauthority.server.paging;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list, and the token for the next ({@code ""} at the end). Every list asks its
 * store for one row more than the page holds: that row only says whether there is a next page.
 */
public record Page<T>(List<T> items, String nextPageToken) {
  /**
   * The page of {@code limit} items from {@code rows}, fetched with {@code limit + 1}; if there
   * were more, the next page starts after the last item kept, whose position {@code position}
   * writes, bound to the list's {@code fingerprint}.
   */
  public static <T> Page<T> of(List<T> rows, int limit, Function<T, String> position, String fingerprint) {
    if (rows.size() <= limit) {
      return new Page<>(List.copyOf(rows), "");
    }
    List<T> kept = List.copyOf(rows.subList(0, limit));
    return new Page<>(kept, PageToken.encode(position.apply(kept.get(limit - 1)), fingerprint));
  }

  /** The same page with each item turned into another form. */
  public <U> Page<U> map(Function<T, U> f) {
    return new Page<>(items.stream().map(f).toList(), nextPageToken);
  }
}
