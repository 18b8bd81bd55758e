package dev.tokenauthority.server.connector;

import java.util.List;

/** One page of connectors; {@code nextPageToken} is empty on the last page. */
public record ConnectorPage(List<ConnectorView> connectors, String nextPageToken) {}
