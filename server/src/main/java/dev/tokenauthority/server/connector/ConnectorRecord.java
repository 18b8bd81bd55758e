package dev.tokenauthority.server.connector;

import dev.tokenauthority.server.scope.ScopeSet;
import java.time.Instant;

/**
 * A stored connector. {@code tokenId} is its current service token; {@code version} rises with
 * every change, so that a change computed from a stale read is refused instead of applied.
 */
public record ConnectorRecord(
    String id, String organization, String slug, String name, ScopeSet scopes, Instant createTime,
    Instant updateTime, String creator, String tokenId, long version) {

  /** This connector after a change at {@code now}. */
  ConnectorRecord changed(String newName, ScopeSet newScopes, String newTokenId, Instant now) {
    return new ConnectorRecord(id, organization, slug, newName, newScopes, createTime, now, creator,
        newTokenId, version + 1);
  }
}
