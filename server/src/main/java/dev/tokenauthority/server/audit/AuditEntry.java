package dev.tokenauthority.server.audit;

import java.time.Instant;

/**
 * One audit record, written in the same transaction as the change it describes.
 *
 * @param action what happened, e.g. {@code TOKEN_CREATED}
 * @param actor the id of the token that did it, or {@code system} for the server itself
 * @param target the id of the token it happened to
 * @param details a short human description (scopes, reason); never a secret
 */
public record AuditEntry(
    Instant time, String action, String actor, String organization, String target,
    String details) {}
