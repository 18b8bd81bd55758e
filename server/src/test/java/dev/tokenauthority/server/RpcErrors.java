package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the errors a caller sees: code, ErrorInfo reason, BadRequest fields. */
public final class RpcErrors {
  private RpcErrors() {}

  /** Runs {@code call}, asserts it fails with {@code code} and {@code reason}, returns the error. */
  public static StatusRuntimeException assertFails(ThrowingCallable call, Status.Code code, String reason) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("expected %s %s", code, reason).isNotNull();
    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
    assertThat(errorInfo(e).getReason()).as(e.getStatus().toString()).isEqualTo(reason);
    assertThat(errorInfo(e).getDomain()).isEqualTo("tokenauthority.v1");
    return e;
  }

  /** Asserts INVALID_ARGUMENT naming {@code field} with {@code reason}; returns the violations. */
  public static List<BadRequest.FieldViolation> assertInvalid(ThrowingCallable call, String field, String reason) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("expected INVALID_ARGUMENT on %s", field).isNotNull();
    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    List<BadRequest.FieldViolation> violations = badRequest(e).getFieldViolationsList();
    assertThat(violations).as(e.getStatus().toString())
        .anySatisfy(v -> {
          assertThat(v.getField()).isEqualTo(field);
          assertThat(v.getReason()).isEqualTo(reason);
          assertThat(v.getDescription()).isNotBlank();
        });
    return violations;
  }

  public static ErrorInfo errorInfo(StatusRuntimeException e) {
    return detail(e, ErrorInfo.class);
  }

  public static BadRequest badRequest(StatusRuntimeException e) {
    return detail(e, BadRequest.class);
  }

  private static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status).as("status details of %s", e.getStatus()).isNotNull();
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return any.unpack(type);
        } catch (InvalidProtocolBufferException ex) {
          throw new AssertionError(ex);
        }
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + e.getStatus());
  }
}
