package dev.tokenauthority.server.hardening;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.ListTokensResponse;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.Bearer;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.config.AuthorityConfig;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One caller cannot run more list calls at once than the limit. */
class ListLimitTest {
  @TempDir Path dir;

  @Test
  void listCallsBeyondTheLimitPerToken_areRefused_untilOneEnds() throws Exception {
    try (TestAuthority ta = TestAuthority.start(dir, AuthorityConfig.defaults().toBuilder().listCallsPerToken(2).build())) {
      Token reader = ta.orgToken("acme", "tokens:read");
      Token other = ta.orgToken("acme", "tokens:read");
      // Two calls that started (headers sent) but never send their request: they hold their slots.
      ClientCall<ListTokensRequest, ListTokensResponse> first = hold(ta, reader.getSecret());
      ClientCall<ListTokensRequest, ListTokensResponse> second = hold(ta, reader.getSecret());
      // Let both take their slots before probing: a probe in flight while one of them starts
      // would hold a slot itself and get that one refused instead.
      Thread.sleep(500);

      StatusRuntimeException refused = awaitRefusal(ta, reader.getSecret());
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertFails(() -> ta.as(reader.getSecret()).listTokens(ListTokensRequest.getDefaultInstance()),
          Status.Code.RESOURCE_EXHAUSTED, "TOO_MANY_LIST_CALLS");
      assertThat(ta.as(other.getSecret()).listTokens(ListTokensRequest.getDefaultInstance()).getTokensCount())
          .as("another token is not affected").isPositive();

      first.cancel("done", null);
      second.cancel("done", null);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (true) {
        try {
          ta.as(reader.getSecret()).listTokens(ListTokensRequest.getDefaultInstance());
          break; // the slots came back
        } catch (StatusRuntimeException e) {
          assertThat(System.nanoTime()).as("slots are released on cancel").isLessThan(deadline);
          Thread.sleep(10);
        }
      }
    }
  }

  private static ClientCall<ListTokensRequest, ListTokensResponse> hold(TestAuthority ta, String secret) {
    ClientCall<ListTokensRequest, ListTokensResponse> call = ta.channel().newCall(
        TokenServiceGrpc.getListTokensMethod(), CallOptions.DEFAULT.withCallCredentials(Bearer.of(secret)));
    call.start(new ClientCall.Listener<>() {}, new Metadata());
    call.request(1);
    return call;
  }

  private static StatusRuntimeException awaitRefusal(TestAuthority ta, String secret) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      try {
        ta.as(secret).listTokens(ListTokensRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        return e;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("a third concurrent list call was never refused");
  }

  @Test
  void aCallerThatWaitsForEachAnswer_isNeverRefused_evenAtALimitOfOne() {
    try (TestAuthority ta = TestAuthority.start(dir, AuthorityConfig.defaults().toBuilder().listCallsPerToken(1).build())) {
      Token reader = ta.orgToken("acme", "tokens:read");
      var stub = ta.as(reader.getSecret());
      for (int i = 0; i < 500; i++) {
        // The next call goes out the moment this answer arrives: its slot must be free by then.
        stub.listTokens(ListTokensRequest.newBuilder().setPageSize(1).build());
      }
    }
  }
}
