package dev.tokenauthority.server.device;

import dev.tokenauthority.server.session.Rights;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A device's request for a session or a developer token, as stored (the device code's hash only).
 *
 * @param tokenTtl null: the personal token kind's default
 * @param approver who approved or denied it, with the rights they had then; null while pending
 */
public record DeviceRequest(byte[] deviceCodeHash, String userCode, Purpose purpose, String label,
    List<String> scopes, String organization, Duration tokenTtl, String requesterPeer,
    Instant createTime, Instant expireTime, State state, Approver approver, Instant decideTime) {

  /** What the device asks for. */
  public enum Purpose { SESSION, DEVELOPER_TOKEN }

  /** Where a request stands as stored; {@link #stateAt} adds expiry. */
  public enum State { PENDING, APPROVED, DENIED, ISSUED, EXPIRED }

  /** The person who decided, and what they could do then. */
  public record Approver(String tokenId, Rights rights) {}

  public DeviceRequest {
    scopes = List.copyOf(scopes);
  }

  /** The state at {@code now}: a request not issued by its expiry time has expired. */
  public State stateAt(Instant now) {
    boolean open = state == State.PENDING || state == State.APPROVED;
    return open && !expireTime.isAfter(now) ? State.EXPIRED : state;
  }
}
