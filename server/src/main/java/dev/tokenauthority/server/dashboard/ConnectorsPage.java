package dev.tokenauthority.server.dashboard;

import java.util.List;
import java.util.Map;

/**
 * The connectors of one organisation, the form that adds one, or one connector's page.
 *
 * @param organization whose connectors these are ("" for an admin looking at every organisation)
 * @param errors messages by form field ("" for the form as a whole)
 */
public record ConnectorsPage(String csrf, String who, String organization, boolean mayChange, List<Row> rows,
    String nextPageLink, List<String> catalogue, Map<String, String> form, Map<String, String> errors,
    String message, boolean error) {
  /** One connector: every cell already text. */
  public record Row(String organization, String slug, String name, List<String> scopes, String tokenId,
      String secretHint, String expires, String lastUsed, String updated) {
    public String path() {
      return "/dashboard/connectors/" + organization + "/" + slug;
    }
  }

  public String error(String field) {
    return errors.get(field);
  }

  public String field(String name) {
    return form.getOrDefault(name, "");
  }
}
