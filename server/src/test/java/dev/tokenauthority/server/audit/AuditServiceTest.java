package dev.tokenauthority.server.audit;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import dev.tokenauthority.api.v1.AuditAction;
import dev.tokenauthority.api.v1.AuditEvent;
import dev.tokenauthority.api.v1.AuditOutcome;
import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.DeleteConnectorRequest;
import dev.tokenauthority.api.v1.GetAuditEventRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ListAuditEventsResponse;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokensRequest;
import dev.tokenauthority.api.v1.RotateConnectorRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.UpdateConnectorRequest;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.config.AuthorityConfig;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log: what is recorded, with whom and which request, who may read it, and how it ends. */
class AuditServiceTest {
  private static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path dir;
  private TestAuthority ta;

  @BeforeEach
  void start() {
    ta = TestAuthority.start(dir, AuthorityConfig.defaults().toBuilder().auditRetention(Duration.ofDays(30)).build());
  }

  @AfterEach
  void stop() {
    ta.close();
  }

  @Test
  void everyChange_isAuditedWithItsActorAndTheCallersRequestId() {
    Token manager = ta.orgToken("acme", "tokens:write", "connectors:write", "lenses:read");
    var m = ta.as(manager.getSecret()).withInterceptors(requestId("req-create"));
    Token t = m.createToken(RolesRequests.orgToken("acme", "lenses:read"));
    Token rotated = ta.as(manager.getSecret()).withInterceptors(requestId("req-rotate"))
        .rotateToken(RotateTokenRequest.newBuilder().setId(t.getId()).addScopes("lenses:read").build());
    ta.as(manager.getSecret()).withInterceptors(requestId("req-revoke"))
        .revokeToken(RevokeTokenRequest.newBuilder().setId(rotated.getId()).setReason("done").build());
    Token member = m.createToken(RolesRequests.personal("acme", "alice", "lenses:read"));
    ta.as(manager.getSecret()).withInterceptors(requestId("req-offboard"))
        .revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("acme").setSubject("alice").build());
    var c = ta.connectorsAs(manager.getSecret()).withInterceptors(requestId("req-connector"));
    Connector connector = c.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
        .setOrganization("acme").setSlug("ci-runner").setName("CI").addScopes("lenses:read")).build());
    c.updateConnector(UpdateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
        .setOrganization("acme").setSlug("ci-runner").setName("CI runner")).build());
    c.rotateConnector(RotateConnectorRequest.newBuilder().setOrganization("acme").setSlug("ci-runner").build());
    c.deleteConnector(DeleteConnectorRequest.newBuilder().setOrganization("acme").setSlug("ci-runner").build());

    List<AuditEvent> events = all(ListAuditEventsRequest.newBuilder().setActor(manager.getId()).build());
    Map<AuditAction, List<AuditEvent>> byAction = events.stream().collect(Collectors.groupingBy(AuditEvent::getAction));
    assertThat(byAction.keySet()).contains(
        AuditAction.AUDIT_ACTION_TOKEN_CREATED, AuditAction.AUDIT_ACTION_TOKEN_ROTATED,
        AuditAction.AUDIT_ACTION_TOKEN_REVOKED, AuditAction.AUDIT_ACTION_TOKEN_BULK_REVOKED,
        AuditAction.AUDIT_ACTION_CONNECTOR_CREATED, AuditAction.AUDIT_ACTION_CONNECTOR_UPDATED,
        AuditAction.AUDIT_ACTION_CONNECTOR_ROTATED, AuditAction.AUDIT_ACTION_CONNECTOR_DELETED);
    assertThat(events).allSatisfy(e -> {
      assertThat(e.getOutcome()).isEqualTo(AuditOutcome.AUDIT_OUTCOME_SUCCESS);
      assertThat(e.getOrganization()).isEqualTo("acme");
      assertThat(e.getPeer()).isNotEmpty();
      assertThat(e.getRequestId()).startsWith("req-");
    });
    assertThat(byAction.get(AuditAction.AUDIT_ACTION_TOKEN_ROTATED)).as("the token's and the connector's")
        .hasSize(2).filteredOn(e -> e.getTarget().equals(t.getId())).singleElement().satisfies(e -> {
      assertThat(e.getRequestId()).isEqualTo("req-rotate");
      assertThat(e.getDetailsMap()).containsEntry("replaced_by", rotated.getId())
          .containsEntry("old_scopes", "lenses:read").containsEntry("new_scopes", "lenses:read");
    });
    assertThat(byAction.get(AuditAction.AUDIT_ACTION_TOKEN_REVOKED)).anySatisfy(e -> {
      assertThat(e.getTarget()).isEqualTo(rotated.getId());
      assertThat(e.getDetailsMap()).containsEntry("reason", "done");
    });
    assertThat(byAction.get(AuditAction.AUDIT_ACTION_TOKEN_BULK_REVOKED)).singleElement()
        .satisfies(e -> assertThat(e.getTarget()).isEqualTo(member.getId()));
    assertThat(byAction.get(AuditAction.AUDIT_ACTION_CONNECTOR_UPDATED)).singleElement().satisfies(e -> {
      assertThat(e.getTarget()).isEqualTo(connector.getId());
      assertThat(e.getDetailsMap()).containsEntry("old_name", "CI").containsEntry("new_name", "CI runner");
    });
    assertThat(events.stream().map(AuditEvent::getId).toList()).as("newest first")
        .isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void theRequestId_isReturned_andGeneratedWhenAbsent() {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    Token t = ta.admin().withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .createToken(RolesRequests.orgToken("acme", "lenses:read"));
    String generated = headers.get().get(REQUEST_ID);
    assertThat(generated).isNotBlank();
    assertThat(all(ListAuditEventsRequest.newBuilder().setTarget(t.getId()).build()))
        .singleElement().satisfies(e -> assertThat(e.getRequestId()).isEqualTo(generated));

    ta.admin().withInterceptors(requestId("mine-42"), MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .getToken(dev.tokenauthority.api.v1.GetTokenRequest.newBuilder().setId(t.getId()).build());
    assertThat(headers.get().get(REQUEST_ID)).isEqualTo("mine-42");

    assertFails(() -> ta.anonymous().withInterceptors(requestId("refused-1"),
        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)).listTokens(ListTokensRequest.getDefaultInstance()),
        Code.UNAUTHENTICATED, "MISSING_CREDENTIALS");
    assertThat(trailers.get().get(REQUEST_ID)).as("refusals carry it too").isEqualTo("refused-1");
  }

  @Test
  void failedAuthentications_areRecorded_coalescedPerPeerAndMinute() {
    for (int i = 0; i < 5; i++) {
      String id = "bad-" + i; // each attempt its own id: the event must name the first
      assertFails(() -> ta.as("tka_org_nonsense").withInterceptors(requestId(id))
          .listTokens(ListTokensRequest.getDefaultInstance()), Code.UNAUTHENTICATED, "INVALID_CREDENTIALS");
    }
    List<AuditEvent> failed = all(action(AuditAction.AUDIT_ACTION_AUTHENTICATION_FAILED));
    assertThat(failed).singleElement().satisfies(e -> {
      assertThat(e.getActor()).isEqualTo("anonymous");
      assertThat(e.getOutcome()).isEqualTo(AuditOutcome.AUDIT_OUTCOME_DENIED);
      assertThat(e.getRequestId()).isEqualTo("bad-0");
      assertThat(e.getDetailsMap()).containsEntry("reason", "INVALID_CREDENTIALS");
    });

    ta.clock.advance(Duration.ofMinutes(1));
    assertThat(all(action(AuditAction.AUDIT_ACTION_AUTHENTICATION_FAILED)))
        .as("the minute's repeats as one event").hasSize(2)
        .anySatisfy(e -> assertThat(e.getDetailsMap()).containsEntry("repeats", "4"));

    Token revoked = ta.orgToken("acme", "tokens:read");
    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(revoked.getId()).build());
    assertFails(() -> ta.as(revoked.getSecret()).listTokens(ListTokensRequest.getDefaultInstance()),
        Code.UNAUTHENTICATED, "CREDENTIALS_REVOKED");
    assertThat(all(action(AuditAction.AUDIT_ACTION_AUTHENTICATION_FAILED)))
        .anySatisfy(e -> {
          assertThat(e.getTarget()).isEqualTo(revoked.getId());
          assertThat(e.getOrganization()).as("the org's managers see attempts with its tokens").isEqualTo("acme");
        });
  }

  @Test
  void inactiveTokensPresentedToIntrospection_areSecurityEvents_coalescedPerTokenAndMinute() {
    Token checker = ta.orgToken("acme", "tokens:introspect");
    Token revoked = ta.orgToken("acme", "lenses:read");
    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(revoked.getId()).build());
    for (int i = 0; i < 3; i++) {
      assertThat(ta.as(checker.getSecret()).introspectToken(IntrospectTokenRequest.newBuilder()
          .setSecret(revoked.getSecret()).build()).getActive()).isFalse();
    }
    assertThat(all(action(AuditAction.AUDIT_ACTION_INACTIVE_TOKEN_PRESENTED))).singleElement().satisfies(e -> {
      assertThat(e.getTarget()).isEqualTo(revoked.getId());
      assertThat(e.getActor()).isEqualTo(checker.getId());
      assertThat(e.getDetailsMap()).containsEntry("state", "REVOKED");
    });
    ta.clock.advance(Duration.ofSeconds(61));
    ta.as(checker.getSecret()).introspectToken(IntrospectTokenRequest.newBuilder().setSecret(revoked.getSecret()).build());
    List<AuditEvent> events = all(action(AuditAction.AUDIT_ACTION_INACTIVE_TOKEN_PRESENTED));
    assertThat(events).hasSize(3).anySatisfy(e -> assertThat(e.getDetailsMap()).containsEntry("repeats", "2"));
  }

  @Test
  void permissionDenials_areRecorded() {
    Token reader = ta.orgToken("acme", "tokens:read");
    assertFails(() -> ta.as(reader.getSecret()).withInterceptors(requestId("try-write"))
        .revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("acme").build()),
        Code.PERMISSION_DENIED, "MISSING_SCOPE");
    assertThat(all(action(AuditAction.AUDIT_ACTION_PERMISSION_DENIED))).singleElement().satisfies(e -> {
      assertThat(e.getActor()).isEqualTo(reader.getId());
      assertThat(e.getRequestId()).isEqualTo("try-write");
      assertThat(e.getOrganization()).isEqualTo("acme");
      assertThat(e.getDetailsMap()).containsEntry("method", "tokenauthority.v1.TokenService/RevokeTokens");
    });
  }

  @Test
  void filtersAndPages() {
    Instant before = ta.clock.instant();
    for (int i = 0; i < 5; i++) {
      ta.orgToken("acme", "lenses:read");
    }
    ta.clock.advance(Duration.ofHours(1));
    Token late = ta.orgToken("globex", "lenses:read");
    var audit = ta.auditAs(ta.adminSecret());

    assertThat(all(ListAuditEventsRequest.newBuilder().setOrganization("acme").build())).hasSize(5);
    assertThat(all(ListAuditEventsRequest.newBuilder().setStartTime(ts(before.plusSeconds(60))).build()))
        .singleElement().satisfies(e -> assertThat(e.getTarget()).isEqualTo(late.getId()));
    assertThat(all(ListAuditEventsRequest.newBuilder().setEndTime(ts(before.plusSeconds(60)))
        .setOrganization("acme").build())).hasSize(5);
    ListAuditEventsResponse first = audit.listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setOrganization("acme").setPageSize(2).build());
    assertThat(first.getEventsCount()).isEqualTo(2);
    assertInvalid(() -> audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setOrganization("globex")
        .setPageToken(first.getNextPageToken()).build()), "page_token", "INVALID_PAGE_TOKEN");
    assertInvalid(() -> audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(-1).build()),
        "page_size", "FIELD_INVALID");
    assertInvalid(() -> audit.listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setStartTime(ts(before)).setEndTime(ts(before)).build()), "end_time", "FIELD_INVALID");
    long id = first.getEvents(0).getId();
    assertThat(audit.getAuditEvent(GetAuditEventRequest.newBuilder().setId(id).build())).isEqualTo(first.getEvents(0));
    assertFails(() -> audit.getAuditEvent(GetAuditEventRequest.newBuilder().setId(999_999).build()),
        Code.NOT_FOUND, "AUDIT_EVENT_NOT_FOUND");
  }

  @Test
  void eventsAreAppendOnly_andOnlyRetentionRemovesThem_auditingThat() throws SQLException {
    assertThat(AuditServiceGrpc.getServiceDescriptor().getMethods())
        .extracting(m -> m.getBareMethodName()).containsExactlyInAnyOrder("ListAuditEvents", "GetAuditEvent");
    Token old = ta.orgToken("acme", "lenses:read");
    try (Connection db = ta.connectDatabase(); Statement s = db.createStatement()) {
      assertThatThrownBy(() -> s.executeUpdate("UPDATE audit_event SET actor = 'someone else'"))
          .hasMessageContaining("append-only");
    }

    ta.clock.advance(Duration.ofDays(31));
    Token recent = ta.orgToken("acme", "lenses:read");
    ta.restart(); // prunes at start, then hourly

    List<AuditEvent> left = all(ListAuditEventsRequest.getDefaultInstance());
    assertThat(left).extracting(AuditEvent::getTarget).contains(recent.getId()).doesNotContain(old.getId());
    assertThat(left).filteredOn(e -> e.getAction() == AuditAction.AUDIT_ACTION_AUDIT_EVENTS_PRUNED)
        .singleElement().satisfies(e -> {
          assertThat(e.getActor()).isEqualTo("system");
          assertThat(e.getDetailsMap()).containsEntry("deleted", "2"); // bootstrap + old token
        });
  }

  private List<AuditEvent> all(ListAuditEventsRequest request) {
    List<AuditEvent> events = new ArrayList<>();
    String page = "";
    do {
      ListAuditEventsResponse r = ta.auditAs(ta.adminSecret())
          .listAuditEvents(request.toBuilder().setPageToken(page).setPageSize(3).build());
      events.addAll(r.getEventsList());
      page = r.getNextPageToken();
    } while (!page.isEmpty());
    return events;
  }

  private static ListAuditEventsRequest action(AuditAction action) {
    return ListAuditEventsRequest.newBuilder().setAction(action).build();
  }

  private static io.grpc.ClientInterceptor requestId(String id) {
    Metadata m = new Metadata();
    m.put(REQUEST_ID, id);
    return MetadataUtils.newAttachHeadersInterceptor(m);
  }

  private static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
