package dev.tokenauthority.server.connector;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import com.google.protobuf.FieldMask;
import dev.tokenauthority.api.v1.Connector;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc.ConnectorServiceBlockingStub;
import dev.tokenauthority.api.v1.CreateConnectorRequest;
import dev.tokenauthority.api.v1.DeleteConnectorRequest;
import dev.tokenauthority.api.v1.GetConnectorRequest;
import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.api.v1.ListConnectorsRequest;
import dev.tokenauthority.api.v1.ListConnectorsResponse;
import dev.tokenauthority.api.v1.RotateConnectorRequest;
import dev.tokenauthority.api.v1.TestConnectorRequest;
import dev.tokenauthority.api.v1.TestConnectorResponse;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenState;
import dev.tokenauthority.api.v1.UpdateConnectorRequest;
import dev.tokenauthority.api.v1.WatchRevocationsResponse.EventCase;
import dev.tokenauthority.api.v1.WatchRevocationsResponse;
import dev.tokenauthority.server.FeedRecorder;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ConnectorService end to end: every connector change shows at once in introspection. */
class ConnectorServiceTest extends InProcessAuthorityTest {
  private Token manager;
  private ConnectorServiceBlockingStub m;

  @BeforeEach
  void manager() {
    manager = ta.orgToken("acme", "connectors:write", "lenses:read", "lenses:write", "agents:read");
    m = ta.connectorsAs(manager.getSecret());
  }

  @Test
  void create_showsTheSecretOnce_andTheServiceTokenCarriesTheRegisteredScopes() {
    Connector c = m.createConnector(create("ci-runner", "lenses:read", "agents:read"));

    assertThat(c.getId()).startsWith("con_");
    assertThat(c.getSecret()).startsWith("tka_svc_");
    assertThat(c.getSecretHint()).isEqualTo(c.getSecret().substring(0, 12));
    assertThat(c.getCreator()).isEqualTo(manager.getId());
    assertThat(c.hasTokenExpireTime()).isTrue();
    Connector read = m.getConnector(name("ci-runner"));
    assertThat(read.getSecret()).isEmpty();
    assertThat(read.getTokenId()).isEqualTo(c.getTokenId());
    assertThat(read.getScopesList()).containsExactly("agents:read", "lenses:read");
    assertThat(read.toString()).doesNotContain(c.getSecret());
    IntrospectTokenResponse i = introspect(c.getSecret());
    assertThat(i.getActive()).isTrue();
    assertThat(i.getToken().getScopesList()).containsExactly("agents:read", "lenses:read");
    assertThat(i.getToken().getConnectorId()).isEqualTo(c.getId());

    assertFails(() -> m.createConnector(create("ci-runner", "lenses:read")), Code.ALREADY_EXISTS, "CONNECTOR_EXISTS");
    assertFails(() -> m.createConnector(create("widener", "tokens:write")), Code.PERMISSION_DENIED, "SCOPE_NOT_HELD");
    assertFails(() -> m.createConnector(CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
        .setOrganization("globex").setSlug("spy").setName("x").addScopes("lenses:read")).build()),
        Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
  }

  @Test
  void badInput_namesEachField() {
    var violations = assertInvalid(() -> m.createConnector(CreateConnectorRequest.newBuilder().setConnector(
        Connector.newBuilder().setOrganization("acme").setSlug("X").setName(" ").addScopes("nope")).build()),
        "connector.slug", "FIELD_INVALID");
    assertThat(violations).extracting(v -> v.getField())
        .contains("connector.slug", "connector.name", "connector.scopes");
    assertInvalid(() -> m.createConnector(CreateConnectorRequest.getDefaultInstance()), "connector", "FIELD_REQUIRED");
    assertInvalid(() -> m.createConnector(create("ab", "lenses:read")), "connector.slug", "FIELD_INVALID");
    assertInvalid(() -> m.createConnector(create("ends-with-", "lenses:read")), "connector.slug", "FIELD_INVALID");
    assertInvalid(() -> m.createConnector(create("ok-slug").toBuilder()
        .setTtl(Duration.newBuilder().setSeconds(3600)).build()), "ttl", "TTL_OUT_OF_BOUNDS");
    assertInvalid(() -> m.getConnector(GetConnectorRequest.getDefaultInstance()), "organization", "FIELD_REQUIRED");
    assertInvalid(() -> m.listConnectors(ListConnectorsRequest.newBuilder().setPageSize(-1).build()),
        "page_size", "FIELD_INVALID");
    m.createConnector(create("real", "lenses:read"));
    assertInvalid(() -> m.updateConnector(UpdateConnectorRequest.newBuilder().setConnector(
        Connector.newBuilder().setOrganization("acme").setSlug("real").setName("n"))
        .setUpdateMask(FieldMask.newBuilder().addPaths("slug")).build()), "update_mask", "FIELD_INVALID");
  }

