package dev.tokenauthority.server.token;

import java.util.List;

/** One page of a token list; {@code nextPageToken} is empty on the last page. */
public record TokenPage(List<TokenRecord> tokens, String nextPageToken) {}
