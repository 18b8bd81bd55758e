package dev.tokenauthority.server.api;

import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.ListTokensResponse;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenState;
import dev.tokenauthority.server.InProcessAuthorityTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListTokensTest extends InProcessAuthorityTest {

  @Test
  void pages_walkEveryTokenNewestFirst_withoutRepeats() {
    for (int i = 0; i < 22; i++) {
      ta.orgToken("acme", "lenses:read");
      if (i % 5 == 0) {
        ta.clock.advance(Duration.ofSeconds(1)); // several tokens share a create time too (ties go by id)
      }
    }
    ta.clock.advance(Duration.ofSeconds(1));
    String newest = ta.orgToken("acme", "lenses:read").getId();

    List<String> seen = new ArrayList<>();
    String pageToken = "";
    int pages = 0;
    do {
      ListTokensResponse page = ta.admin().listTokens(ListTokensRequest.newBuilder()
          .setOrganization("acme").setPageSize(5).setPageToken(pageToken).build());
      assertThat(page.getTokensCount()).isLessThanOrEqualTo(5);
      page.getTokensList().forEach(t -> seen.add(t.getId()));
      pageToken = page.getNextPageToken();
      pages++;
    } while (!pageToken.isEmpty());

    assertThat(pages).isEqualTo(5);
    assertThat(seen).hasSize(23).doesNotHaveDuplicates();
    List<Instant> times = ta.admin().listTokens(ListTokensRequest.newBuilder().setOrganization("acme").setPageSize(100).build())
        .getTokensList().stream().map(t -> Instant.ofEpochSecond(t.getCreateTime().getSeconds(), t.getCreateTime().getNanos())).toList();
    assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));
    assertThat(seen.get(0)).isEqualTo(newest);
  }

  @Test
  void pageSize_defaultsTo50_clampsAt500_andRefusesNegatives() {
    for (int i = 0; i < 501; i++) {
      ta.orgToken("bulk", "lenses:read");
    }
    assertThat(ta.admin().listTokens(ListTokensRequest.newBuilder().setOrganization("bulk").build()).getTokensCount()).isEqualTo(50);
    ListTokensResponse big = ta.admin().listTokens(ListTokensRequest.newBuilder().setOrganization("bulk").setPageSize(10_000).build());
    assertThat(big.getTokensCount()).isEqualTo(500);
    assertThat(big.getNextPageToken()).isNotEmpty();
    assertInvalid(() -> ta.admin().listTokens(ListTokensRequest.newBuilder().setPageSize(-1).build()), "page_size", "FIELD_INVALID");
  }

  @Test
  void pageToken_isBoundToItsFilters() {
    for (int i = 0; i < 3; i++) {
      ta.orgToken("acme", "lenses:read");
    }
    String next = ta.admin().listTokens(ListTokensRequest.newBuilder().setOrganization("acme").setPageSize(1).build()).getNextPageToken();

    assertInvalid(() -> ta.admin().listTokens(ListTokensRequest.newBuilder().setOrganization("globex").setPageSize(1).setPageToken(next).build()),
        "page_token", "INVALID_PAGE_TOKEN");
    assertInvalid(() -> ta.admin().listTokens(ListTokensRequest.newBuilder().setPageToken("garbage!").build()),
        "page_token", "INVALID_PAGE_TOKEN");
    assertThat(ta.admin().listTokens(ListTokensRequest.newBuilder().setOrganization("acme").setPageSize(1).setPageToken(next).build())
        .getTokensCount()).isEqualTo(1);
  }

  @Test
  void filters_bySubjectKindStateLabelAndExpiry() {
    Token alice = personal("alice", "alice laptop");
    Token bob = personal("bob", "bob CI runner");
    Token org = ta.orgToken("acme", "lenses:read");
    Token revoked = ta.orgToken("acme", "lenses:read");
    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(revoked.getId()).build());

    assertThat(ids(ListTokensRequest.newBuilder().setSubject("alice"))).containsExactly(alice.getId());
    assertThat(ids(ListTokensRequest.newBuilder().setKind(TokenKind.TOKEN_KIND_PERSONAL))).containsExactlyInAnyOrder(alice.getId(), bob.getId());
    assertThat(ids(ListTokensRequest.newBuilder().setOrganization("acme").setState(TokenState.TOKEN_STATE_REVOKED))).containsExactly(revoked.getId());
    assertThat(ids(ListTokensRequest.newBuilder().setOrganization("acme").setState(TokenState.TOKEN_STATE_ACTIVE))).containsExactly(org.getId());
    assertThat(ids(ListTokensRequest.newBuilder().setLabelContains("ci RUN"))).containsExactly(bob.getId());

    // personal tokens live 30 days, organisation tokens 90: a reminder window of 31 days finds the personal ones
    Instant in31Days = ta.clock.instant().plus(Duration.ofDays(31));
    assertThat(ids(ListTokensRequest.newBuilder().setExpireBefore(ts(in31Days)))).containsExactlyInAnyOrder(alice.getId(), bob.getId());
    ta.clock.advance(Duration.ofDays(30));
    assertThat(ids(ListTokensRequest.newBuilder().setState(TokenState.TOKEN_STATE_EXPIRED))).containsExactlyInAnyOrder(alice.getId(), bob.getId());
  }

  @Test
  void filters_findStaleAndNeverUsedTokens() {
    Token used = ta.orgToken("acme", "lenses:read");
    Token idle = ta.orgToken("acme", "lenses:read");
    ta.admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(used.getSecret()).build());
    ta.restart(); // flush the write-behind last-use times

    assertThat(ids(ListTokensRequest.newBuilder().setOrganization("acme").setNeverUsed(true))).containsExactly(idle.getId());
    Instant later = ta.clock.instant().plusSeconds(60);
    assertThat(ids(ListTokensRequest.newBuilder().setOrganization("acme").setLastUseBefore(ts(later))))
        .containsExactlyInAnyOrder(used.getId(), idle.getId());
    assertThat(ids(ListTokensRequest.newBuilder().setOrganization("acme").setLastUseBefore(ts(ta.clock.instant().minusSeconds(60)))))
        .containsExactly(idle.getId());
  }

  @Test
  void badFilters_areInvalid() {
    assertInvalid(() -> ta.admin().listTokens(ListTokensRequest.newBuilder().setOrganization("Not A Slug").build()),
        "organization", "FIELD_INVALID");
    assertInvalid(() -> ta.admin().listTokens(ListTokensRequest.newBuilder().setKindValue(99).build()), "kind", "FIELD_INVALID");
    assertInvalid(() -> ta.admin().listTokens(ListTokensRequest.newBuilder()
        .setExpireBefore(Timestamp.newBuilder().setNanos(-1)).build()), "expire_before", "FIELD_INVALID");
  }

  private Token personal(String subject, String label) {
    return ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_PERSONAL).setSubject(subject).setLabel(label).addScopes("lenses:read")).build());
  }

  private List<String> ids(ListTokensRequest.Builder request) {
    return ta.admin().listTokens(request.build()).getTokensList().stream().map(Token::getId).toList();
  }

  private static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
