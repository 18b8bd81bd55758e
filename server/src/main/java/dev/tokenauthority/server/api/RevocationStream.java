package dev.tokenauthority.server.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.tokenauthority.api.v1.Heartbeat;
import dev.tokenauthority.api.v1.Revocation;
import dev.tokenauthority.api.v1.RevocationFeedStart;
import dev.tokenauthority.api.v1.TokenNarrowed;
import dev.tokenauthority.api.v1.WatchRevocationsResponse;
import dev.tokenauthority.server.error.ResourceExhaustedException;
import dev.tokenauthority.server.revocation.RevocationSubscriber;
import dev.tokenauthority.server.revocation.RevokedToken;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/** One WatchRevocations stream, fed by the revocation feed as far as flow control allows. */
final class RevocationStream implements RevocationSubscriber {
  private final ServerCallStreamObserver<WatchRevocationsResponse> out;

  RevocationStream(ServerCallStreamObserver<WatchRevocationsResponse> out) {
    this.out = out;
  }

  @Override
  public boolean isReady() {
    return out.isReady() && !out.isCancelled();
  }

  @Override
  public void tooSlow(long behind) {
    out.onError(GrpcErrors.toStatus(new ResourceExhaustedException("SUBSCRIBER_TOO_SLOW",
        "this stream is " + behind + " revocations behind and stopped reading them; reconnect"
            + " with the last sequence received to resume")));
  }

  @Override
  public void start(long epoch, long sequence, boolean reset) {
    out.onNext(WatchRevocationsResponse.newBuilder().setStart(RevocationFeedStart.newBuilder()
        .setEpoch(epoch).setSequence(sequence).setReset(reset)).build());
  }

  @Override
  public void revoked(RevokedToken t) {
    Timestamp time = TokenMessages.timestamp(t.revokeTime());
    ByteString hash = ByteString.copyFrom(t.secretHash());
    out.onNext(t.narrowed()
        ? WatchRevocationsResponse.newBuilder().setNarrowed(TokenNarrowed.newBuilder()
            .setSequence(t.sequence()).setTokenId(t.tokenId()).setSecretSha256(hash).setNarrowTime(time))
            .build()
        : WatchRevocationsResponse.newBuilder().setRevocation(Revocation.newBuilder()
            .setSequence(t.sequence()).setTokenId(t.tokenId()).setSecretSha256(hash).setRevokeTime(time))
            .build());
  }

  @Override
  public void heartbeat(long sequence) {
    out.onNext(WatchRevocationsResponse.newBuilder()
        .setHeartbeat(Heartbeat.newBuilder().setSequence(sequence)).build());
  }

  @Override
  public void closed() {
    try {
      out.onError(Status.UNAVAILABLE.withDescription("the server is shutting down; reconnect").asRuntimeException());
    } catch (RuntimeException alreadyGone) {
      // the client left first
    }
  }
}