  @Test
  void anotherOrganisationsConnector_doesNotExistForTheCaller() {
    ta.connectorsAs(ta.adminSecret()).createConnector(CreateConnectorRequest.newBuilder().setConnector(
        Connector.newBuilder().setOrganization("globex").setSlug("billing").setName("b").addScopes("lenses:read")).build());
    GetConnectorRequest globex = GetConnectorRequest.newBuilder().setOrganization("globex").setSlug("billing").build();

    assertFails(() -> m.getConnector(globex), Code.NOT_FOUND, "CONNECTOR_NOT_FOUND");
    assertFails(() -> m.rotateConnector(RotateConnectorRequest.newBuilder().setOrganization("globex").setSlug("billing").build()),
        Code.NOT_FOUND, "CONNECTOR_NOT_FOUND");
    assertFails(() -> m.deleteConnector(DeleteConnectorRequest.newBuilder().setOrganization("globex").setSlug("billing").build()),
        Code.NOT_FOUND, "CONNECTOR_NOT_FOUND");
    assertFails(() -> m.getConnector(name("missing")), Code.NOT_FOUND, "CONNECTOR_NOT_FOUND");
    assertFails(() -> m.listConnectors(ListConnectorsRequest.newBuilder().setOrganization("globex").build()),
        Code.PERMISSION_DENIED, "OUTSIDE_ORGANIZATION");
    assertThat(ta.connectorsAs(ta.adminSecret()).getConnector(globex).getSlug()).isEqualTo("billing");
  }

  @Test
  void rotate_killsTheOldSecretAtOnce_orAfterTheGracePeriod() {
    Connector first = m.createConnector(create("deployer", "lenses:read"));
    assertThat(introspect(first.getSecret()).getActive()).as("now in the server's token cache").isTrue();

    Connector second = m.rotateConnector(rotate("deployer", 0));
    assertThat(second.getSecret()).startsWith("tka_svc_").isNotEqualTo(first.getSecret());
    assertThat(second.getTokenId()).isNotEqualTo(first.getTokenId());
    assertThat(introspect(first.getSecret()).getActive()).as("old secret dead at once").isFalse();
    assertThat(introspect(second.getSecret()).getActive()).isTrue();
    assertThat(ta.admin().getToken(GetTokenRequest.newBuilder().setId(second.getTokenId()).build())
        .getRotatedFrom()).isEqualTo(first.getTokenId());

    Connector third = m.rotateConnector(rotate("deployer", 600));
    assertThat(introspect(second.getSecret()).getActive()).as("in its grace period").isTrue();
    TestConnectorResponse during = m.testConnector(test("deployer", second.getSecret()));
    assertThat(during.getLive()).isTrue();
    assertThat(during.getCurrent()).isFalse();
    ta.clock.advance(java.time.Duration.ofMinutes(11));
    assertThat(introspect(second.getSecret()).getActive()).as("grace over").isFalse();
    assertThat(introspect(third.getSecret()).getActive()).isTrue();
    assertThat(m.getConnector(name("deployer")).getTokenId()).isEqualTo(third.getTokenId());
  }

