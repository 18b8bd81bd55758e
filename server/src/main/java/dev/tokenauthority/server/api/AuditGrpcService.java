package dev.tokenauthority.server.api;

import dev.tokenauthority.api.v1.AuditAction;
import dev.tokenauthority.api.v1.AuditEvent;
import dev.tokenauthority.api.v1.AuditOutcome;
import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.GetAuditEventRequest;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ListAuditEventsResponse;
import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.audit.AuditFilter;
import dev.tokenauthority.server.audit.AuditLog;
import dev.tokenauthority.server.audit.AuditRecord;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.paging.Page;
import io.grpc.stub.StreamObserver;

/** {@code tokenauthority.v1.AuditService}: reads only; nothing here changes an event. */
public final class AuditGrpcService extends AuditServiceGrpc.AuditServiceImplBase {
  private static final String ACTION_PREFIX = "AUDIT_ACTION_";

  private final AuditLog audit;

  public AuditGrpcService(AuditLog audit) {
    this.audit = audit;
  }

  @Override
  public void listAuditEvents(ListAuditEventsRequest req, StreamObserver<ListAuditEventsResponse> out) {
    Responses.unary(out, () -> {
      AuditFilter filter = new AuditFilter(req.getOrganization(), req.getActor(), req.getTarget(),
          actionFromProto(req.getAction()),
          req.hasStartTime() ? TokenMessages.instant(req.getStartTime(), "start_time") : null,
          req.hasEndTime() ? TokenMessages.instant(req.getEndTime(), "end_time") : null);
      Page<AuditRecord> page = audit.list(CallerContext.current(), filter, req.getPageSize(), req.getPageToken());
      ListAuditEventsResponse.Builder b =
          ListAuditEventsResponse.newBuilder().setNextPageToken(page.nextPageToken());
      page.items().forEach(e -> b.addEvents(toProto(e)));
      return b.build();
    });
  }

  @Override
  public void getAuditEvent(GetAuditEventRequest req, StreamObserver<AuditEvent> out) {
    Responses.unary(out, () -> toProto(audit.get(CallerContext.current(), req.getId())));
  }

  private static dev.tokenauthority.server.audit.AuditAction actionFromProto(AuditAction action) {
    if (action == AuditAction.AUDIT_ACTION_UNSPECIFIED) {
      return null;
    }
    if (action == AuditAction.UNRECOGNIZED) {
      throw InvalidArgumentException.of("action", "FIELD_INVALID", "action is not a known action");
    }
    return dev.tokenauthority.server.audit.AuditAction.valueOf(
        action.name().substring(ACTION_PREFIX.length()));
  }

  private static AuditEvent toProto(AuditRecord r) {
    AuditEntry e = r.entry();
    return AuditEvent.newBuilder()
        .setId(r.id())
        .setTime(TokenMessages.timestamp(e.time()))
        .setAction(AuditAction.valueOf(ACTION_PREFIX + e.action().name()))
        .setActor(e.actor())
        .setOrganization(e.organization())
        .setTarget(e.target())
        .setRequestId(e.origin().requestId())
        .setPeer(e.origin().peer())
        .setOutcome(switch (e.outcome()) {
          case SUCCESS -> AuditOutcome.AUDIT_OUTCOME_SUCCESS;
          case DENIED -> AuditOutcome.AUDIT_OUTCOME_DENIED;
        })
        .putAllDetails(e.details())
        .build();
  }
}
