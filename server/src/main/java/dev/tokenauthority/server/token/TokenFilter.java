package dev.tokenauthority.server.token;

import java.time.Instant;

/**
 * Which tokens a list asks for; empty strings and nulls match everything.
 *
 * @param lastUseBefore matches tokens not used since then, including never-used ones
 */
public record TokenFilter(
    String organization,
    String subject,
    TokenKind kind,
    TokenState state,
    Instant expireBefore,
    Instant lastUseBefore,
    boolean neverUsed,
    String labelContains) {

  /** This filter confined to {@code organizationFilter}. */
  TokenFilter inOrganization(String organizationFilter) {
    return new TokenFilter(
        organizationFilter, subject, kind, state, expireBefore, lastUseBefore, neverUsed,
        labelContains);
  }

  /** A stable text of the filter, which a page token is bound to. */
  String fingerprint() {
    return String.join(
        "\u0000",
        organization,
        subject,
        String.valueOf(kind),
        String.valueOf(state),
        String.valueOf(expireBefore),
        String.valueOf(lastUseBefore),
        String.valueOf(neverUsed),
        labelContains);
  }
}