  @Test
  void update_narrowingNarrowsTheLiveToken_wideningWaitsForARotation() {
    Connector c = m.createConnector(create("sync", "lenses:read", "lenses:write"));
    assertThat(introspect(c.getSecret()).getToken().getScopesList()).as("now in the server's token cache").hasSize(2);

    Connector narrowed = m.updateConnector(update("sync", "lenses:read"));
    assertThat(narrowed.getScopesList()).containsExactly("lenses:read");
    IntrospectTokenResponse after = ta.admin().introspectToken(IntrospectTokenRequest.newBuilder()
        .setSecret(c.getSecret()).addRequiredScopes("lenses:write").build());
    assertThat(after.getActive()).isTrue();
    assertThat(after.getAllowed()).as("narrowed at once").isFalse();
    assertThat(after.getToken().getScopesList()).containsExactly("lenses:read");

    m.updateConnector(update("sync", "lenses:read", "agents:read"));
    assertThat(introspect(c.getSecret()).getToken().getScopesList()).as("not widened in place").containsExactly("lenses:read");
    Connector rotated = m.rotateConnector(rotate("sync", 0));
    assertThat(introspect(rotated.getSecret()).getToken().getScopesList()).containsExactly("agents:read", "lenses:read");

    Token weaker = ta.orgToken("acme", "connectors:write", "lenses:read");
    assertFails(() -> ta.connectorsAs(weaker.getSecret()).updateConnector(update("sync", "lenses:read", "lenses:write")),
        Code.PERMISSION_DENIED, "SCOPE_NOT_HELD");
    Connector renamed = m.updateConnector(UpdateConnectorRequest.newBuilder().setConnector(Connector.newBuilder()
        .setOrganization("acme").setSlug("sync").setName("Nightly sync")).build());
    assertThat(renamed.getName()).isEqualTo("Nightly sync");
    assertThat(renamed.getScopesList()).as("no mask: only what is set changes").containsExactly("agents:read", "lenses:read");
  }

