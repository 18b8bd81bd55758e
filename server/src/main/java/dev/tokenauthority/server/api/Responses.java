package dev.tokenauthority.server.api;

import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.storage.StorageFault;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a unary call and answers it: the result, the caller's mistake, UNAVAILABLE when the storage
 * failed, or a bare INTERNAL.
 */
final class Responses {
  private static final Logger log = LoggerFactory.getLogger(Responses.class);

  private Responses() {}

  static <T> void unary(StreamObserver<T> out, Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (TokenAuthorityException e) {
      out.onError(GrpcErrors.toStatus(e));
      return;
    } catch (RuntimeException e) {
      if (StorageFault.of(e).isEmpty()) { // storage faults are logged once by the storage monitor
        log.error("request failed", e); // never a secret: only hashes reach storage
      }
      out.onError(GrpcErrors.unexpected(e));
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }
}
