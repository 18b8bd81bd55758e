package dev.tokenauthority.server.audit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/** Where audit events live: appended, read, and deleted only by retention. */
public interface AuditStore {
  /** Appends {@code entries} in one transaction. */
  void append(List<AuditEntry> entries);

  /** Events matching {@code filter}, newest (highest id) first, below {@code beforeId} if not null. */
  List<AuditRecord> list(AuditFilter filter, Long beforeId, int limit);

  Optional<AuditRecord> find(long id);

  /**
   * Deletes the events before {@code cutoff} and, in the same transaction, appends the entry
   * {@code pruned} makes of how many went.
   *
   * @return how many events were deleted
   */
  long prune(Instant cutoff, LongFunction<AuditEntry> pruned);
}
