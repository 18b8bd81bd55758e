package dev.tokenauthority.server.token;

/**
 * The tokens a caller may see or manage in one operation. Null fields reach everything.
 *
 * @param organization the one organisation reached ({@code ""}: only tokens without one)
 * @param subject the one subject reached (self-service)
 * @param kind the one kind reached (self-service: personal tokens)
 */
public record Reach(String organization, String subject, TokenKind kind) {
  /** What an admin reaches. */
  static final Reach ALL = new Reach(null, null, null);

  /** Whether {@code token} is within reach. */
  public boolean contains(TokenRecord token) {
    return (organization == null || organization.equals(token.organization()))
        && (subject == null || subject.equals(token.subject()))
        && (kind == null || kind == token.kind());
  }

  /** Whether this is a person managing their own tokens. */
  boolean isSelfService() {
    return subject != null;
  }
}
