package dev.tokenauthority.server.dashboard;

import java.util.List;

/** The tokens page: the query as given, the person's columns, one page of rows, the link to the next. */
public record TokensPage(String csrf, String who, TokensQuery query, List<TokenColumn> columns,
    List<TokenRow> rows, String nextPageLink, String message) {
  public static final List<TokenColumn> ALL_COLUMNS = List.of(TokenColumn.values());

  public boolean shows(TokenColumn column) {
    return columns.contains(column);
  }

  /** The aria-sort value of a heading: only the column the list is sorted by has one. */
  public String ariaSort(TokenColumn column) {
    if (column == TokenColumn.CREATED && (query.sort().isEmpty() || query.sort().equals("oldest"))) {
      return query.sort().isEmpty() ? "descending" : "ascending";
    }
    if (column.sort() != null && column.sort().equals(query.sort())) {
      return column == TokenColumn.LAST_USED ? "descending" : "ascending";
    }
    return null;
  }

  /** Where a column heading links: created toggles between newest and oldest first. */
  public String sortLink(TokenColumn column) {
    String sort = column == TokenColumn.CREATED && query.sort().isEmpty() ? "oldest"
        : column == TokenColumn.CREATED ? "" : column.sort();
    return "/dashboard/tokens?" + query.params(sort);
  }
}
