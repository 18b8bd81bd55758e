package dev.tokenauthority.server.api;

import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.GetTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.ListTokensResponse;
import dev.tokenauthority.api.v1.ReportLeakedTokensRequest;
import dev.tokenauthority.api.v1.ReportLeakedTokensResponse;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokensRequest;
import dev.tokenauthority.api.v1.RevokeTokensResponse;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.api.v1.WatchRevocationsRequest;
import dev.tokenauthority.api.v1.WatchRevocationsResponse;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.paging.Page;
import dev.tokenauthority.server.revocation.RevocationFeed;
import dev.tokenauthority.server.revocation.Subscription;
import dev.tokenauthority.server.token.Introspector;
import dev.tokenauthority.server.token.LeakReports;
import dev.tokenauthority.server.token.TokenManager;
import dev.tokenauthority.server.token.TokenRecord;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;

/** {@code tokenauthority.v1.TokenService}: proto in, domain call, proto out. */
public final class TokenGrpcService extends TokenServiceGrpc.TokenServiceImplBase {
  private final TokenManager tokens;
  private final LeakReports leakReports;
  private final Introspector introspector;
  private final RevocationFeed feed;
  private final TokenMessages messages;

  public TokenGrpcService(TokenManager tokens, LeakReports leakReports, Introspector introspector,
      RevocationFeed feed, Clock clock) {
    this.leakReports = leakReports;
    this.tokens = tokens;
    this.introspector = introspector;
    this.feed = feed;
    this.messages = new TokenMessages(clock);
  }

  @Override
  public void createToken(CreateTokenRequest req, StreamObserver<Token> out) {
    Responses.unary(out, () -> messages.withSecret(tokens.create(
        CallerContext.current(),
        messages.draft(req.hasToken(), req.getToken()),
        TokenMessages.duration(req.hasTtl(), req.getTtl(), "ttl"))));
  }

  @Override
  public void getToken(GetTokenRequest req, StreamObserver<Token> out) {
    Responses.unary(out, () -> messages.toProto(tokens.get(CallerContext.current(), req.getId())));
  }

  @Override
  public void listTokens(ListTokensRequest req, StreamObserver<ListTokensResponse> out) {
    Responses.unary(out, () -> {
      Page<TokenRecord> page = tokens.list(
          CallerContext.current(), messages.filter(req), req.getPageSize(), req.getPageToken());
      ListTokensResponse.Builder b = ListTokensResponse.newBuilder().setNextPageToken(page.nextPageToken());
      page.items().forEach(t -> b.addTokens(messages.toProto(t)));
      return b.build();
    });
  }

  @Override
  public void rotateToken(RotateTokenRequest req, StreamObserver<Token> out) {
    Responses.unary(out, () -> messages.withSecret(tokens.rotate(
        CallerContext.current(),
        req.getId(),
        TokenMessages.duration(req.hasGracePeriod(), req.getGracePeriod(), "grace_period"),
        req.getScopesList(),
        TokenMessages.duration(req.hasTtl(), req.getTtl(), "ttl"))));
  }

  @Override
  public void revokeToken(RevokeTokenRequest req, StreamObserver<Token> out) {
    Responses.unary(out, () -> messages.toProto(
        tokens.revoke(CallerContext.current(), req.getId(), req.getReason())));
  }

  @Override
  public void revokeTokens(RevokeTokensRequest req, StreamObserver<RevokeTokensResponse> out) {
    Responses.unary(out, () -> RevokeTokensResponse.newBuilder()
        .setRevokedCount(tokens.revokeMatching(CallerContext.current(), req.getOrganization(),
            req.getSubject(), req.getCreator(), req.getReason()))
        .build());
  }

  @Override
  public void reportLeakedTokens(
      ReportLeakedTokensRequest req, StreamObserver<ReportLeakedTokensResponse> out) {
    Responses.unary(out, () -> ReportLeakedTokensResponse.newBuilder()
        .setAcceptedCount(leakReports.report(CallerContext.current(), req.getSecretsList()))
        .build());
  }

  @Override
  public void introspectToken(IntrospectTokenRequest req, StreamObserver<IntrospectTokenResponse> out) {
    Responses.unary(out, () -> messages.toProto(introspector.introspect(
        CallerContext.current(), req.getSecret(), req.getRequiredScopesList())));
  }

  @Override
  public void watchRevocations(
      WatchRevocationsRequest req, StreamObserver<WatchRevocationsResponse> out) {
    ServerCallStreamObserver<WatchRevocationsResponse> call =
        (ServerCallStreamObserver<WatchRevocationsResponse>) out;
    Caller caller = CallerContext.current();
    Subscription subscription;
    try {
      introspector.requireIntrospectScope(caller);
      subscription = feed.subscribe(
          caller.tokenId(), req.getEpoch(), req.getAfterSequence(), new RevocationStream(call));
    } catch (TokenAuthorityException e) {
      out.onError(GrpcErrors.toStatus(e));
      return;
    }
    // Both handlers run after this method returns, so the subscription is there for them.
    call.setOnReadyHandler(subscription::ready);
    call.setOnCancelHandler(subscription::cancel);
  }
}
