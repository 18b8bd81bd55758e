package dev.tokenauthority.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.ListTokensResponse;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server interceptor in front of a downstream service (in-process), checking tokens with a
 * real authority. The downstream service is any gRPC service; here one that answers GetToken
 * with the principal the interceptor handed it, and declares no scopes for ListTokens.
 */
class TokenAuthInterceptorTest {
  @TempDir Path dir;
  private LiveAuthority authority;
  private ManagedChannel toAuthority;
  private TokenIntrospector tokens;
  private Server downstream;
  private ManagedChannel toDownstream;

  @BeforeEach
  void start() throws Exception {
    authority = new LiveAuthority(dir);
    toAuthority = authority.channel();
    tokens = TokenIntrospector.newBuilder(toAuthority,
        BearerToken.of(authority.token("downstream", "tokens:introspect").getSecret())).build();
    String name = InProcessServerBuilder.generateName();
    downstream = guarded(tokens, name);
    toDownstream = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    toDownstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    downstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    tokens.close();
    toAuthority.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    authority.close();
  }

  @Test
  void anActiveTokenWithTheScope_passes_andTheHandlerSeesItsPrincipal() {
    Token alice = authority.token("alice@example.com", "lenses:write");
    Token seen = as(alice.getSecret()).getToken(GetTokenRequest.getDefaultInstance());
    assertThat(seen.getId()).isEqualTo(alice.getId());
    assertThat(seen.getSubject()).isEqualTo("alice@example.com");
    assertThat(seen.getScopesList()).containsExactly("lenses:write");
  }

  @Test
  void noCredentials_orNotABearerHeader_isUnauthenticated() {
    assertStatus(() -> TokenServiceGrpc.newBlockingStub(toDownstream).getToken(GetTokenRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED, "Bearer");
    Metadata basic = new Metadata();
    basic.put(BearerToken.AUTHORIZATION, "Basic YWxpY2U6c2VjcmV0");
    assertStatus(() -> TokenServiceGrpc.newBlockingStub(toDownstream)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(basic))
        .getToken(GetTokenRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED, "Bearer");
  }

  @Test
  void anUnknownOrRevokedToken_isUnauthenticated() {
    Token bob = authority.token("bob", "lenses:read");
    authority.revoke(bob);
    assertStatus(() -> as(bob.getSecret()).getToken(GetTokenRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED, "not valid");
    assertStatus(() -> as("tka_pat_nonsense").getToken(GetTokenRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED, "not valid");
  }

  @Test
  void aTokenWithoutTheScope_isPermissionDenied_namingTheScope() {
    Token reader = authority.token("carol", "lenses:read");
    assertStatus(() -> as(reader.getSecret()).getToken(GetTokenRequest.getDefaultInstance()),
        Status.Code.PERMISSION_DENIED, "lenses:write");
  }

  @Test
  void aMethodWithoutDeclaredScopes_isRefusedWhateverTheToken() {
    Token writer = authority.token("dave", "lenses:write");
    assertStatus(() -> as(writer.getSecret()).listTokens(ListTokensRequest.getDefaultInstance()),
        Status.Code.PERMISSION_DENIED, "no scopes are declared");
  }

  @Test
  void anAuthorityGoneLongerThanTheBound_isUnavailable_neverAllowed() throws Exception {
    Token alice = authority.token("alice", "lenses:write");
    as(alice.getSecret()).getToken(GetTokenRequest.getDefaultInstance());
    authority.stop();
    Await.until(Duration.ofSeconds(5), () -> !tokens.isFeedLive());
    assertStatus(() -> as(alice.getSecret()).getToken(GetTokenRequest.getDefaultInstance()),
        Status.Code.UNAVAILABLE, "cannot verify");
    authority.restart();
  }

  @Test
  void aDownstreamWhoseOwnTokenCannotIntrospect_answersInternal_neverAllowed() throws Exception {
    String weak = authority.token("misconfigured", "lenses:read").getSecret();
    try (TokenIntrospector weakTokens = TokenIntrospector.newBuilder(toAuthority, BearerToken.of(weak)).build()) {
      String name = InProcessServerBuilder.generateName();
      Server misconfigured = guarded(weakTokens, name);
      ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
      try {
        Token alice = authority.token("alice", "lenses:write");
        assertStatus(() -> TokenServiceGrpc.newBlockingStub(ch).withCallCredentials(BearerToken.of(alice.getSecret()))
            .getToken(GetTokenRequest.getDefaultInstance()), Status.Code.INTERNAL, "MISSING_SCOPE");
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        misconfigured.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** A downstream service behind the interceptor, in process under {@code name}. */
  private static Server guarded(TokenIntrospector introspector, String name) throws Exception {
    TokenServiceGrpc.TokenServiceImplBase service = new TokenServiceGrpc.TokenServiceImplBase() {
      @Override
      public void getToken(GetTokenRequest request, StreamObserver<Token> answer) {
        Principal p = TokenAuthInterceptor.PRINCIPAL.get();
        answer.onNext(Token.newBuilder().setId(p.tokenId()).setSubject(p.subject()).addAllScopes(p.scopes()).build());
        answer.onCompleted();
      }

      @Override
      public void listTokens(ListTokensRequest request, StreamObserver<ListTokensResponse> answer) {
        answer.onNext(ListTokensResponse.getDefaultInstance());
        answer.onCompleted();
      }
    };
    return InProcessServerBuilder.forName(name)
        .addService(ServerInterceptors.intercept(service, TokenAuthInterceptor.newBuilder(introspector)
            .require(TokenServiceGrpc.getGetTokenMethod().getFullMethodName(), "lenses:write").build()))
        .build().start();
  }

  private TokenServiceGrpc.TokenServiceBlockingStub as(String secret) {
    return TokenServiceGrpc.newBlockingStub(toDownstream).withCallCredentials(BearerToken.of(secret))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static void assertStatus(ThrowingCallable call, Status.Code code, String saying) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("expected %s", code).isNotNull();
    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
    assertThat(e.getStatus().getDescription()).contains(saying);
  }
}
