package dev.tokenauthority.client;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.rpc.ErrorInfo;
import dev.tokenauthority.api.v1.InactiveReason;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Checks tokens for a service, mostly from memory.
 *
 * <p>Answers are cached by the secret's SHA-256 until the authority's {@code cache_until}
 * (inactive ones briefly), and a revoked token is evicted the moment the revocation feed says so.
 * If the feed has been silent longer than {@code staleAfter}, cached answers are not trusted: each
 * check asks the authority, and if that fails too the check fails ({@link TokenCheckException})
 * rather than pass an unverified token. {@code failOpen(true)} keeps using cached answers instead.
 * Malformed secrets are refused without a call.
 *
 * <pre>{@code
 * TokenIntrospector tokens = TokenIntrospector.newBuilder(channel, BearerToken.of(ownSecret)).build();
 * CheckResult r = tokens.check(presentedSecret, List.of("lenses:read"));
 * }</pre>
 */
public final class TokenIntrospector implements AutoCloseable {
  private final TokenServiceGrpc.TokenServiceStub stub;
  private final IntrospectionCache cache;
  private final RevocationWatcher watcher;
  private final ScheduledExecutorService scheduler;
  private final Duration callTimeout;
  private final boolean failOpen;
  private final Clock clock;

  private TokenIntrospector(Builder b) {
    this.stub = TokenServiceGrpc.newStub(b.channel).withCallCredentials(b.credentials);
    this.callTimeout = b.callTimeout;
    this.failOpen = b.failOpen;
    this.clock = b.clock;
    this.cache = new IntrospectionCache(b.maximumSize, b.maxCache, b.negativeCache, b.clock, b.ticker);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat("token-introspector").setDaemon(true).build());
    this.watcher = new RevocationWatcher(b.channel, b.credentials, new RevocationWatcher.Listener() {
      @Override
      public void revoked(ByteString secretSha256) {
        cache.evict(secretSha256);
        b.revocationListener.accept(secretSha256);
      }

      @Override
      public void narrowed(ByteString secretSha256) {
        cache.evict(secretSha256);
      }

      @Override
      public void reset() {
        cache.evictAll();
      }
    }, b.staleAfter, scheduler, b.ticker::read);
    watcher.connect();
  }

  /**
   * A builder for an introspector that calls the authority on {@code channel} (not owned: the
   * caller closes it) with this service's own token, which needs {@code tokens:introspect}.
   */
  public static Builder newBuilder(Channel channel, CallCredentials credentials) {
    return new Builder(channel, credentials);
  }

  /**
   * Whether {@code secret} is an active token whose scopes cover {@code requiredScopes}.
   *
   * @throws TokenCheckException if the authority cannot answer and no trusted answer is cached
   */
  public CheckResult check(String secret, Collection<String> requiredScopes) {
    DigestKey key = DigestKey.probeFor(secret);
    if (key == null) {
      return CheckResult.inactive(InactiveReason.INACTIVE_REASON_MALFORMED);
    }
    if (!failOpen && !watcher.isLive()) {
      return await(ask(secret)).against(requiredScopes); // the feed is quiet: a cached answer could hide a revocation
    }
    CompletableFuture<Answer> answer = cache.getIfPresent(key); // a hit allocates nothing
    if (answer == null) {
      answer = cache.load(key, () -> ask(secret));
    }
    return await(answer).against(requiredScopes);
  }

  /** Whether the revocation feed is up, i.e. cached answers are being trusted. */
  public boolean isFeedLive() {
    return watcher.isLive();
  }

  /** Stops following the feed. The channel stays open: it belongs to the caller. */
  @Override
  public void close() {
    watcher.close();
    scheduler.shutdownNow();
  }

  private CompletableFuture<Answer> ask(String secret) {
    CompletableFuture<Answer> result = new CompletableFuture<>();
    stub.withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(IntrospectTokenResponse r) {
                result.complete(toAnswer(r));
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                result.completeExceptionally(new IllegalStateException("no answer"));
              }
            });
    return result;
  }

  private Answer await(CompletableFuture<Answer> answer) {
    if (answer.isDone() && !answer.isCompletedExceptionally()) {
      return answer.join(); // a cache hit: no timed wait
    }
    try {
      return answer.get(callTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TokenCheckException(Status.Code.CANCELLED, "INTERRUPTED", "interrupted while checking a token", e);
    } catch (TimeoutException e) {
      throw new TokenCheckException(Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED",
          "the token authority did not answer in time", e);
    } catch (ExecutionException e) {
      throw failure(e.getCause());
    }
  }

  private static TokenCheckException failure(Throwable cause) {
    if (cause instanceof StatusRuntimeException sre) {
      String reason = sre.getStatus().getCode().name();
      com.google.rpc.Status details = StatusProto.fromThrowable(sre);
      if (details != null) {
        for (var any : details.getDetailsList()) {
          if (any.is(ErrorInfo.class)) {
            try {
              reason = any.unpack(ErrorInfo.class).getReason();
            } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
              // keep the code's name
            }
          }
        }
      }
      return new TokenCheckException(sre.getStatus().getCode(), reason,
          "the token authority could not check the token: " + sre.getStatus(), sre);
    }
    return new TokenCheckException(Status.Code.UNKNOWN, "UNKNOWN", "token check failed: " + cause, cause);
  }

  private static Answer toAnswer(IntrospectTokenResponse r) {
    if (!r.getActive()) {
      return Answer.inactive(r.getReason());
    }
    Token t = r.getToken();
    Principal principal = new Principal(t.getId(), t.getKind(), t.getOrganization(), t.getSubject(),
        t.getScopesList(), t.getGroupsList(), t.hasExpireTime() ? instant(t.getExpireTime()) : null);
    return new Answer(true, principal, InactiveReason.INACTIVE_REASON_UNSPECIFIED, instant(r.getCacheUntil()));
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** Settings; the defaults suit a service checking every request. */
  public static final class Builder {
    private final Channel channel;
    private final CallCredentials credentials;
    private long maximumSize = 100_000;
    private Duration maxCache = Duration.ofMinutes(5);
    private Duration negativeCache = Duration.ofSeconds(10);
    private Duration staleAfter = Duration.ofSeconds(5);
    private Duration callTimeout = Duration.ofSeconds(2);
    private boolean failOpen;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.systemTicker();
    private Consumer<ByteString> revocationListener = hash -> { };

    private Builder(Channel channel, CallCredentials credentials) {
      this.channel = Objects.requireNonNull(channel, "channel");
      this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    /** How many tokens to remember (default 100,000). */
    public Builder maximumSize(long tokens) {
      this.maximumSize = tokens;
      return this;
    }

    /** The longest an active answer is reused, whatever cache_until says (default 5 minutes). */
    public Builder maxCache(Duration d) {
      this.maxCache = d;
      return this;
    }

    /** How long an inactive answer is reused (default 10 seconds). */
    public Builder negativeCache(Duration d) {
      this.negativeCache = d;
      return this;
    }

    /** How long the revocation feed may be silent before cached answers stop counting (default 5 s). */
    public Builder staleAfter(Duration d) {
      this.staleAfter = d;
      return this;
    }

    /** The deadline of each introspection call (default 2 seconds). */
    public Builder callTimeout(Duration d) {
      this.callTimeout = d;
      return this;
    }

    /** Keep answering from the cache while the feed is down (default false: fail closed). */
    public Builder failOpen(boolean failOpen) {
      this.failOpen = failOpen;
      return this;
    }

    /**
     * Called with the secret hash of each revoked token right after it was evicted (for metrics:
     * how fast revocations arrive). Runs on the feed's thread: keep it quick.
     */
    public Builder revocationListener(Consumer<ByteString> listener) {
      this.revocationListener = Objects.requireNonNull(listener);
      return this;
    }

    /** The clocks, for tests: wall time for cache_until, the ticker for expiry and staleness. */
    public Builder clocks(Clock clock, Ticker ticker) {
      this.clock = clock;
      this.ticker = ticker;
      return this;
    }

    public TokenIntrospector build() {
      return new TokenIntrospector(this);
    }
  }
}