  @Test
  void narrowing_reachesTheRevocationFeed_andALaterRevocationStillDoes() throws InterruptedException {
    Connector c = m.createConnector(create("feed-me", "lenses:read", "lenses:write"));
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), ta.adminSecret(), 0, 0)) {
      assertThat(feed.next(java.time.Duration.ofSeconds(5), EventCase.START)).isNotNull();
      m.updateConnector(update("feed-me", "lenses:read"));
      WatchRevocationsResponse narrowed = feed.next(java.time.Duration.ofSeconds(5), EventCase.NARROWED);
      assertThat(narrowed).as("a TokenNarrowed for the live token").isNotNull();
      assertThat(narrowed.getNarrowed().getTokenId()).isEqualTo(c.getTokenId());
      m.updateConnector(update("feed-me", "lenses:read"));
      m.deleteConnector(DeleteConnectorRequest.newBuilder().setOrganization("acme").setSlug("feed-me").build());
      WatchRevocationsResponse revoked = feed.next(java.time.Duration.ofSeconds(5), EventCase.REVOCATION);
      assertThat(revoked).as("narrowed before, revoked now").isNotNull();
      assertThat(revoked.getRevocation().getTokenId()).isEqualTo(c.getTokenId());
      assertThat(revoked.getRevocation().getSequence()).isGreaterThan(narrowed.getNarrowed().getSequence());
    }
  }

  @Test
  void delete_revokesEveryTokenOfTheConnector_inTheGracePeriodToo() {
    Connector first = m.createConnector(create("old-job", "lenses:read"));
    Connector second = m.rotateConnector(rotate("old-job", 3600));
    Connector other = m.createConnector(create("keeper", "lenses:read"));
    assertThat(introspect(second.getSecret()).getActive()).as("now in the server's token cache").isTrue();

    m.deleteConnector(DeleteConnectorRequest.newBuilder().setOrganization("acme").setSlug("old-job")
        .setReason("decommissioned").build());

    assertThat(introspect(first.getSecret()).getActive()).isFalse();
    assertThat(introspect(second.getSecret()).getActive()).isFalse();
    assertThat(introspect(other.getSecret()).getActive()).isTrue();
    Token dead = ta.admin().getToken(GetTokenRequest.newBuilder().setId(second.getTokenId()).build());
    assertThat(dead.getState()).isEqualTo(TokenState.TOKEN_STATE_REVOKED);
    assertThat(dead.getRevokeReason()).isEqualTo("decommissioned");
    assertFails(() -> m.getConnector(name("old-job")), Code.NOT_FOUND, "CONNECTOR_NOT_FOUND");
    assertThat(m.createConnector(create("old-job", "lenses:read")).getSlug()).as("the slug is free again").isEqualTo("old-job");
  }

  @Test
  void testConnector_saysOnlyWhetherTheSecretIsThisConnectorsLiveToken() {
    Connector a = m.createConnector(create("alpha", "lenses:read"));
    Connector b = m.createConnector(create("beta", "agents:read"));

    TestConnectorResponse live = m.testConnector(test("alpha", a.getSecret()));
    assertThat(live.getLive()).isTrue();
    assertThat(live.getCurrent()).isTrue();
    assertThat(live.getScopesList()).containsExactly("lenses:read");
    TestConnectorResponse foreign = m.testConnector(test("alpha", b.getSecret()));
    assertThat(foreign.getLive()).isFalse();
    assertThat(foreign.getScopesList()).isEmpty();
    assertThat(foreign.getTokenId()).isEmpty();
    assertThat(m.testConnector(test("alpha", "junk")).getLive()).isFalse();
    assertThat(m.testConnector(test("alpha", manager.getSecret())).getLive()).isFalse();
    assertInvalid(() -> m.testConnector(test("alpha", "")), "secret", "FIELD_REQUIRED");
  }

  @Test
  void list_pagesInSlugOrder() {
    for (String slug : List.of("delta", "alpha", "echo", "charlie", "bravo")) {
      m.createConnector(create(slug, "lenses:read"));
    }
    List<String> seen = new ArrayList<>();
    String token = "";
    do {
      ListConnectorsResponse page = m.listConnectors(ListConnectorsRequest.newBuilder().setPageSize(2).setPageToken(token).build());
      assertThat(page.getConnectorsCount()).isLessThanOrEqualTo(2);
      page.getConnectorsList().forEach(c -> seen.add(c.getSlug()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertThat(seen).containsExactly("alpha", "bravo", "charlie", "delta", "echo");
    String next = m.listConnectors(ListConnectorsRequest.newBuilder().setPageSize(1).build()).getNextPageToken();
    assertInvalid(() -> ta.connectorsAs(ta.adminSecret()).listConnectors(ListConnectorsRequest.newBuilder()
        .setOrganization("globex").setPageToken(next).build()), "page_token", "INVALID_PAGE_TOKEN");
  }

  private IntrospectTokenResponse introspect(String secret) {
    return ta.admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build());
  }

  private static CreateConnectorRequest create(String slug, String... scopes) {
    return CreateConnectorRequest.newBuilder().setConnector(Connector.newBuilder().setOrganization("acme")
        .setSlug(slug).setName("connector " + slug).addAllScopes(List.of(scopes))).build();
  }

  private static GetConnectorRequest name(String slug) {
    return GetConnectorRequest.newBuilder().setOrganization("acme").setSlug(slug).build();
  }

  private static RotateConnectorRequest rotate(String slug, long graceSeconds) {
    return RotateConnectorRequest.newBuilder().setOrganization("acme").setSlug(slug)
        .setGracePeriod(Duration.newBuilder().setSeconds(graceSeconds)).build();
  }

  private static UpdateConnectorRequest update(String slug, String... scopes) {
    return UpdateConnectorRequest.newBuilder().setConnector(Connector.newBuilder().setOrganization("acme")
        .setSlug(slug).addAllScopes(List.of(scopes)))
        .setUpdateMask(FieldMask.newBuilder().addPaths("scopes")).build();
  }

  private static TestConnectorRequest test(String slug, String secret) {
    return TestConnectorRequest.newBuilder().setOrganization("acme").setSlug(slug).setSecret(secret).build();
  }
}
