package dev.tokenauthority.server.access;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static dev.tokenauthority.server.access.RolesTest.create;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.config.AuthorityConfig;
import io.grpc.Status.Code;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** personal-tokens.max-active: "one token per user, delete it to make a new one". */
class PersonalTokenLimitTest {
  private static final TokenKind PERSONAL = TokenKind.TOKEN_KIND_PERSONAL;
  @TempDir Path dir;

  @Test
  void limitOne_refusesASecondToken_untilTheFirstIsRevoked() {
    try (TestAuthority ta = TestAuthority.start(dir, AuthorityConfig.defaults().toBuilder().personalTokenLimit(1).build())) {
      Token first = ta.admin().createToken(create(PERSONAL, "acme", "alice", List.of(), "lenses:read"));

      var refusal = assertFails(() -> ta.admin().createToken(create(PERSONAL, "acme", "alice", List.of(), "lenses:read")),
          Code.FAILED_PRECONDITION, "PERSONAL_TOKEN_LIMIT");
      assertThat(refusal.getStatus().getDescription()).contains("alice", "1 active personal token", "revoke it");
      assertThat(ta.admin().createToken(create(PERSONAL, "acme", "bob", List.of(), "lenses:read")).getSubject())
          .as("per subject").isEqualTo("bob");
      assertThat(ta.orgToken("acme", "lenses:read").getKind()).as("other kinds are not limited")
          .isEqualTo(TokenKind.TOKEN_KIND_ORGANIZATION);

      Token rotated = ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(first.getId()).build());
      assertThat(rotated.getSubject()).as("a rotation replaces, it does not add").isEqualTo("alice");
      ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(rotated.getId()).build());
      assertThat(ta.admin().createToken(create(PERSONAL, "acme", "alice", List.of(), "lenses:read")).getSubject())
          .isEqualTo("alice");
    }
  }

  @Test
  void limitCountsPerOrganization_soOneOrganizationNeitherSeesNorBlocksAnother() {
    try (TestAuthority ta = TestAuthority.start(dir, AuthorityConfig.defaults().toBuilder().personalTokenLimit(1).build())) {
      ta.admin().createToken(create(PERSONAL, "globex", "alice", List.of(), "lenses:read"));
      Token acmeManager = ta.orgToken("acme", "tokens:write", "lenses:read");

      Token inAcme = ta.as(acmeManager.getSecret()).createToken(create(PERSONAL, "acme", "alice", List.of(), "lenses:read"));

      assertThat(inAcme.getOrganization()).isEqualTo("acme");
      var refusal = assertFails(() -> ta.as(acmeManager.getSecret()).createToken(
          create(PERSONAL, "acme", "alice", List.of(), "lenses:read")), Code.FAILED_PRECONDITION, "PERSONAL_TOKEN_LIMIT");
      assertThat(refusal.getStatus().getDescription()).contains("organization acme").doesNotContain("globex");
    }
  }

  @Test
  void concurrentCreations_cannotSlipPastTheLimit() throws Exception {
    try (TestAuthority ta = TestAuthority.start(dir, AuthorityConfig.defaults().toBuilder().personalTokenLimit(2).build())) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Boolean>> attempts = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        attempts.add(pool.submit(() -> {
          try {
            ta.admin().createToken(create(PERSONAL, "acme", "carol", List.of(), "lenses:read"));
            return true;
          } catch (io.grpc.StatusRuntimeException e) {
            // Only the limit counts as a refusal; any other failure fails the test.
            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
            assertThat(dev.tokenauthority.server.RpcErrors.errorInfo(e).getReason()).isEqualTo("PERSONAL_TOKEN_LIMIT");
            return false;
          }
        }));
      }
      int made = 0;
      for (Future<Boolean> f : attempts) {
        made += f.get() ? 1 : 0;
      }
      pool.shutdown();
      assertThat(made).isEqualTo(2);
    }
  }
}
