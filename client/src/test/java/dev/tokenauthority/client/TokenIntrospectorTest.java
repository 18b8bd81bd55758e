package dev.tokenauthority.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenauthority.api.v1.InactiveReason;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.TokenAuthority;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The caching client against a real authority over Netty on loopback. */
class TokenIntrospectorTest {
  private static final Duration FEED_UP = Duration.ofSeconds(10);
  @TempDir Path dir;
  private LiveAuthority authority;
  private String serviceSecret;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<TokenIntrospector> introspectors = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    authority = new LiveAuthority(dir);
    serviceSecret = authority.token("lens-service", "tokens:introspect").getSecret();
  }

  @AfterEach
  void stop() throws Exception {
    introspectors.forEach(TokenIntrospector::close);
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    authority.close();
  }

  @Test
  void cachedCheck_makesNoNetworkCall() throws Exception {
    CallCounter counter = new CallCounter(TokenServiceGrpc.getIntrospectTokenMethod());
    TokenIntrospector tokens = introspector(counter, TokenIntrospector.Builder::build);
    Token t = authority.token("alice", "lenses:write");

    CheckResult first = tokens.check(t.getSecret(), List.of("lenses:read"));
    CheckResult again = tokens.check(t.getSecret(), List.of("lenses:write"));
    CheckResult lacking = tokens.check(t.getSecret(), List.of("agents:read"));

    assertThat(counter.calls()).isEqualTo(1);
    assertThat(first.allowed()).isTrue();
    assertThat(first.principal().subject()).isEqualTo("alice");
    assertThat(first.principal().tokenId()).isEqualTo(t.getId());
    assertThat(again.allowed()).isTrue();
    assertThat(lacking.active()).isTrue();
    assertThat(lacking.allowed()).isFalse();
    assertThat(lacking.missingScopes()).containsExactly("agents:read");
  }

  @Test
  void malformedSecret_isRefusedWithoutACall() throws Exception {
    CallCounter counter = new CallCounter(TokenServiceGrpc.getIntrospectTokenMethod());
    TokenIntrospector tokens = introspector(counter, TokenIntrospector.Builder::build);
    Token t = authority.token("alice", "lenses:read");
    String typo = t.getSecret().substring(0, 30) + (t.getSecret().charAt(30) == 'x' ? 'y' : 'x') + t.getSecret().substring(31);

    assertThat(tokens.check(typo, List.of()).reason()).isEqualTo(InactiveReason.INACTIVE_REASON_MALFORMED);
    assertThat(tokens.check("not a token", List.of()).active()).isFalse();
    assertThat(counter.calls()).isZero();
  }

  @Test
  void concurrentChecksOfOneUncachedToken_makeOneCall() throws Exception {
    CallCounter counter = new CallCounter(TokenServiceGrpc.getIntrospectTokenMethod());
    TokenIntrospector tokens = introspector(counter, TokenIntrospector.Builder::build);
    Token t = authority.token("alice", "lenses:read");
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<CheckResult>> results = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      results.add(pool.submit(() -> {
        go.await();
        return tokens.check(t.getSecret(), List.of("lenses:read"));
      }));
    }
    go.countDown();
    for (Future<CheckResult> f : results) {
      assertThat(f.get(10, TimeUnit.SECONDS).allowed()).isTrue();
    }
    pool.shutdown();
    assertThat(counter.calls()).isEqualTo(1);
  }

  @Test
  void inactiveAnswers_areCachedBrieflyToo() throws Exception {
    Token t = authority.token("alice", "lenses:read");
    authority.revoke(t); // before the client connects: no feed event can evict its answer
    CallCounter counter = new CallCounter(TokenServiceGrpc.getIntrospectTokenMethod());
    TokenIntrospector tokens = introspector(counter, TokenIntrospector.Builder::build);

    assertThat(tokens.check(t.getSecret(), List.of()).reason()).isEqualTo(InactiveReason.INACTIVE_REASON_REVOKED);
    assertThat(tokens.check(t.getSecret(), List.of()).active()).isFalse();
    assertThat(counter.calls()).isEqualTo(1);
  }

  @Test
  void revokedToken_stopsPassingInEveryConnectedClientWithinASecond() throws Exception {
    List<TokenIntrospector> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      clients.add(introspector(null, TokenIntrospector.Builder::build));
    }
    Token t = authority.token("alice", "lenses:read");
    for (TokenIntrospector c : clients) {
      assertThat(c.check(t.getSecret(), List.of("lenses:read")).allowed()).isTrue(); // cached for minutes
    }

    long revoked = System.nanoTime();
    authority.revoke(t);
    List<Duration> lags = new ArrayList<>();
    for (TokenIntrospector c : clients) {
      Await.until(Duration.ofSeconds(5), () -> !c.check(t.getSecret(), List.of("lenses:read")).active());
      lags.add(Duration.ofNanos(System.nanoTime() - revoked));
    }

    assertThat(lags).allSatisfy(lag -> assertThat(lag).isLessThan(Duration.ofSeconds(1)));
  }

  @Test
  void signingOut_stopsTheSessionsTokensInEveryConnectedClientWithinASecond() throws Exception {
    List<TokenIntrospector> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      clients.add(introspector(null, TokenIntrospector.Builder::build));
    }
    Token alice = authority.token("alice", "lenses:read");
    var signIn = dev.tokenauthority.api.v1.SignInRequest.getDefaultInstance();
    var session = authority.sessionsAs(alice.getSecret()).signIn(signIn);
    var refreshed = authority.sessionsAs(alice.getSecret()).refreshSession(
        dev.tokenauthority.api.v1.RefreshSessionRequest.newBuilder().setRefreshToken(session.getRefreshToken()).build());
    List<String> accessTokens = List.of(session.getAccessToken(), refreshed.getAccessToken());
    for (TokenIntrospector c : clients) {
      for (String access : accessTokens) {
        assertThat(c.check(access, List.of("lenses:read")).allowed()).isTrue(); // cached for minutes
      }
    }

    long signedOut = System.nanoTime();
    authority.sessionsAs(refreshed.getAccessToken()).signOut(dev.tokenauthority.api.v1.SignOutRequest.getDefaultInstance());
    List<Duration> lags = new ArrayList<>();
    for (TokenIntrospector c : clients) {
      for (String access : accessTokens) {
        Await.until(Duration.ofSeconds(5), () -> !c.check(access, List.of("lenses:read")).active());
        lags.add(Duration.ofNanos(System.nanoTime() - signedOut));
      }
    }

    assertThat(lags).as("both access tokens of the session, in every client").hasSize(8)
        .allSatisfy(lag -> assertThat(lag).isLessThan(Duration.ofSeconds(1)));
  }

  @Test
  void narrowedConnector_losesTheScopeInConnectedClientsToo() throws Exception {
    TokenIntrospector tokens = introspector(null, TokenIntrospector.Builder::build);
    String secret = authority.connector("nightly-export", "lenses:read", "lenses:write").getSecret();
    assertThat(tokens.check(secret, List.of("lenses:write")).allowed()).isTrue(); // cached for minutes

    authority.registerScopes("nightly-export", "lenses:read");

    Await.until(Duration.ofSeconds(5), () -> !tokens.check(secret, List.of("lenses:write")).allowed());
    CheckResult now = tokens.check(secret, List.of("lenses:read"));
    assertThat(now.active()).as("narrowed, not revoked").isTrue();
    assertThat(now.allowed()).isTrue();
  }

  @Test
  void afterAServerRestart_theClientCatchesUpOnWhatItMissed() throws Exception {
    // failOpen: only the feed's replay, not a fresh look-up, can change this client's answer
    TokenIntrospector tokens = introspector(null, b -> b.failOpen(true).build());
    Token t = authority.token("alice", "lenses:read");
    assertThat(tokens.check(t.getSecret(), List.of()).active()).isTrue();

    authority.stop();
    try (TokenAuthority offline = authority.openOffline()) {
      revokeOffline(offline, t);
    }
    assertThat(tokens.check(t.getSecret(), List.of()).active()).as("still cached while the feed is down").isTrue();
    authority.restart();

    Await.until(Duration.ofSeconds(15), () -> !tokens.check(t.getSecret(), List.of()).active());
  }

  @Test
  void feedOutage_makesTheClientFailClosedAfterItsBound() throws Exception {
    TokenIntrospector tokens = introspector(null, b -> b.staleAfter(Duration.ofSeconds(1)).build());
    TokenIntrospector lenient = introspector(null, b -> b.staleAfter(Duration.ofSeconds(1)).failOpen(true).build());
    Token t = authority.token("alice", "lenses:read");
    assertThat(tokens.check(t.getSecret(), List.of()).active()).isTrue();
    assertThat(lenient.check(t.getSecret(), List.of()).active()).isTrue();

    authority.stop();

    Await.until(Duration.ofSeconds(5), () -> !tokens.isFeedLive());
    TokenCheckException e = catchThrowableOfType(TokenCheckException.class,
        () -> tokens.check(t.getSecret(), List.of()));
    assertThat(e).as("fails closed: no cached 'active' without the feed").isNotNull();
    assertThat(e.isUnavailable()).isTrue();
    assertThat(e.getMessage()).doesNotContain(t.getSecret());
    assertThat(lenient.check(t.getSecret(), List.of()).active()).as("fail-open keeps the cache").isTrue();
    authority.restart(); // for @AfterEach
  }

  private void revokeOffline(TokenAuthority offline, Token t) throws Exception {
    String name = io.grpc.inprocess.InProcessServerBuilder.generateName();
    dev.tokenauthority.server.TokenAuthorityServer s = new dev.tokenauthority.server.TokenAuthorityServer(
        io.grpc.inprocess.InProcessServerBuilder.forName(name), offline).start();
    ManagedChannel ch = io.grpc.inprocess.InProcessChannelBuilder.forName(name).build();
    String admin = java.nio.file.Files.readString(dir.resolve("bootstrap-token")).trim();
    TokenServiceGrpc.newBlockingStub(ch).withCallCredentials(BearerToken.of(admin))
        .revokeToken(dev.tokenauthority.api.v1.RevokeTokenRequest.newBuilder().setId(t.getId()).build());
    ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    s.stop(Duration.ofSeconds(5));
  }

  private TokenIntrospector introspector(CallCounter counter,
      java.util.function.Function<TokenIntrospector.Builder, TokenIntrospector> settings) throws InterruptedException {
    ManagedChannel channel = authority.channel();
    channels.add(channel);
    io.grpc.Channel wire = counter == null ? channel : ClientInterceptors.intercept(channel, counter);
    TokenIntrospector tokens = settings.apply(TokenIntrospector.newBuilder(wire, BearerToken.of(serviceSecret)));
    introspectors.add(tokens);
    Await.until(FEED_UP, tokens::isFeedLive);
    return tokens;
  }
}
