package dev.tokenauthority.server.api;

import com.google.protobuf.Empty;
import dev.tokenauthority.api.v1.ListSessionsRequest;
import dev.tokenauthority.api.v1.ListSessionsResponse;
import dev.tokenauthority.api.v1.RefreshSessionRequest;
import dev.tokenauthority.api.v1.RevokeSessionRequest;
import dev.tokenauthority.api.v1.Session;
import dev.tokenauthority.api.v1.SessionRole;
import dev.tokenauthority.api.v1.SessionServiceGrpc;
import dev.tokenauthority.api.v1.SignInMethod;
import dev.tokenauthority.api.v1.SignInRequest;
import dev.tokenauthority.api.v1.SignOutRequest;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.paging.Page;
import dev.tokenauthority.server.session.IssuedSession;
import dev.tokenauthority.server.session.Rights;
import dev.tokenauthority.server.session.SessionManager;
import dev.tokenauthority.server.session.SessionRecord;
import io.grpc.stub.StreamObserver;

/** {@code tokenauthority.v1.SessionService}: proto in, domain call, proto out. */
public final class SessionGrpcService extends SessionServiceGrpc.SessionServiceImplBase {
  private final SessionManager sessions;

  public SessionGrpcService(SessionManager sessions) {
    this.sessions = sessions;
  }

  @Override
  public void signIn(SignInRequest req, StreamObserver<Session> out) {
    Responses.unary(out, () -> {
      Caller caller = CallerContext.current();
      IssuedSession issued = req.getIdToken().isEmpty()
          ? sessions.signInWithToken(caller, req.getOrganization())
          : sessions.signInWithIdToken(req.getIdToken(), req.getOrganization(), caller.origin());
      return withSecrets(issued);
    });
  }

  @Override
  public void refreshSession(RefreshSessionRequest req, StreamObserver<Session> out) {
    Responses.unary(out, () -> withSecrets(
        sessions.refresh(req.getRefreshToken(), CallerContext.current().origin())));
  }

  @Override
  public void signOut(SignOutRequest req, StreamObserver<Empty> out) {
    Responses.unary(out, () -> {
      sessions.signOut(CallerContext.current());
      return Empty.getDefaultInstance();
    });
  }

  @Override
  public void listSessions(ListSessionsRequest req, StreamObserver<ListSessionsResponse> out) {
    Responses.unary(out, () -> {
      Caller caller = CallerContext.current();
      Page<SessionRecord> page = sessions.list(caller, req.getSubject(), req.getIncludeEnded(),
          req.getPageSize(), req.getPageToken());
      String current = sessions.sessionOf(caller.tokenId()).map(SessionRecord::id).orElse("");
      ListSessionsResponse.Builder b = ListSessionsResponse.newBuilder().setNextPageToken(page.nextPageToken());
      page.items().forEach(s -> b.addSessions(toProto(s).toBuilder().setCurrent(s.id().equals(current))));
      return b.build();
    });
  }

  @Override
  public void revokeSession(RevokeSessionRequest req, StreamObserver<Session> out) {
    Responses.unary(out, () -> toProto(sessions.revoke(CallerContext.current(), req.getId(), req.getReason())));
  }

  /** The session with its two secrets: the one answer that shows them. */
  static Session withSecrets(IssuedSession issued) {
    return toProto(issued.session()).toBuilder()
        .setAccessToken(issued.accessToken().reveal())
        .setRefreshToken(issued.refreshToken().reveal())
        .build();
  }

  /** The session as callers see it, without secrets. */
  static Session toProto(SessionRecord s) {
    Rights r = s.rights();
    Session.Builder b = Session.newBuilder()
        .setId(s.id())
        .setAccessExpireTime(TokenMessages.timestamp(s.accessExpireTime()))
        .setRefreshExpireTime(TokenMessages.timestamp(s.refreshExpireTime()))
        .setSubject(r.subject())
        .setOrganization(r.organization())
        .addAllOrganizations(r.organizations())
        .setRole(SessionRole.valueOf("SESSION_ROLE_" + r.role().name()))
        .addAllScopes(r.scopes().asList())
        .addAllGroups(r.groups())
        .setMayCreateTokens(r.mayCreateTokens())
        .setSignInMethod(SignInMethod.valueOf("SIGN_IN_METHOD_" + s.method().name()))
        .setCreateTime(TokenMessages.timestamp(s.createTime()))
        .setPeer(s.peer())
        .setAccessTokenId(s.accessTokenId())
        .setEndReason(s.endReason());
    if (s.lastRefreshTime() != null) {
      b.setLastRefreshTime(TokenMessages.timestamp(s.lastRefreshTime()));
    }
    if (s.endTime() != null) {
      b.setEndTime(TokenMessages.timestamp(s.endTime()));
    }
    return b.build();
  }
}
