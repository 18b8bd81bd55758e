package dev.tokenauthority.server.session;

import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.paging.PageToken;
import dev.tokenauthority.server.token.TokenRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where sessions live. Each changing method is one transaction with its token rows, audit entries
 * and revocation-feed entries. A session whose newest access token was revoked (offboarding,
 * {@code RevokeToken}, a leak report), or whose source token was (the token that signed in or
 * approved it), reads as ended, with that revocation's time and reason.
 */
public interface SessionStore {
  /** A refresh token as stored (its hash only), with its session as it is now. */
  record RefreshToken(SessionRecord session, Instant expireTime, Instant usedTime) {}

  /** The metadata key every access token of a session carries, naming the session. */
  String SESSION_METADATA_KEY = "session";

  /** What became of a refresh. */
  enum RefreshOutcome { REFRESHED, ALREADY_USED, SESSION_ENDED }

  /** Stores a new session with its first access token and refresh token. */
  void start(SessionRecord session, TokenRecord accessToken, byte[] refreshHash, AuditEntry audit);

  Optional<SessionRecord> find(String id, Instant now);

  /** The session {@code tokenId} is an access token of. */
  Optional<SessionRecord> findByAccessToken(String tokenId, Instant now);

  /** The refresh token whose secret hashes to {@code hash}, and its session at {@code now}: one read. */
  Optional<RefreshToken> findRefreshToken(byte[] hash, Instant now);

  /**
   * Marks the refresh token {@code usedHash} used and stores the session's next access token and
   * refresh token, only if that refresh token was unused and the session has not ended.
   */
  RefreshOutcome refresh(byte[] usedHash, Instant now, SessionRecord renewed, TokenRecord accessToken,
      byte[] refreshHash, AuditEntry audit);

  /**
   * Ends session {@code id} at {@code at}: revokes (and publishes) every access token of it that
   * still works, each audited, and records the end, audited.
   *
   * @return whether it was still live
   */
  boolean end(SessionRecord session, Instant at, String reason, Function<TokenRecord, AuditEntry> tokenAudit,
      AuditEntry audit);

  /**
   * Sessions of {@code subject} (in {@code organization}, if not null), newest first, after
   * {@code after}, at most {@code limit}; only live ones unless {@code includeEnded}; admins'
   * sessions only if {@code withAdmins}.
   */
  List<SessionRecord> list(String subject, String organization, boolean includeEnded, boolean withAdmins,
      Instant now, PageToken.Position after, int limit);
}
