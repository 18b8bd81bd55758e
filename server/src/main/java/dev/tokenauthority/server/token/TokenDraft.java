package dev.tokenauthority.server.token;

import java.util.List;
import java.util.Map;

/** What a caller asks a new token to be; checked by {@link TokenRules} before anything is issued. */
public record TokenDraft(
    TokenKind kind,
    String organization,
    String subject,
    String label,
    List<String> scopes,
    List<String> groups,
    Map<String, String> metadata) {}
