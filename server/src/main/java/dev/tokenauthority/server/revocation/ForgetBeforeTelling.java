package dev.tokenauthority.server.revocation;

import dev.tokenauthority.server.token.TokenChangeListener;
import java.time.Instant;
import java.util.List;

/**
 * The revocation log as the feed reads it: whatever it reads for delivery, the in-memory token
 * caches forget first. The commit's own eviction runs on the writing thread after the commit, and
 * the feed may read the committed row before that (a batch-mate's wake, the tick): without this, a
 * client told of a revocation could introspect again in between and be answered from the cache.
 */
public final class ForgetBeforeTelling implements RevocationLog {
  private final RevocationLog log;
  private final TokenChangeListener forget;

  public ForgetBeforeTelling(RevocationLog log, TokenChangeListener forget) {
    this.log = log;
    this.forget = forget;
  }

  @Override
  public List<RevokedToken> after(long sequence, int limit) {
    List<RevokedToken> read = log.after(sequence, limit);
    if (!read.isEmpty()) {
      forget.changed(read.stream().map(RevokedToken::secretHash).toList());
    }
    return read;
  }

  @Override
  public long epoch() {
    return log.epoch();
  }

  @Override
  public long latestSequence() {
    return log.latestSequence();
  }

  @Override
  public long oldestSequence() {
    return log.oldestSequence();
  }

  @Override
  public int publishDue(Instant now) {
    return log.publishDue(now);
  }

  @Override
  public void onCommit(Runnable listener) {
    log.onCommit(listener);
  }

  @Override
  public int prune(Instant before) {
    return log.prune(before);
  }
}
