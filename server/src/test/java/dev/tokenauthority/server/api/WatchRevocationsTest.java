package dev.tokenauthority.server.api;

import static dev.tokenauthority.api.v1.WatchRevocationsResponse.EventCase.HEARTBEAT;
import static dev.tokenauthority.api.v1.WatchRevocationsResponse.EventCase.REVOCATION;
import static dev.tokenauthority.api.v1.WatchRevocationsResponse.EventCase.START;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.Revocation;
import dev.tokenauthority.api.v1.RevocationFeedStart;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.WatchRevocationsResponse;
import dev.tokenauthority.server.FeedRecorder;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WatchRevocationsTest extends InProcessAuthorityTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private String watcher;

  @BeforeEach
  void makeWatcher() {
    watcher = ta.orgToken("acme", "tokens:introspect").getSecret();
  }

  @Test
  void firstConnection_startsWithReset_thenPushesEachRevocationByHash() throws Exception {
    Token t = ta.orgToken("acme", "lenses:read");
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), watcher, 0, 0)) {
      RevocationFeedStart start = feed.next(WAIT, START).getStart();
      assertThat(start.getReset()).isTrue();
      assertThat(start.getEpoch()).isPositive();

      ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(t.getId()).build());

      Revocation r = feed.next(WAIT, REVOCATION).getRevocation();
      assertThat(r.getTokenId()).isEqualTo(t.getId());
      assertThat(r.getSecretSha256()).isEqualTo(ByteString.copyFrom(SecretFormat.sha256(t.getSecret())));
      assertThat(r.getSequence()).isGreaterThan(start.getSequence());
    }
  }

  @Test
  void rotationWithoutGrace_revokesTheOldSecretOnTheFeed() throws Exception {
    Token t = ta.orgToken("acme", "lenses:read");
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), watcher, 0, 0)) {
      feed.next(WAIT, START);
      ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(t.getId()).build());
      assertThat(feed.next(WAIT, REVOCATION).getRevocation().getTokenId()).isEqualTo(t.getId());
    }
  }

  @Test
  void rotationWithGrace_putsTheOldSecretOnTheFeedWhenTheGraceEnds() throws Exception {
    Token t = ta.orgToken("acme", "lenses:read");
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), watcher, 0, 0)) {
      feed.next(WAIT, START);
      ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(t.getId())
          .setGracePeriod(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build());

      assertThat(feed.next(Duration.ofMillis(1500), REVOCATION)).as("nothing during the grace period").isNull();
      ta.clock.advance(Duration.ofSeconds(600));

      assertThat(feed.next(WAIT, REVOCATION).getRevocation().getTokenId()).isEqualTo(t.getId());
    }
  }

  @Test
  void reconnecting_withTheLastSequence_replaysWhatWasMissed_alsoAfterARestart() throws Exception {
    Token a = ta.orgToken("acme", "lenses:read");
    Token b = ta.orgToken("acme", "lenses:read");
    long epoch;
    long last;
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), watcher, 0, 0)) {
      RevocationFeedStart start = feed.next(WAIT, START).getStart();
      epoch = start.getEpoch();
      ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(a.getId()).build());
      last = feed.next(WAIT, REVOCATION).getRevocation().getSequence();
    }
    ta.admin().revokeToken(RevokeTokenRequest.newBuilder().setId(b.getId()).build()); // missed
    ta.restart();

    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), watcher, epoch, last)) {
      RevocationFeedStart start = feed.next(WAIT, START).getStart();
      assertThat(start.getReset()).isFalse();
      assertThat(start.getEpoch()).isEqualTo(epoch);
      Revocation missed = feed.next(WAIT, REVOCATION).getRevocation();
      assertThat(missed.getTokenId()).isEqualTo(b.getId());
      assertThat(missed.getSequence()).isGreaterThan(last);
    }
  }

  @Test
  void anotherEpoch_orASequenceFromTheFuture_meansDropEverything() throws Exception {
    long epoch;
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), watcher, 0, 0)) {
      epoch = feed.next(WAIT, START).getStart().getEpoch();
    }
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), watcher, epoch + 1, 1)) {
      assertThat(feed.next(WAIT, START).getStart().getReset()).isTrue();
    }
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), watcher, epoch, 1_000_000)) {
      assertThat(feed.next(WAIT, START).getStart().getReset()).isTrue();
    }
  }

  @Test
  void idleFeed_sendsHeartbeats() throws Exception {
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), watcher, 0, 0)) {
      long start = feed.next(WAIT, START).getStart().getSequence();
      WatchRevocationsResponse beat = feed.next(WAIT, HEARTBEAT);
      assertThat(beat).isNotNull();
      assertThat(beat.getHeartbeat().getSequence()).isEqualTo(start);
    }
  }

  @Test
  void watching_needsTheIntrospectScope() throws Exception {
    String reader = ta.orgToken("acme", "tokens:read").getSecret();
    try (FeedRecorder feed = FeedRecorder.follow(ta.channel(), reader, 0, 0)) {
      assertThat(feed.next(Duration.ofSeconds(2), START)).isNull();
      assertThat(feed.error()).isInstanceOf(StatusRuntimeException.class);
      assertThat(((StatusRuntimeException) feed.error()).getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
  }

  @Test
  void introspection_saysHowLongAnAnswerMayBeCached() {
    Token t = ta.orgToken("acme", "lenses:read");
    var answer = ta.admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(t.getSecret()).build());
    assertThat(answer.getCacheUntil().getSeconds()).isEqualTo(ta.clock.instant().plusSeconds(300).getEpochSecond());

    Token old = ta.orgToken("acme", "lenses:read");
    ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(old.getId())
        .setGracePeriod(com.google.protobuf.Duration.newBuilder().setSeconds(60)).build());
    var inGrace = ta.admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(old.getSecret()).build());
    assertThat(inGrace.getCacheUntil().getSeconds()).as("never past the end of grace")
        .isEqualTo(ta.clock.instant().plusSeconds(60).getEpochSecond());

    ta.clock.advance(Duration.ofDays(90).minusSeconds(100));
    var nearExpiry = ta.admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(t.getSecret()).build());
    assertThat(nearExpiry.getCacheUntil()).as("never past expiry").isEqualTo(t.getExpireTime());
  }
}
