package dev.tokenauthority.server.connector;

import dev.tokenauthority.server.token.Secret;
import dev.tokenauthority.server.token.TokenRecord;

/**
 * A connector as the API shows it: with its current token's hint, expiry and last use, and the
 * secret only right after the token was issued.
 *
 * @param token the current service token; null if it is missing
 * @param secret the new secret after create or rotate; null otherwise
 */
public record ConnectorView(ConnectorRecord connector, TokenRecord token, Secret secret) {}
