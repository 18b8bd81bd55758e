package dev.tokenauthority.server.dashboard;

import java.util.List;

/** The tokens page: the filters as given, one page of rows, the link to the next. */
public record TokensPage(String csrf, String who, String query, String kind, String state,
    List<TokenRow> rows, String nextPageLink, String message) {
  /** The kind filter's choices ("" is any). */
  public static final List<String> KINDS = List.of("", "organization", "personal", "service", "system", "session");
  /** The state filter's choices ("" is any). */
  public static final List<String> STATES = List.of("", "active", "expired", "revoked");
}
