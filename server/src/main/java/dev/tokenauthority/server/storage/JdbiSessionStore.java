package dev.tokenauthority.server.storage;

import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.paging.PageToken;
import dev.tokenauthority.server.scope.ScopeSet;
import dev.tokenauthority.server.session.Rights;
import dev.tokenauthority.server.session.Role;
import dev.tokenauthority.server.session.SessionRecord;
import dev.tokenauthority.server.session.SessionStore;
import dev.tokenauthority.server.session.SignInMethod;
import dev.tokenauthority.server.token.TokenRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * {@link SessionStore} on SQLite through JDBI. A session's access tokens are token rows: every
 * change runs in a {@link JdbiTokenStore#write} transaction and goes through its
 * {@link TokenTransaction}, so caches and the revocation feed hear of it like any other.
 */
public final class JdbiSessionStore implements SessionStore {
  private static final String SELECT = """
      SELECT s.*, t.revoked AS t_revoked, t.revoke_time AS t_revoke_time, t.revoke_reason AS t_revoke_reason,
             src.revoked AS src_revoked, src.revoke_time AS src_revoke_time, src.revoke_reason AS src_revoke_reason
      FROM session s LEFT JOIN token t ON t.id = s.access_token_id LEFT JOIN token src ON src.id = s.source_token_id
      """;
  /**
   * A refresh token and its session in one read (a refresh's only read before its write), as a
   * statement prepared once: through a pooled JDBI handle the read cost more than its SQL.
   */
  private static final String SELECT_REFRESH = SELECT.replace("FROM session s",
      "FROM refresh_token r JOIN session s ON s.id = r.session_id").replace("SELECT s.*,",
      "SELECT s.*, r.expire_time AS r_expire_time, r.used_time AS r_used_time,") + " WHERE r.secret_hash = ?";
  /** Live: not ended, refreshable, and neither its newest access token nor its source revoked. */
  private static final String LIVE = """
       AND s.end_time IS NULL AND s.refresh_expire_time > :now
       AND coalesce(t.revoked, 0) = 0 AND (t.revoke_time IS NULL OR t.revoke_time > :now)
       AND coalesce(src.revoked, 0) = 0 AND (src.revoke_time IS NULL OR src.revoke_time > :now)
      """;
  private static final String INSERT = """
      INSERT INTO session (id, subject, organization, organizations, role, scopes, group_names,
                           may_create_tokens, method, peer, create_time, absolute_expire_time,
                           last_refresh_time, access_token_id, access_expire_time, refresh_expire_time,
                           source_token_id)
      VALUES (:id, :subject, :organization, :organizations, :role, :scopes, :groupNames,
              :mayCreateTokens, :method, :peer, :createTime, :absoluteExpireTime,
              :lastRefreshTime, :accessTokenId, :accessExpireTime, :refreshExpireTime, :sourceTokenId)
      """;
  private static final String INSERT_REFRESH = """
      INSERT INTO refresh_token (secret_hash, session_id, create_time, expire_time)
      VALUES (:hash, :sessionId, :createTime, :expireTime)
      """;
  private static final String USE_REFRESH =
      "UPDATE refresh_token SET used_time = :now WHERE secret_hash = :hash AND used_time IS NULL";
  /** Renews a live session (the same conditions as {@link #LIVE}, on the row being changed). */
  private static final String RENEW = """
      UPDATE session SET last_refresh_time = :now, access_token_id = :accessTokenId,
                         access_expire_time = :accessExpireTime, refresh_expire_time = :refreshExpireTime
      WHERE id = :id AND end_time IS NULL AND refresh_expire_time > :now
        AND NOT EXISTS (SELECT 1 FROM token t WHERE t.id IN (session.access_token_id, session.source_token_id)
                        AND (t.revoked = 1 OR (t.revoke_time IS NOT NULL AND t.revoke_time <= :now)))
      """;
  private static final String END =
      "UPDATE session SET end_time = :at, end_reason = :reason WHERE id = :id AND end_time IS NULL";
  /** A session's access tokens that still work (found by subject, then by their session metadata). */
  private static final String LIVE_TOKENS =
      "SELECT * FROM token WHERE subject = :subject AND kind = 'SESSION' AND metadata = :metadata" + TokenSql.ACTIVE;

  /** The metadata key naming an access token's session: set by the session feature. */
  private static final String SESSION_KEY = SessionStore.SESSION_METADATA_KEY;

  private final Database db;
  private final JdbiTokenStore tokens;
  private final PointQuery byRefreshHash;

  public JdbiSessionStore(Database db, JdbiTokenStore tokens) {
    this.db = db;
    this.tokens = tokens;
    this.byRefreshHash = db.pointQuery(SELECT_REFRESH, 2);
  }

  @Override
  public void start(SessionRecord s, TokenRecord accessToken, byte[] refreshHash, AuditEntry audit) {
    tokens.write(tx -> {
      Handle h = tx.handle();
      tx.insert(accessToken);
      Rights r = s.rights();
      h.createUpdate(INSERT).bind("id", s.id()).bind("subject", r.subject())
          .bind("organization", r.organization()).bind("organizations", String.join(" ", r.organizations()))
          .bind("role", r.role().name()).bind("scopes", r.scopes().encoded())
          .bind("groupNames", String.join(" ", r.groups())).bind("mayCreateTokens", r.mayCreateTokens() ? 1 : 0)
          .bind("method", s.method().name()).bind("peer", s.peer())
          .bind("createTime", s.createTime().toEpochMilli())
          .bind("absoluteExpireTime", s.absoluteExpireTime().toEpochMilli())
          .bind("lastRefreshTime", (Long) null).bind("accessTokenId", s.accessTokenId())
          .bind("accessExpireTime", s.accessExpireTime().toEpochMilli())
          .bind("refreshExpireTime", s.refreshExpireTime().toEpochMilli())
          .bind("sourceTokenId", s.sourceTokenId()).execute();
      storeRefreshToken(h, s, accessToken, refreshHash);
      tx.audit(audit);
      return null;
    });
  }

  private static void storeRefreshToken(Handle h, SessionRecord s, TokenRecord accessToken, byte[] refreshHash) {
    h.createUpdate(INSERT_REFRESH).bind("hash", refreshHash).bind("sessionId", s.id())
        .bind("createTime", accessToken.createTime().toEpochMilli())
        .bind("expireTime", s.refreshExpireTime().toEpochMilli()).execute();
  }

  @Override
  public Optional<SessionRecord> find(String id, Instant now) {
    return db.reader().withHandle(h -> h.createQuery(SELECT + " WHERE s.id = :id").bind("id", id)
        .map(sessions(now)).findOne());
  }

  @Override
  public Optional<SessionRecord> findByAccessToken(String tokenId, Instant now) {
    Optional<String> session = db.reader().withHandle(h -> h.createQuery(
            "SELECT metadata FROM token WHERE id = :tokenId AND kind = 'SESSION'")
        .bind("tokenId", tokenId).mapTo(String.class).findOne())
        .map(metadata -> FormEncoding.decode(metadata).get(SESSION_KEY));
    return session.flatMap(id -> find(id, now));
  }

  /** What an access token of session {@code id} carries as its metadata. */
  private static String sessionMetadata(String id) {
    return FormEncoding.encode(Map.of(SESSION_KEY, id));
  }

  @Override
  public Optional<RefreshToken> findRefreshToken(byte[] hash, Instant now) {
    RowMapper<SessionRecord> sessions = sessions(now);
    return byRefreshHash.one(hash, rs -> new RefreshToken(sessions.map(rs, null),
        Instant.ofEpochMilli(rs.getLong("r_expire_time")), Columns.instant(rs, "r_used_time")));
  }

  @Override
  public RefreshOutcome refresh(byte[] usedHash, Instant now, SessionRecord renewed,
      TokenRecord accessToken, byte[] refreshHash, AuditEntry audit) {
    return tokens.write(tx -> {
      Handle h = tx.handle();
      if (h.createUpdate(USE_REFRESH).bind("now", now.toEpochMilli()).bind("hash", usedHash).execute() == 0) {
        return RefreshOutcome.ALREADY_USED;
      }
      // An ended session's refresh token is marked used too: it could not have refreshed anyway.
      if (h.createUpdate(RENEW).bind("id", renewed.id()).bind("now", now.toEpochMilli())
          .bind("accessTokenId", accessToken.id())
          .bind("accessExpireTime", renewed.accessExpireTime().toEpochMilli())
          .bind("refreshExpireTime", renewed.refreshExpireTime().toEpochMilli()).execute() == 0) {
        return RefreshOutcome.SESSION_ENDED;
      }
      tx.insert(accessToken);
      storeRefreshToken(h, renewed, accessToken, refreshHash);
      tx.audit(audit);
      return RefreshOutcome.REFRESHED;
    });
  }

  @Override
  public boolean end(SessionRecord session, Instant at, String reason, Function<TokenRecord, AuditEntry> tokenAudit,
      AuditEntry audit) {
    String id = session.id();
    return tokens.write(tx -> {
      Handle h = tx.handle();
      List<TokenRecord> live = h.createQuery(LIVE_TOKENS).bind("subject", session.rights().subject())
          .bind("metadata", sessionMetadata(id)).bind("now", at.toEpochMilli())
          .map(JdbiTokenStore.TOKEN_ROWS).map(JdbiTokenStore::toRecord).list();
      live.forEach(t -> tx.revoke(t.id(), at, reason, tokenAudit.apply(t)));
      boolean ended = h.createUpdate(END).bind("id", id).bind("at", at.toEpochMilli())
          .bind("reason", reason).execute() > 0;
      if (ended || !live.isEmpty()) {
        tx.audit(audit);
      }
      return ended || !live.isEmpty();
    });
  }

  @Override
  public List<SessionRecord> list(String subject, String organization, boolean includeEnded,
      boolean withAdmins, Instant now, PageToken.Position after, int limit) {
    Map<String, Object> args = new HashMap<>();
    StringBuilder sql = new StringBuilder(SELECT).append(" WHERE s.subject = :subject");
    args.put("subject", subject);
    args.put("now", now.toEpochMilli());
    if (organization != null) {
      sql.append(" AND s.organization = :organization");
      args.put("organization", organization);
    }
    if (!includeEnded) {
      sql.append(LIVE);
    }
    if (!withAdmins) {
      sql.append(" AND s.role <> 'ADMIN'");
    }
    if (after != null) {
      sql.append(" AND (s.create_time < :afterTime OR (s.create_time = :afterTime AND s.id < :afterId))");
      args.put("afterTime", after.createTime().toEpochMilli());
      args.put("afterId", after.id());
    }
    sql.append(" ORDER BY s.create_time DESC, s.id DESC LIMIT :limit");
    args.put("limit", limit);
    return db.reader().withHandle(h -> h.createQuery(sql.toString()).bindMap(args).map(sessions(now)).list());
  }

  /** Sessions as they are at {@code now}: one whose newest access token was revoked has ended. */
  private static RowMapper<SessionRecord> sessions(Instant now) {
    return (rs, ctx) -> {
      Instant end = Columns.instant(rs, "end_time");
      String reason = rs.getString("end_reason");
      for (String token : List.of("t", "src")) { // the newest access token, or the source, revoked
        Instant revoked = Columns.instant(rs, token + "_revoke_time");
        if (end == null && revoked != null && (rs.getInt(token + "_revoked") != 0 || !revoked.isAfter(now))) {
          end = revoked;
          reason = (token.equals("src") ? "signed in with a token that was revoked: " : "")
              + rs.getString(token + "_revoke_reason");
        }
      }
      Rights rights = new Rights(rs.getString("subject"), rs.getString("organization"),
          Columns.words(rs.getString("organizations")), Role.valueOf(rs.getString("role")),
          ScopeSet.decode(rs.getString("scopes")), Columns.words(rs.getString("group_names")),
          rs.getInt("may_create_tokens") != 0);
      return new SessionRecord(rs.getString("id"), rights, SignInMethod.valueOf(rs.getString("method")),
          rs.getString("peer"), Instant.ofEpochMilli(rs.getLong("create_time")),
          Instant.ofEpochMilli(rs.getLong("absolute_expire_time")), Columns.instant(rs, "last_refresh_time"),
          rs.getString("access_token_id"), Instant.ofEpochMilli(rs.getLong("access_expire_time")),
          Instant.ofEpochMilli(rs.getLong("refresh_expire_time")), end, reason, rs.getString("source_token_id"));
    };
  }
}
