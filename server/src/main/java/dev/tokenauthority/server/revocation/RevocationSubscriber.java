package dev.tokenauthority.server.revocation;

/**
 * One follower of the feed, e.g. a gRPC stream. Every call comes from the feed's one dispatcher
 * thread, so calls to one subscriber never overlap.
 */
public interface RevocationSubscriber {
  /** The first message: the epoch, the latest sequence now, and whether to drop every cache. */
  void start(long epoch, long sequence, boolean reset);

  void revoked(RevokedToken token);

  void heartbeat(long sequence);

  /**
   * Whether the subscriber can take another message without buffering it (gRPC flow control).
   * A subscriber that is not ready is sent nothing; it catches up from the stored log when it
   * says so through {@link Subscription#ready()}.
   */
  default boolean isReady() {
    return true;
  }

  /** It is behind and took nothing for the allowed stall, so it is ended; it resumes later. */
  void tooSlow(long behind);

  /** The feed is closing (server shutdown); reconnect later. */
  void closed();
}
