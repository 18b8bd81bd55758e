package dev.tokenauthority.bench;

import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.client.BearerToken;
import dev.tokenauthority.client.CheckResult;
import dev.tokenauthority.client.TokenIntrospector;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Durability;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** client-hit: a cached check in the caching client, against one SHA-256 and a HashMap.get. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClientHitBenchmark {
  private static final List<String> REQUIRED = List.of("lenses:read");
  private TokenAuthority authority;
  private TokenAuthorityServer server;
  private ManagedChannel channel;
  private TokenIntrospector tokens;
  private String secret;
  private final Map<String, String> map = new HashMap<>();

  @Setup
  public void start() throws Exception {
    Path dir = Files.createTempDirectory("ta-jmh");
    authority = TokenAuthority.open(dir, AuthorityConfig.defaults(), Durability.NORMAL, Clock.systemUTC());
    authority.bootstrap();
    String name = InProcessServerBuilder.generateName();
    server = new TokenAuthorityServer(InProcessServerBuilder.forName(name), authority).start();
    channel = InProcessChannelBuilder.forName(name).build();
    String admin = Files.readString(dir.resolve("bootstrap-token")).trim();
    Token t = TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(BearerToken.of(admin))
        .createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_SYSTEM)
            .setLabel("jmh").addScopes("lenses:read").addScopes("tokens:introspect")).build());
    secret = t.getSecret();
    tokens = TokenIntrospector.newBuilder(channel, BearerToken.of(secret)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!tokens.isFeedLive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    if (!tokens.check(secret, REQUIRED).allowed()) {
      throw new IllegalStateException("the benchmark token does not check");
    }
    map.put(secret, "cached");
  }

  @TearDown
  public void stop() throws Exception {
    tokens.close();
    channel.shutdownNow();
    server.stop(Duration.ofSeconds(5));
    authority.close();
  }

  @Benchmark
  public CheckResult cachedCheck() {
    return tokens.check(secret, REQUIRED);
  }

  @Benchmark
  public byte[] sha256() {
    return SecretFormat.sha256(secret);
  }

  @Benchmark
  public String hashMapGet() {
    return map.get(secret);
  }
}
