package dev.tokenauthority.server.api;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.storage.StorageFault;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * The one place domain failures become gRPC statuses: the canonical code, the domain's message,
 * an {@link ErrorInfo} with the reason, and for bad input a {@link BadRequest} per field. Any
 * secret-like text a message echoes is cut to its hint here, whatever produced it.
 */
final class GrpcErrors {
  /** The {@code ErrorInfo.domain} of every error this server sends. */
  static final String DOMAIN = "tokenauthority.v1";

  private GrpcErrors() {}

  static StatusRuntimeException toStatus(TokenAuthorityException e) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(Outcomes.of(e.outcome()).grpc.value())
        .setMessage(SecretFormat.redact(e.getMessage()))
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(e.reason()).setDomain(DOMAIN).build()));
    if (e instanceof InvalidArgumentException invalid) {
      BadRequest.Builder bad = BadRequest.newBuilder();
      invalid.violations().forEach(v -> bad.addFieldViolations(BadRequest.FieldViolation.newBuilder()
          .setField(v.field())
          .setReason(v.reason())
          .setDescription(SecretFormat.redact(v.description()))));
      status.addDetails(Any.pack(bad.build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  /** The storage cannot serve the call now: UNAVAILABLE, retryable, with the fault's reason. */
  static StatusRuntimeException unavailable(StorageFault fault) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Outcomes.UNAVAILABLE.grpc.value())
        .setMessage(fault.message())
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(fault.reason()).setDomain(DOMAIN).build()))
        .build());
  }

  /**
   * What an unexpected failure becomes: UNAVAILABLE if the storage failed (a full disk, a damaged
   * file), else INTERNAL. Either way no internals reach the caller.
   */
  static StatusRuntimeException unexpected(RuntimeException e) {
    return StorageFault.of(e).map(GrpcErrors::unavailable).orElseGet(GrpcErrors::internal);
  }

  /** A failure that is ours, not the caller's: no internals in the answer. */
  static StatusRuntimeException internal() {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Outcomes.INTERNAL.grpc.value())
        .setMessage("internal error; the server log has the details")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("INTERNAL").setDomain(DOMAIN).build()))
        .build());
  }
}
