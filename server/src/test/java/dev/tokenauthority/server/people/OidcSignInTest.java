package dev.tokenauthority.server.people;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.Session;
import dev.tokenauthority.api.v1.SessionRole;
import dev.tokenauthority.api.v1.SignInMethod;
import dev.tokenauthority.api.v1.SignInRequest;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.oidc.OidcSettings;
import dev.tokenauthority.server.scope.ScopeCatalogue;
import dev.tokenauthority.server.session.GroupMapping;
import io.grpc.Status.Code;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in with OIDC ID tokens from a real OIDC provider in the test JVM (mock-oauth2-server:
 * discovery, JWKS, RS256-signed tokens), and what groups make of a person.
 */
class OidcSignInTest {
  private static final String ISSUER_ID = "platform";
  private static final String AUDIENCE = "token-authority";

  @TempDir Path dir;
  private final AtomicReference<RSAKey> signingKey = new AtomicReference<>(newKey("key-1"));
  private MockOAuth2Server idp;
  private TestAuthority ta;

  /** The provider signs with {@link #signingKey} and publishes it: swapping it is a key rotation. */
  private final class RotatingKeys extends KeyProvider {
    @Override
    public JWK signingKey(String issuerId) {
      return signingKey.get();
    }
  }

  @BeforeEach
  void start() {
    kotlin.jvm.functions.Function0<java.time.Instant> now = java.time.Instant::now;
    idp = new MockOAuth2Server(new OAuth2Config(false, null, null, false,
        new OAuth2TokenProvider(new RotatingKeys(), now)));
    idp.start();
    GroupMapping groups = GroupMapping.defaults(ScopeCatalogue.defaults());
    groups = new GroupMapping("platform-admins", groups.managerPattern(), groups.memberPattern(), "api-users",
        groups.managerScopes(), groups.memberScopes());
    ta = TestAuthority.start(dir, AuthorityConfig.defaults().toBuilder()
        .oidc(new OidcSettings(URI.create(idp.issuerUrl(ISSUER_ID).toString()), AUDIENCE, "email", "groups",
            Duration.ofSeconds(30)))
        .groups(groups).build());
  }

  @AfterEach
  void stop() {
    ta.close();
    idp.shutdown();
  }

