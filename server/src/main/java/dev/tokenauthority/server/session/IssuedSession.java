package dev.tokenauthority.server.session;

import dev.tokenauthority.server.token.Secret;

/**
 * A session with the two secrets its answer shows once. {@link Secret#toString()} shows hints only,
 * so this record's {@code toString()} leaks neither.
 */
public record IssuedSession(SessionRecord session, Secret accessToken, Secret refreshToken) {}
