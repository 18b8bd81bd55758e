package dev.tokenauthority.server.dashboard;

/** One token as the tokens page shows it: every cell already text (escaped by the template). */
public record TokenRow(String id, String label, String kind, String subject, String organization,
    String scopes, String state, String created, String createdBy, String expires, String lastUsed) {}