  private static RSAKey newKey(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private String idToken(String email, List<String> groups) {
    return idp.issueToken(ISSUER_ID, "client", new DefaultOAuth2TokenCallback(ISSUER_ID, email, "JWT",
        List.of(AUDIENCE), Map.of("email", email, "groups", groups), 3600)).serialize();
  }

  private Session signIn(String idToken, String organization) {
    return ta.sessionsAs(null).signIn(SignInRequest.newBuilder().setIdToken(idToken).setOrganization(organization).build());
  }

  @Test
  void groupsMakeAdminsManagersAndMembers_andSomeoneInNoGroupIsRefused() {
    Session admin = signIn(idToken("ada@example.com", List.of("platform-admins")), "");
    assertThat(admin.getRole()).isEqualTo(SessionRole.SESSION_ROLE_ADMIN);
    assertThat(admin.getScopesList()).containsExactly("admin");
    assertThat(admin.getSignInMethod()).isEqualTo(SignInMethod.SIGN_IN_METHOD_ID_TOKEN);

    Session manager = signIn(idToken("mia@example.com", List.of("org:acme:manager")), "");
    assertThat(manager.getRole()).isEqualTo(SessionRole.SESSION_ROLE_MANAGER);
    assertThat(manager.getOrganization()).isEqualTo("acme");
    assertThat(manager.getScopesList()).contains("tokens:write", "connectors:write", "lenses:write")
        .doesNotContain("admin");
    assertThat(manager.getMayCreateTokens()).isTrue();

    Session member = signIn(idToken("max@example.com", List.of("org:acme:member")), "");
    assertThat(member.getRole()).isEqualTo(SessionRole.SESSION_ROLE_MEMBER);
    assertThat(member.getScopesList()).contains("personal-tokens:read", "lenses:read")
        .doesNotContain("personal-tokens:write", "tokens:write");
    assertThat(member.getMayCreateTokens()).isFalse();
    Session apiMember = signIn(idToken("amy@example.com", List.of("org:acme:member", "api-users")), "");
    assertThat(apiMember.getScopesList()).contains("personal-tokens:write");
    assertThat(apiMember.getMayCreateTokens()).isTrue();
    assertThat(apiMember.getGroupsList()).containsExactly("api-users");

    assertFails(() -> signIn(idToken("nobody@example.com", List.of("staff")), ""), Code.PERMISSION_DENIED, "NO_ROLE");

    // The session's access token acts as that person: the manager sees acme's tokens only.
    assertThat(ta.as(manager.getAccessToken()).listTokens(ListTokensRequest.getDefaultInstance()).getTokensList())
        .allSatisfy(t -> assertThat(t.getOrganization()).isEqualTo("acme"));
  }

  @Test
  void aPersonOfSeveralOrganizations_choosesOne() {
    String token = idToken("sam@example.com", List.of("org:acme:member", "org:globex:manager"));
    assertFails(() -> signIn(token, ""), Code.FAILED_PRECONDITION, "ORGANIZATION_REQUIRED");
    Session globex = signIn(token, "globex");
    assertThat(globex.getRole()).isEqualTo(SessionRole.SESSION_ROLE_MANAGER);
    assertThat(globex.getOrganizationsList()).containsExactly("acme", "globex");
    assertThat(signIn(token, "acme").getRole()).isEqualTo(SessionRole.SESSION_ROLE_MEMBER);
    assertFails(() -> signIn(token, "initech"), Code.PERMISSION_DENIED, "NOT_IN_ORGANIZATION");
  }

  @Test
  void wrongAudienceExpiredAndForeignIssuer_areRefusedWithTheirReasons() {
    String wrongAudience = idp.issueToken(ISSUER_ID, "client", new DefaultOAuth2TokenCallback(ISSUER_ID,
        "x", "JWT", List.of("someone-else"), Map.of("email", "x@example.com", "groups", List.of("org:acme:member")),
        3600)).serialize();
    assertFails(() -> signIn(wrongAudience, ""), Code.UNAUTHENTICATED, "ID_TOKEN_WRONG_AUDIENCE");

    String expired = idToken("x@example.com", List.of("org:acme:member"));
    ta.clock.advance(Duration.ofHours(2));
    assertFails(() -> signIn(expired, ""), Code.UNAUTHENTICATED, "ID_TOKEN_EXPIRED");

    String foreign = idp.issueToken("elsewhere", "client", new DefaultOAuth2TokenCallback("elsewhere", "x", "JWT",
        List.of(AUDIENCE), Map.of("email", "x@example.com", "groups", List.of("platform-admins")), 3600)).serialize();
    assertFails(() -> signIn(foreign, ""), Code.UNAUTHENTICATED, "ID_TOKEN_WRONG_ISSUER");
    assertFails(() -> signIn("not a jwt", ""), Code.UNAUTHENTICATED, "ID_TOKEN_INVALID");
  }

  @Test
  void algNone_andHmacSignedWithThePublicKey_areRefused() throws Exception {
    SignedJWT genuine = SignedJWT.parse(idToken("ada@example.com", List.of("platform-admins")));
    JWTClaimsSet claims = genuine.getJWTClaimsSet();
    assertThat(signIn(genuine.serialize(), "").getRole()).isEqualTo(SessionRole.SESSION_ROLE_ADMIN);

    String none = new PlainJWT(claims).serialize();
    assertFails(() -> signIn(none, ""), Code.UNAUTHENTICATED, "ID_TOKEN_INVALID");

    // The classic confusion: HS256 "signed" with the provider's public key, which anyone can fetch.
    SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("key-1").build(), claims);
    hmac.sign(new MACSigner(signingKey.get().toPublicJWK().toRSAKey().toRSAPublicKey().getEncoded()));
    assertFails(() -> signIn(hmac.serialize(), ""), Code.UNAUTHENTICATED, "ID_TOKEN_INVALID");

    // A valid signature by a key the provider never published.
    SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("key-1").build(), claims);
    forged.sign(new com.nimbusds.jose.crypto.RSASSASigner(newKey("key-1")));
    assertFails(() -> signIn(forged.serialize(), ""), Code.UNAUTHENTICATED, "ID_TOKEN_INVALID");
  }

  @Test
  void anIdTokenAnsweringAnotherSignIn_isRefusedByItsNonce() {
    dev.tokenauthority.server.oidc.IdTokenVerifier verifier = new dev.tokenauthority.server.oidc.IdTokenVerifier(
        new OidcSettings(URI.create(idp.issuerUrl(ISSUER_ID).toString()), AUDIENCE, "email", "groups",
            Duration.ofSeconds(30)), java.time.Clock.systemUTC());
    String answeringOther = idp.issueToken(ISSUER_ID, "client", new DefaultOAuth2TokenCallback(ISSUER_ID, "x", "JWT",
        List.of(AUDIENCE), Map.of("email", "x@example.com", "nonce", "theirs", "groups", List.of()), 3600)).serialize();
    assertThat(verifier.verify(answeringOther, "theirs").subject()).isEqualTo("x@example.com");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> verifier.verify(answeringOther, "mine"))
        .isInstanceOfSatisfying(dev.tokenauthority.server.error.UnauthenticatedException.class,
            e -> assertThat(e.reason()).isEqualTo("ID_TOKEN_NONCE_MISMATCH"));
    String withoutNonce = idToken("x@example.com", List.of());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> verifier.verify(withoutNonce, "mine"))
        .isInstanceOf(dev.tokenauthority.server.error.UnauthenticatedException.class);
  }

  @Test
  void unusableSubjectsAndUnverifiedEmails_areRefused() {
    assertFails(() -> signIn(idToken("Alice Smith", List.of("org:acme:member")), ""), Code.UNAUTHENTICATED,
        "ID_TOKEN_BAD_SUBJECT");
    String unverified = idp.issueToken(ISSUER_ID, "client", new DefaultOAuth2TokenCallback(ISSUER_ID, "eve", "JWT",
        List.of(AUDIENCE), Map.of("email", "ceo@example.com", "email_verified", false,
            "groups", List.of("org:acme:member")), 3600)).serialize();
    assertFails(() -> signIn(unverified, ""), Code.UNAUTHENTICATED, "ID_TOKEN_EMAIL_UNVERIFIED");
  }

  @Test
  void aProviderThatCannotBeReached_isUnavailable_andJunkNeverReachesIt(@TempDir Path other) throws Exception {
    // A "provider" that accepts connections and hangs up at once, counting them.
    java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    try (java.net.ServerSocket broken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        while (!broken.isClosed()) {
          try (java.net.Socket ignored = broken.accept()) {
            connections.incrementAndGet();
          } catch (java.io.IOException e) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String issuer = "http://127.0.0.1:" + broken.getLocalPort() + "/realm";
      try (TestAuthority down = TestAuthority.start(other, AuthorityConfig.defaults().toBuilder()
          .oidc(new OidcSettings(URI.create(issuer), AUDIENCE, "email", "groups", Duration.ofSeconds(30))).build())) {
        String plausible = new PlainJWT(new JWTClaimsSet.Builder().issuer(issuer).audience(AUDIENCE)
            .subject("x").build()).serialize();
        SignInRequest request = SignInRequest.newBuilder().setIdToken(plausible).build();
        assertFails(() -> down.sessionsAs(null).signIn(request), Code.UNAVAILABLE, "IDENTITY_PROVIDER_UNAVAILABLE");
        int firstAttempt = connections.get(); // the HTTP client may retry a GET once by itself
        assertThat(firstAttempt).isPositive();
        for (int i = 0; i < 4; i++) {
          assertFails(() -> down.sessionsAs(null).signIn(request), Code.UNAVAILABLE, "IDENTITY_PROVIDER_UNAVAILABLE");
        }
        assertThat(connections.get()).as("no new attempt within the 10 s back-off").isEqualTo(firstAttempt);
        String foreign = new PlainJWT(new JWTClaimsSet.Builder().issuer("https://evil.example").audience(AUDIENCE)
            .build()).serialize();
        assertFails(() -> down.sessionsAs(null).signIn(SignInRequest.newBuilder().setIdToken(foreign).build()),
            Code.UNAUTHENTICATED, "ID_TOKEN_WRONG_ISSUER");
        down.clock.advance(Duration.ofSeconds(11));
        assertFails(() -> down.sessionsAs(null).signIn(request), Code.UNAVAILABLE, "IDENTITY_PROVIDER_UNAVAILABLE");
        assertThat(connections.get()).as("tried again after the back-off").isGreaterThan(firstAttempt);
      }
    }
  }

  @Test
  void whenTheProviderRotatesItsKey_theNewKeyIsFetched() {
    assertThat(signIn(idToken("ada@example.com", List.of("platform-admins")), "").getRole())
        .isEqualTo(SessionRole.SESSION_ROLE_ADMIN);
    signingKey.set(newKey("key-2"));
    Session after = signIn(idToken("ada@example.com", List.of("platform-admins")), "");
    assertThat(after.getRole()).isEqualTo(SessionRole.SESSION_ROLE_ADMIN);
  }
}
