package dev.tokenauthority.server.api;

import dev.tokenauthority.api.v1.ApproveDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.DenyDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.DeviceAuthorization;
import dev.tokenauthority.api.v1.DeviceAuthorizationPurpose;
import dev.tokenauthority.api.v1.DeviceAuthorizationServiceGrpc;
import dev.tokenauthority.api.v1.DeviceAuthorizationState;
import dev.tokenauthority.api.v1.GetDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.PollDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.PollDeviceAuthorizationResponse;
import dev.tokenauthority.api.v1.StartDeviceAuthorizationRequest;
import dev.tokenauthority.server.device.DeviceAuthorizations;
import dev.tokenauthority.server.device.DeviceRequest;
import dev.tokenauthority.server.device.DeviceSettings;
import dev.tokenauthority.server.device.UserCodes;
import dev.tokenauthority.server.error.InvalidArgumentException;
import io.grpc.stub.StreamObserver;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** {@code tokenauthority.v1.DeviceAuthorizationService}: proto in, domain call, proto out. */
public final class DeviceAuthorizationGrpcService
    extends DeviceAuthorizationServiceGrpc.DeviceAuthorizationServiceImplBase {
  private final DeviceAuthorizations devices;
  private final DeviceSettings settings;
  private final TokenMessages tokens;
  private final Clock clock;

  public DeviceAuthorizationGrpcService(DeviceAuthorizations devices, DeviceSettings settings, Clock clock) {
    this.devices = devices;
    this.settings = settings;
    this.tokens = new TokenMessages(clock);
    this.clock = clock;
  }

  @Override
  public void startDeviceAuthorization(StartDeviceAuthorizationRequest req, StreamObserver<DeviceAuthorization> out) {
    Responses.unary(out, () -> {
      DeviceRequest.Purpose purpose = switch (req.getPurpose()) {
        case DEVICE_AUTHORIZATION_PURPOSE_UNSPECIFIED -> null;
        case DEVICE_AUTHORIZATION_PURPOSE_SESSION -> DeviceRequest.Purpose.SESSION;
        case DEVICE_AUTHORIZATION_PURPOSE_DEVELOPER_TOKEN -> DeviceRequest.Purpose.DEVELOPER_TOKEN;
        case UNRECOGNIZED -> throw InvalidArgumentException.of("purpose", "FIELD_INVALID", "purpose is not a known purpose");
      };
      DeviceAuthorizations.Started started = devices.start(purpose, req.getLabel(), req.getScopesList(),
          req.getOrganization(), TokenMessages.duration(req.hasTokenTtl(), req.getTokenTtl(), "token_ttl"),
          CallerContext.current().origin());
      return toProto(started.request()).toBuilder()
          .setDeviceCode(started.deviceCode().reveal())
          .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(settings.interval().getSeconds())
              .setNanos(settings.interval().getNano()))
          .build();
    });
  }

  @Override
  public void getDeviceAuthorization(GetDeviceAuthorizationRequest req, StreamObserver<DeviceAuthorization> out) {
    Responses.unary(out, () -> toProto(devices.get(CallerContext.current(), req.getUserCode())));
  }

  @Override
  public void approveDeviceAuthorization(ApproveDeviceAuthorizationRequest req,
      StreamObserver<DeviceAuthorization> out) {
    Responses.unary(out, () -> toProto(devices.approve(CallerContext.current(), req.getUserCode())));
  }

  @Override
  public void denyDeviceAuthorization(DenyDeviceAuthorizationRequest req, StreamObserver<DeviceAuthorization> out) {
    Responses.unary(out, () -> toProto(devices.deny(CallerContext.current(), req.getUserCode())));
  }

  @Override
  public void pollDeviceAuthorization(PollDeviceAuthorizationRequest req,
      StreamObserver<PollDeviceAuthorizationResponse> out) {
    Responses.unary(out, () -> {
      DeviceAuthorizations.Poll poll = devices.poll(req.getDeviceCode(), CallerContext.current().origin());
      PollDeviceAuthorizationResponse.Builder b = PollDeviceAuthorizationResponse.newBuilder()
          .setState(state(poll.state()));
      if (poll.token() != null) {
        b.setToken(tokens.withSecret(poll.token()));
      }
      if (poll.session() != null) {
        b.setSession(SessionGrpcService.withSecrets(poll.session()));
      }
      return b.build();
    });
  }

  private DeviceAuthorization toProto(DeviceRequest r) {
    String userCode = UserCodes.display(r.userCode());
    String uri = settings.verificationUri().toString();
    DeviceAuthorization.Builder b = DeviceAuthorization.newBuilder()
        .setUserCode(userCode)
        .setVerificationUri(uri)
        .setVerificationUriComplete(uri + (uri.contains("?") ? "&" : "?") + "user_code="
            + URLEncoder.encode(userCode, StandardCharsets.UTF_8))
        .setExpireTime(TokenMessages.timestamp(r.expireTime()))
        .setPurpose(r.purpose() == DeviceRequest.Purpose.SESSION
            ? DeviceAuthorizationPurpose.DEVICE_AUTHORIZATION_PURPOSE_SESSION
            : DeviceAuthorizationPurpose.DEVICE_AUTHORIZATION_PURPOSE_DEVELOPER_TOKEN)
        .setLabel(r.label())
        .addAllScopes(r.scopes())
        .setOrganization(r.organization())
        .setState(state(r.stateAt(clock.instant())))
        .setRequesterPeer(r.requesterPeer())
        .setCreateTime(TokenMessages.timestamp(r.createTime()));
    if (r.tokenTtl() != null) {
      b.setTokenTtl(com.google.protobuf.Duration.newBuilder().setSeconds(r.tokenTtl().toSeconds()));
    }
    if (r.approver() != null) {
      b.setApprover(r.approver().rights().subject());
    }
    if (r.decideTime() != null) {
      b.setDecideTime(TokenMessages.timestamp(r.decideTime()));
    }
    return b.build();
  }

  /** ISSUED is APPROVED to the outside: the approval happened, its result went to the device. */
  private static DeviceAuthorizationState state(DeviceRequest.State s) {
    return switch (s) {
      case PENDING -> DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_PENDING;
      case APPROVED, ISSUED -> DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_APPROVED;
      case DENIED -> DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_DENIED;
      case EXPIRED -> DeviceAuthorizationState.DEVICE_AUTHORIZATION_STATE_EXPIRED;
    };
  }
}
