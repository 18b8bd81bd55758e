package dev.tokenauthority.server.storage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears of every storage failure on the way out of the storage layer and tells whoever listens
 * (health) about faults that take the server out of service.
 */
public final class StorageMonitor {
  private static final Logger log = LoggerFactory.getLogger(StorageMonitor.class);

  private static final long QUIET_MILLIS = 10_000;
  private final AtomicReference<StorageFault> lasting = new AtomicReference<>();
  private final java.util.concurrent.atomic.AtomicLong lastWarned = new java.util.concurrent.atomic.AtomicLong();
  private final List<Consumer<StorageFault>> listeners = new CopyOnWriteArrayList<>();

  /** Notes {@code failure}; a fault is logged once per kind, without a stack trace. */
  void failed(Throwable failure) {
    StorageFault.of(failure).ifPresent(fault -> {
      if (fault.takesServerOutOfService() && lasting.compareAndSet(null, fault)) {
        log.error("storage fault {}: {}; health now says NOT_SERVING", fault.reason(), failure.toString());
        listeners.forEach(l -> l.accept(fault));
      } else if (!fault.takesServerOutOfService()) {
        long now = System.currentTimeMillis();
        long last = lastWarned.get();
        if (now - last >= QUIET_MILLIS && lastWarned.compareAndSet(last, now)) { // a full disk fails every write
          log.warn("storage fault {}: {}", fault.reason(), failure.toString());
        }
      }
    });
  }

  /** Calls {@code listener} on the first fault that takes the server out of service. */
  public void onOutOfService(Consumer<StorageFault> listener) {
    listeners.add(listener);
    StorageFault already = lasting.get();
    if (already != null) {
      listener.accept(already);
    }
  }
}
