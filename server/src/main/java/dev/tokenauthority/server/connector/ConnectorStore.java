package dev.tokenauthority.server.connector;

import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.token.TokenRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Where connectors live. Each changing method is one transaction with its audit entries. */
public interface ConnectorStore {
  /**
   * Stores a new connector with its first service token.
   *
   * @return false, storing nothing, if the organisation already has a connector of that slug
   */
  boolean create(ConnectorRecord connector, TokenRecord token, List<AuditEntry> audit);

  Optional<ConnectorRecord> find(String organization, String slug);

  /**
   * Connectors of {@code organization} (null: all) ordered by organisation and slug, after the
   * given ones (null: from the start), at most {@code limit}.
   */
  List<ConnectorRecord> list(String organization, String afterOrganization, String afterSlug, int limit);

  /** The connector's tokens that work at {@code now} (the current one, and any in a grace period). */
  List<TokenRecord> activeTokens(String connectorId, Instant now);

  /**
   * Saves {@code updated} if the stored connector still has version {@code updated.version() - 1},
   * replaces the scopes of the tokens in {@code narrowed} with theirs, and puts each narrowing on
   * the revocation feed.
   *
   * @return false, changing nothing, if the connector changed since it was read
   */
  boolean update(ConnectorRecord updated, List<TokenRecord> narrowed, List<AuditEntry> audit);

  /**
   * Saves {@code updated} (which names {@code replacement} as its token) if the stored connector
   * still has the version before it; retires {@code oldTokenId} at {@code oldStopsAt} if it
   * still works at {@code now}; stores {@code replacement}.
   *
   * @return false, changing nothing, if the connector changed since it was read
   */
  boolean rotate(ConnectorRecord updated, String oldTokenId, Instant oldStopsAt, TokenRecord replacement,
      Instant now, List<AuditEntry> audit);

  /**
   * Deletes {@code connector} and revokes every one of its tokens that works at {@code now}.
   *
   * @return the tokens revoked as they were before, or empty if the connector was gone already
   */
  Optional<List<TokenRecord>> delete(ConnectorRecord connector, Instant now, String reason,
      Function<TokenRecord, AuditEntry> tokenAudit, AuditEntry audit);
}
