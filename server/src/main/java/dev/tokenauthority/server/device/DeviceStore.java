package dev.tokenauthority.server.device;

import dev.tokenauthority.server.audit.AuditEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Where device requests live. Each changing method is one transaction with its audit entry. */
public interface DeviceStore {
  /** Stores a new request; false, storing nothing, if its user code is taken. */
  boolean insert(DeviceRequest request, AuditEntry audit);

  Optional<DeviceRequest> findByUserCode(String userCode);

  Optional<DeviceRequest> findByDeviceCode(byte[] deviceCodeHash);

  /**
   * Approves or denies a request that is pending and not expired at {@code now}.
   *
   * @return false, changing nothing, otherwise
   */
  boolean decide(String userCode, DeviceRequest.State decision, DeviceRequest.Approver approver,
      Instant now, AuditEntry audit);

  /**
   * Records a poll at {@code now} unless the last one was less than {@code interval} ago.
   *
   * @return false if it came too soon
   */
  boolean poll(byte[] deviceCodeHash, Instant now, Duration interval);

  /** Marks an approved request issued; false if it was not (the token goes out once). */
  boolean claim(byte[] deviceCodeHash, Instant now, AuditEntry audit);
}
