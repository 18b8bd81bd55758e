package dev.tokenauthority.server.revocation;

import java.time.Instant;
import java.util.List;

/** The stored revocation feed: what the token store appends, read back in sequence order. */
public interface RevocationLog {
  /** Identifies this history; changes only with another database. */
  long epoch();

  /** The highest sequence ever assigned (0 if none), even if its row was pruned. */
  long latestSequence();

  /** The lowest sequence still kept, or {@code latestSequence() + 1} if none is. */
  long oldestSequence();

  /** Entries after {@code sequence}, in order, at most {@code limit}. */
  List<RevokedToken> after(long sequence, int limit);

  /** Moves rotation retirements whose grace ended by {@code now} onto the feed; how many. */
  int publishDue(Instant now);

  /**
   * Has {@code listener} run after every commit that added entries, before the change is
   * answered (and after the token caches have forgotten the tokens it stopped).
   */
  void onCommit(Runnable listener);

  /** Drops entries revoked before {@code before}; how many. */
  int prune(Instant before);
}
