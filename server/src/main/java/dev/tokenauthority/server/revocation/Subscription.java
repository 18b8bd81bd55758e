package dev.tokenauthority.server.revocation;

/** A subscriber's handle on the feed. */
public interface Subscription {
  /** The subscriber can take messages again: the feed resumes sending what it missed. */
  void ready();

  /** Stops sending; idempotent. */
  void cancel();
}
