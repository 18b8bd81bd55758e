package dev.tokenauthority.server.api;

import dev.tokenauthority.server.audit.AuditAction;
import dev.tokenauthority.server.error.Outcome;
import io.grpc.Status;
import java.util.Arrays;
import java.util.Optional;

/**
 * The one table from a domain {@link Outcome} to what each transport says: the gRPC code, the HTTP
 * status and error word a sidecar's denial carries, and the security event it is for the audit
 * log (if any). Nothing else maps outcomes.
 */
enum Outcomes {
  INVALID_ARGUMENT(Outcome.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT, 400, "invalid_argument", null),
  UNAUTHENTICATED(Outcome.UNAUTHENTICATED, Status.Code.UNAUTHENTICATED, 401, "unauthenticated",
      AuditAction.AUTHENTICATION_FAILED),
  PERMISSION_DENIED(Outcome.PERMISSION_DENIED, Status.Code.PERMISSION_DENIED, 403, "forbidden",
      AuditAction.PERMISSION_DENIED),
  NOT_FOUND(Outcome.NOT_FOUND, Status.Code.NOT_FOUND, 404, "not_found", null),
  FAILED_PRECONDITION(Outcome.FAILED_PRECONDITION, Status.Code.FAILED_PRECONDITION, 409, "failed_precondition", null),
  ALREADY_EXISTS(Outcome.ALREADY_EXISTS, Status.Code.ALREADY_EXISTS, 409, "already_exists", null),
  RESOURCE_EXHAUSTED(Outcome.RESOURCE_EXHAUSTED, Status.Code.RESOURCE_EXHAUSTED, 429, "too_many_requests", null),
  ABORTED(Outcome.ABORTED, Status.Code.ABORTED, 409, "aborted", null),
  UNAVAILABLE(Outcome.UNAVAILABLE, Status.Code.UNAVAILABLE, 503, "unavailable", null),
  INTERNAL(Outcome.INTERNAL, Status.Code.INTERNAL, 500, "internal", null);

  final Outcome outcome;
  final Status.Code grpc;
  final int httpStatus;
  final String httpError;
  /** The security event an answer with this outcome is audited as; null for none. */
  final AuditAction securityEvent;

  Outcomes(Outcome outcome, Status.Code grpc, int httpStatus, String httpError, AuditAction securityEvent) {
    this.outcome = outcome;
    this.grpc = grpc;
    this.httpStatus = httpStatus;
    this.httpError = httpError;
    this.securityEvent = securityEvent;
  }

  static Outcomes of(Outcome outcome) {
    return valueOf(outcome.name());
  }

  /** The row of a gRPC code an answer carries; empty for codes no outcome makes (OK, CANCELLED...). */
  static Optional<Outcomes> ofGrpc(Status.Code code) {
    return Arrays.stream(values()).filter(o -> o.grpc == code).findFirst();
  }
}
