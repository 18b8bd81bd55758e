package dev.tokenauthority.client;

import dev.tokenauthority.api.v1.TokenKind;
import java.time.Instant;
import java.util.List;

/**
 * Who an active token speaks for, as the token authority described it.
 *
 * @param expireTime when the token expires; null if never
 */
public record Principal(
    String tokenId,
    TokenKind kind,
    String organization,
    String subject,
    List<String> scopes,
    List<String> groups,
    Instant expireTime) {}
