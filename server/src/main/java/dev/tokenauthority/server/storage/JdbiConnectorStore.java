package dev.tokenauthority.server.storage;

import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.connector.ConnectorRecord;
import dev.tokenauthority.server.connector.ConnectorStore;
import dev.tokenauthority.server.scope.ScopeSet;
import dev.tokenauthority.server.token.TokenRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * {@link ConnectorStore} on SQLite through JDBI. A connector's service tokens are token rows:
 * each change runs in a {@link JdbiTokenStore#write} transaction and changes them through its
 * {@link TokenTransaction}, their one writer, so the token cache hears of every change.
 */
public final class JdbiConnectorStore implements ConnectorStore {
  private static final RowMapper<ConnectorRecord> CONNECTORS = (rs, ctx) -> new ConnectorRecord(
      rs.getString("id"), rs.getString("organization"), rs.getString("slug"), rs.getString("name"),
      ScopeSet.decode(rs.getString("scopes")), Instant.ofEpochMilli(rs.getLong("create_time")),
      Instant.ofEpochMilli(rs.getLong("update_time")), rs.getString("creator"),
      rs.getString("token_id"), rs.getLong("version"));

  private static final String INSERT = """
      INSERT INTO connector (id, organization, slug, name, scopes, create_time, update_time, creator,
                             token_id, version)
      VALUES (:id, :organization, :slug, :name, :scopes, :createTime, :updateTime, :creator,
              :tokenId, :version)
      """;
  private static final String EXISTS =
      "SELECT EXISTS (SELECT 1 FROM connector WHERE organization = :organization AND slug = :slug)";
  private static final String FIND =
      "SELECT * FROM connector WHERE organization = :organization AND slug = :slug";
  private static final String SAVE = """
      UPDATE connector SET name = :name, scopes = :scopes, update_time = :updateTime,
                           token_id = :tokenId, version = :version
      WHERE id = :id AND version = :version - 1
      """;
  private static final String DELETE = "DELETE FROM connector WHERE id = :id";

  private final Database db;
  private final JdbiTokenStore tokens;

  public JdbiConnectorStore(Database db, JdbiTokenStore tokens) {
    this.db = db;
    this.tokens = tokens;
  }

  @Override
  public boolean create(ConnectorRecord c, TokenRecord token, List<AuditEntry> audit) {
    return tokens.write(tx -> {
      Handle h = tx.handle();
      if (h.createQuery(EXISTS).bind("organization", c.organization()).bind("slug", c.slug())
          .mapTo(Boolean.class).one()) {
        return false;
      }
      h.createUpdate(INSERT).bind("id", c.id()).bind("organization", c.organization())
          .bind("slug", c.slug()).bind("name", c.name()).bind("scopes", c.scopes().encoded())
          .bind("createTime", c.createTime().toEpochMilli()).bind("updateTime", c.updateTime().toEpochMilli())
          .bind("creator", c.creator()).bind("tokenId", c.tokenId()).bind("version", c.version())
          .execute();
      tx.insert(token);
      audit.forEach(tx::audit);
      return true;
    });
  }

  @Override
  public Optional<ConnectorRecord> find(String organization, String slug) {
    return db.reader().withHandle(h -> h.createQuery(FIND).bind("organization", organization)
        .bind("slug", slug).map(CONNECTORS).findOne());
  }

  @Override
  public List<ConnectorRecord> list(
      String organization, String afterOrganization, String afterSlug, int limit) {
    StringBuilder sql = new StringBuilder("SELECT * FROM connector WHERE 1 = 1");
    if (organization != null) {
      sql.append(" AND organization = :organization");
    }
    if (afterSlug != null) {
      sql.append(" AND (organization > :afterOrg OR (organization = :afterOrg AND slug > :afterSlug))");
    }
    sql.append(" ORDER BY organization, slug LIMIT :limit");
    return db.reader().withHandle(h -> h.createQuery(sql.toString())
        .bind("organization", organization).bind("afterOrg", afterOrganization)
        .bind("afterSlug", afterSlug).bind("limit", limit)
        .map(CONNECTORS).list());
  }

  @Override
  public List<TokenRecord> activeTokens(String connectorId, Instant now) {
    return db.reader().withHandle(h -> h.createQuery(TokenSql.ACTIVE_OF_CONNECTOR).bind("id", connectorId)
        .bind("now", now.toEpochMilli()).map(JdbiTokenStore.TOKEN_ROWS).map(JdbiTokenStore::toRecord).list());
  }

  @Override
  public boolean update(ConnectorRecord updated, List<TokenRecord> narrowed, List<AuditEntry> audit) {
    return tokens.write(tx -> {
      if (save(tx.handle(), updated) == 0) {
        return false;
      }
      narrowed.forEach(t -> tx.narrow(t, updated.updateTime()));
      audit.forEach(tx::audit);
      return true;
    });
  }

  @Override
  public boolean rotate(ConnectorRecord updated, String oldTokenId, Instant oldStopsAt,
      TokenRecord replacement, Instant now, List<AuditEntry> audit) {
    return tokens.write(tx -> {
      if (save(tx.handle(), updated) == 0) {
        return false;
      }
      // A connector whose token was revoked or expired is rotated too: that is how it recovers,
      // so an old token that no longer works is simply left as it is.
      tx.retire(oldTokenId, replacement.id(), oldStopsAt, now);
      tx.insert(replacement);
      audit.forEach(tx::audit);
      return true;
    });
  }

  @Override
  public Optional<List<TokenRecord>> delete(ConnectorRecord connector, Instant now, String reason,
      Function<TokenRecord, AuditEntry> tokenAudit, AuditEntry audit) {
    return tokens.write(tx -> {
      if (tx.handle().createUpdate(DELETE).bind("id", connector.id()).execute() == 0) {
        return Optional.<List<TokenRecord>>empty();
      }
      List<TokenRecord> revoked = tx.activeOfConnector(connector.id(), now);
      revoked.forEach(t -> tx.revoke(t.id(), now, reason, tokenAudit.apply(t)));
      tx.audit(audit);
      return Optional.of(revoked);
    });
  }

  private static int save(Handle h, ConnectorRecord c) {
    return h.createUpdate(SAVE).bind("id", c.id()).bind("name", c.name())
        .bind("scopes", c.scopes().encoded()).bind("updateTime", c.updateTime().toEpochMilli())
        .bind("tokenId", c.tokenId()).bind("version", c.version()).execute();
  }
}
