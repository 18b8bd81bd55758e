package dev.tokenauthority.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.client.Await;
import dev.tokenauthority.client.BearerToken;
import dev.tokenauthority.client.LiveAuthority;
import dev.tokenauthority.client.TokenIntrospector;
import dev.tokenauthority.example.v1.GetLensRequest;
import dev.tokenauthority.example.v1.LensServiceGrpc;
import dev.tokenauthority.example.v1.UpdateLensRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example service with TokenAuthInterceptor, both on Netty, checking against a real authority. */
class LensServiceTest {
  @TempDir Path dir;
  private LiveAuthority authority;
  private ManagedChannel toAuthority;
  private TokenIntrospector tokens;
  private Server lens;
  private ManagedChannel toLens;

  @BeforeEach
  void start() throws Exception {
    authority = new LiveAuthority(dir);
    String serviceSecret = authority.token("lens-service", "tokens:introspect").getSecret();
    toAuthority = authority.channel();
    tokens = TokenIntrospector.newBuilder(toAuthority, BearerToken.of(serviceSecret))
        .staleAfter(Duration.ofSeconds(1)).build();
    Await.until(Duration.ofSeconds(10), tokens::isFeedLive);
    lens = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(LensServer.guarded(tokens)).build().start();
    toLens = NettyChannelBuilder.forAddress("127.0.0.1", lens.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    toLens.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    lens.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    tokens.close();
    toAuthority.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    authority.close();
  }

  @Test
  void noToken_isUnauthenticated() {
    assertStatus(() -> LensServiceGrpc.newBlockingStub(toLens).getLens(get()), Status.Code.UNAUTHENTICATED);
  }

  @Test
  void badToken_isUnauthenticated() {
    assertStatus(() -> as("tka_pat_nonsense").getLens(get()), Status.Code.UNAUTHENTICATED);
  }

  @Test
  void readScope_reads_andTheHandlerSeesThePrincipal() {
    Token reader = authority.token("alice@example.com", "lenses:read");
    assertThat(as(reader.getSecret()).getLens(get()).getServedFor()).isEqualTo("alice@example.com");
  }

  @Test
  void writeNeedsTheWriteScope_whichAlsoCoversRead() {
    Token reader = authority.token("alice", "lenses:read");
    Token writer = authority.token("bob", "lenses:write");

    StatusRuntimeException e = assertStatus(() -> as(reader.getSecret()).updateLens(update()), Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription()).contains("lenses:write");
    assertThat(as(writer.getSecret()).updateLens(update()).getTitle()).isEqualTo("Margin");
    assertThat(as(writer.getSecret()).getLens(get()).getTitle()).isEqualTo("Margin");
  }

  @Test
  void revokedToken_isRefusedWithinASecond() throws Exception {
    Token reader = authority.token("alice", "lenses:read");
    as(reader.getSecret()).getLens(get());

    authority.revoke(reader);

    Duration lag = Await.until(Duration.ofSeconds(5), () -> {
      try {
        as(reader.getSecret()).getLens(get());
        return false;
      } catch (StatusRuntimeException e) {
        return e.getStatus().getCode() == Status.Code.UNAUTHENTICATED;
      }
    });
    assertThat(lag).isLessThan(Duration.ofSeconds(1));
  }

  private LensServiceGrpc.LensServiceBlockingStub as(String secret) {
    return LensServiceGrpc.newBlockingStub(toLens).withCallCredentials(BearerToken.of(secret))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static GetLensRequest get() {
    return GetLensRequest.newBuilder().setName("revenue").build();
  }

  private static UpdateLensRequest update() {
    return UpdateLensRequest.newBuilder().setName("revenue").setTitle("Margin").build();
  }

  private static StatusRuntimeException assertStatus(ThrowingCallable call, Status.Code code) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("expected %s", code).isNotNull();
    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
    return e;
  }
}
