package dev.tokenauthority.server.dashboard;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The tokens table's columns a person may show or hide (the label always shows), and how each sorts. */
public enum TokenColumn {
  KIND("Kind", null),
  SUBJECT("Subject", null),
  ORGANIZATION("Organisation", null),
  SCOPES("Scopes", null),
  GROUPS("Groups", null),
  CREATED("Created", "oldest"),
  CREATED_BY("Created by", null),
  EXPIRES("Expires", "expires"),
  LAST_USED("Last used", "last-used"),
  STATE("State", null);

  /** The preference that remembers a person's choice. */
  static final String PREFERENCE = "dashboard.tokens.columns";
  static final List<TokenColumn> DEFAULT = List.of(KIND, SUBJECT, ORGANIZATION, SCOPES, CREATED, EXPIRES, LAST_USED, STATE);

  private final String title;
  private final String sort;

  TokenColumn(String title, String sort) {
    this.title = title;
    this.sort = sort;
  }

  public String title() {
    return title;
  }

  /** The sort this column's heading links to, or null if it does not sort. */
  public String sort() {
    return sort;
  }

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** The columns named in {@code keys} (unknown names ignored), in table order; the default if none. */
  static List<TokenColumn> parse(List<String> keys) {
    Set<String> wanted = Set.copyOf(keys);
    List<TokenColumn> chosen = Arrays.stream(values()).filter(c -> wanted.contains(c.key())).toList();
    return chosen.isEmpty() ? DEFAULT : chosen;
  }

  static String text(List<TokenColumn> columns) {
    return columns.stream().map(TokenColumn::key).collect(Collectors.joining(" "));
  }
}
