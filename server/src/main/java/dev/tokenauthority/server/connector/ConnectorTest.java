package dev.tokenauthority.server.connector;

import dev.tokenauthority.server.scope.ScopeSet;
import java.util.List;

/**
 * What TestConnector found: whether the secret is a working token of the connector, whether it is
 * the current one, and what it holds. Nothing at all when not live.
 */
public record ConnectorTest(boolean live, boolean current, String tokenId, ScopeSet scopes) {
  static final ConnectorTest NOT_LIVE = new ConnectorTest(false, false, "", ScopeSet.of(List.of()));
}
