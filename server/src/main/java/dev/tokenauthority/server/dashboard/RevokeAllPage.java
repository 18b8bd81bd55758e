package dev.tokenauthority.server.dashboard;

/**
 * "Revoke all": how many working tokens the filter matches now, and the typed confirmation.
 *
 * @param done how many were revoked, or -1 before
 */
public record RevokeAllPage(String csrf, String who, TokensQuery query, int count, String reason, String message,
    boolean error, int done) {}
