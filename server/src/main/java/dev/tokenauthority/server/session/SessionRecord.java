package dev.tokenauthority.server.session;

import java.time.Instant;

/**
 * A session as stored, without secrets.
 *
 * @param absoluteExpireTime no refresh goes past this, however active the session
 * @param accessTokenId the newest access token ({@code tok_...})
 * @param endTime null while the session lasts
 * @param sourceTokenId the token that signed in or approved the device (empty for an ID token):
 *     if it is revoked, the session ends with it
 */
public record SessionRecord(String id, Rights rights, SignInMethod method, String peer,
    Instant createTime, Instant absoluteExpireTime, Instant lastRefreshTime, String accessTokenId,
    Instant accessExpireTime, Instant refreshExpireTime, Instant endTime, String endReason,
    String sourceTokenId) {

  /** Whether it still works at {@code now}: not ended, and its refresh token not expired. */
  public boolean isLive(Instant now) {
    return endTime == null && refreshExpireTime.isAfter(now);
  }

  /** The same session, ended at {@code at} for {@code reason}. */
  SessionRecord ended(Instant at, String reason) {
    return new SessionRecord(id, rights, method, peer, createTime, absoluteExpireTime, lastRefreshTime,
        accessTokenId, accessExpireTime, refreshExpireTime, at, reason, sourceTokenId);
  }
}
