package dev.tokenauthority.cli;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;

/**
 * One line a person can act on for a failed call: the server's message, its {@code ErrorInfo}
 * reason, each {@code BadRequest} field violation, and the request id to quote to an operator.
 */
public final class ErrorLine {
  private static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  private ErrorLine() {}

  public static String of(StatusRuntimeException e) {
    String message = e.getStatus().getDescription();
    List<String> parts = new ArrayList<>();
    parts.add(message == null || message.isBlank() ? e.getStatus().getCode().name().toLowerCase() : message);
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details != null) {
      for (Any any : details.getDetailsList()) {
        try {
          if (any.is(ErrorInfo.class)) {
            parts.set(0, parts.get(0) + " (" + any.unpack(ErrorInfo.class).getReason() + ")");
          } else if (any.is(BadRequest.class)) {
            for (BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList()) {
              if (v.getDescription().equals(message)) {
                // The message is this violation: name its field once instead of saying it twice.
                parts.set(0, v.getField() + ": " + parts.get(0));
              } else {
                parts.add(v.getField() + ": " + v.getDescription());
              }
            }
          }
        } catch (InvalidProtocolBufferException malformed) {
          // A detail that does not parse adds nothing a person could use; the message stands.
        }
      }
    }
    String line = String.join("; ", parts);
    Metadata trailers = e.getTrailers();
    String requestId = trailers == null ? null : trailers.get(REQUEST_ID);
    return requestId == null ? line : line + " [request id " + requestId + "]";
  }

  /** The {@code ErrorInfo} reason, or null. */
  public static String reason(StatusRuntimeException e) {
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details != null) {
      for (Any any : details.getDetailsList()) {
        if (any.is(ErrorInfo.class)) {
          try {
            return any.unpack(ErrorInfo.class).getReason();
          } catch (InvalidProtocolBufferException malformed) {
            return null;
          }
        }
      }
    }
    return null;
  }
}
