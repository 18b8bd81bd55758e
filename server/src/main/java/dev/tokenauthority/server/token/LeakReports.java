package dev.tokenauthority.server.token;

import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.identity.Caller;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Secrets found where they should not be (a scanner's hit, a paste), reported by anyone: every
 * working token among them is revoked as leaked, within a per-address rate.
 */
public final class LeakReports {
  static final int MAX_SECRETS = 100;

  private final TokenContext context;
  private final LeakReportLimiter limiter;

  public LeakReports(TokenContext context, LeakReportLimiter limiter) {
    this.context = context;
    this.limiter = limiter;
  }

  /**
   * Revokes every working token among {@code secrets} as leaked. Anyone may report, so the answer
   * is only how many secrets were well-formed: never which were live.
   */
  public int report(Caller caller, List<String> secrets) {
    if (secrets.size() > MAX_SECRETS) {
      throw InvalidArgumentException.of("secrets", "TOO_MANY_SECRETS",
          "at most " + MAX_SECRETS + " secrets per report");
    }
    limiter.acquire(LeakReportLimiter.host(caller.origin().peer()));
    Set<ByteBuffer> distinct = new LinkedHashSet<>();
    for (String secret : secrets) {
      if (TokenKind.ofSecret(secret).isPresent()) {
        distinct.add(ByteBuffer.wrap(Secret.sha256(secret)));
      }
    }
    List<byte[]> hashes = distinct.stream().map(ByteBuffer::array).toList();
    Instant now = context.now();
    context.store().revokeLeaked(hashes, now,
        t -> TokenManager.audit(caller, now, AuditAction.TOKEN_LEAK_REVOKED, t, Map.of("reason", "leaked")),
        count -> AuditEntry.success(now, AuditAction.LEAK_REPORTED, caller.actor(), caller.origin(),
            "", "", Map.of("received", Integer.toString(secrets.size()),
                "accepted", Integer.toString(hashes.size()), "revoked", Integer.toString(count))));
    return hashes.size();
  }
}
