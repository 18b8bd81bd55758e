package dev.tokenauthority.server.dashboard;

/** One token as the tokens page shows it: every cell already text (escaped by the template). */
public record TokenRow(String id, String label, String kind, String subject, String organization,
    String scopes, String groups, String state, String created, String createdBy, String expires, String lastUsed) {
  /** The text of {@code column}'s cell. */
  public String cell(TokenColumn column) {
    return switch (column) {
      case KIND -> kind;
      case SUBJECT -> subject;
      case ORGANIZATION -> organization;
      case SCOPES -> scopes;
      case GROUPS -> groups;
      case CREATED -> created;
      case CREATED_BY -> createdBy;
      case EXPIRES -> expires;
      case LAST_USED -> lastUsed;
      case STATE -> state;
    };
  }
}
