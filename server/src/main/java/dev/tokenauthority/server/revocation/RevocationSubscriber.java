package dev.tokenauthority.server.revocation;

/** One follower of the feed, e.g. a gRPC stream. Calls to one subscriber never overlap. */
public interface RevocationSubscriber {
  /** The first message: the epoch, the latest sequence now, and whether to drop every cache. */
  void start(long epoch, long sequence, boolean reset);

  void revoked(RevokedToken token);

  void heartbeat(long sequence);

  /** The feed is closing (server shutdown); reconnect later. */
  void closed();
}
