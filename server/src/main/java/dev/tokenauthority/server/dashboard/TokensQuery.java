package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.token.TokenFilter;
import dev.tokenauthority.server.token.TokenKind;
import dev.tokenauthority.server.token.TokenOrder;
import dev.tokenauthority.server.token.TokenState;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The tokens page's search, filters and sort as the address carries them. Every value comes from a
 * closed list but the search, which is cut to 200 characters; anything else counts as "any".
 * {@code asOf} (epoch seconds) is the moment "expiring within" and "unused for" were measured
 * from on the first page; the next pages carry it, so that they continue the same list.
 */
public record TokensQuery(String search, String kind, String state, String expiring, String unused, String sort,
    String asOf) {
  public static final List<String> KINDS = List.of("", "organization", "personal", "service", "system", "session");
  public static final List<String> STATES = List.of("", "active", "expired", "revoked");
  /** "Expiring within" and "unused for" choices, in days ("" is any). */
  public static final List<String> EXPIRING = List.of("", "7", "30", "90");
  public static final List<String> UNUSED = List.of("", "30", "90", "180");
  /** Sort choices: the default (newest first) is "". */
  public static final Map<String, TokenOrder> SORTS = sorts();

  private static Map<String, TokenOrder> sorts() {
    Map<String, TokenOrder> m = new LinkedHashMap<>();
    m.put("", TokenOrder.NEWEST);
    m.put("oldest", TokenOrder.OLDEST);
    m.put("expires", TokenOrder.EXPIRES_SOONEST);
    m.put("last-used", TokenOrder.LAST_USED);
    m.put("label", TokenOrder.LABEL);
    return m;
  }

  /** From the address's query. */
  static TokensQuery of(Context ctx) {
    return read(ctx::queryParam);
  }

  /** From a posted form that carries the query in fields of the same names. */
  static TokensQuery ofForm(Context ctx) {
    return read(ctx::formParam);
  }

  private static TokensQuery read(Function<String, String> param) {
    String q = Optional.ofNullable(param.apply("q")).orElse("").strip();
    return new TokensQuery(q.length() > 200 ? q.substring(0, 200) : q,
        choice(param, "kind", KINDS), choice(param, "state", STATES), choice(param, "expiring", EXPIRING),
        choice(param, "unused", UNUSED), choice(param, "sort", List.copyOf(SORTS.keySet())),
        Optional.ofNullable(param.apply("asof")).filter(v -> v.matches("[0-9]{1,12}")).orElse(""));
  }

  /** A value from a closed list; anything else counts as "any". */
  private static String choice(Function<String, String> param, String name, List<String> allowed) {
    String v = param.apply(name);
    return v != null && allowed.contains(v) ? v : "";
  }

  /** The moment the relative filters count from: {@code asOf} if it is within the last day, else now (whole seconds). */
  Instant anchor(Instant now) {
    Instant truncated = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    if (asOf.isEmpty()) {
      return truncated;
    }
    Instant given = Instant.ofEpochSecond(Long.parseLong(asOf));
    return given.isAfter(truncated) || given.isBefore(truncated.minus(Duration.ofDays(1))) ? truncated : given;
  }

  /** This query measured from {@code anchor}, for the links that continue it. */
  TokensQuery at(Instant anchor) {
    return new TokensQuery(search, kind, state, expiring, unused, sort, String.valueOf(anchor.getEpochSecond()));
  }

  TokenFilter filter(Instant now) {
    Instant anchor = anchor(now);
    return new TokenFilter("", "", "", kind.isEmpty() ? null : TokenKind.valueOf(kind.toUpperCase(Locale.ROOT)),
        state.isEmpty() ? null : TokenState.valueOf(state.toUpperCase(Locale.ROOT)),
        expiring.isEmpty() ? null : anchor.plus(Duration.ofDays(Long.parseLong(expiring))),
        unused.isEmpty() ? null : anchor.minus(Duration.ofDays(Long.parseLong(unused))), false, "", false, search,
        java.util.Set.of(), java.util.Set.of());
  }

  TokenOrder order() {
    return SORTS.get(sort);
  }

  /** Whether any filter is set: "revoke all" of an unfiltered list is every token the person may manage. */
  public boolean filtered() {
    return !(search.isEmpty() && kind.isEmpty() && state.isEmpty() && expiring.isEmpty() && unused.isEmpty());
  }

  /** The filter in words, for the preview and the audit record. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    if (!search.isEmpty()) {
      s.append("search \"").append(search).append("\" ");
    }
    if (!kind.isEmpty()) {
      s.append("kind ").append(kind).append(' ');
    }
    if (!state.isEmpty()) {
      s.append("state ").append(state).append(' ');
    }
    if (!expiring.isEmpty()) {
      s.append("expiring within ").append(expiring).append(" days ");
    }
    if (!unused.isEmpty()) {
      s.append("unused for ").append(unused).append(" days ");
    }
    return s.isEmpty() ? "no filter" : s.toString().strip();
  }

  /** This query as an address's parameters (without "?"), with {@code sort} instead of its own. */
  public String params(String sortAs) {
    return "q=" + enc(search) + "&kind=" + enc(kind) + "&state=" + enc(state) + "&expiring=" + enc(expiring)
        + "&unused=" + enc(unused) + "&sort=" + enc(sortAs) + (asOf.isEmpty() ? "" : "&asof=" + asOf);
  }

  public String params() {
    return params(sort);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
