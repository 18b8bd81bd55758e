package dev.tokenauthority.cli.auth;

import dev.tokenauthority.api.v1.DeviceAuthorization;
import dev.tokenauthority.api.v1.PollDeviceAuthorizationRequest;
import dev.tokenauthority.api.v1.PollDeviceAuthorizationResponse;
import dev.tokenauthority.api.v1.StartDeviceAuthorizationRequest;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.CliException;
import dev.tokenauthority.cli.ErrorLine;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.output.Times;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

/**
 * The device side of RFC 8628: ask, show the person where to approve, poll at the server's
 * interval (slower when told SLOW_DOWN), and return what the first poll after approval carries.
 */
final class DeviceFlow {
  private DeviceFlow() {}

  static PollDeviceAuthorizationResponse run(Terminal t, Api api, StartDeviceAuthorizationRequest ask)
      throws InterruptedException {
    DeviceAuthorization started = api.devicesAnonymous().startDeviceAuthorization(ask);
    Duration interval = Duration.ofSeconds(started.getInterval().getSeconds(), started.getInterval().getNanos());
    if (interval.isZero() || interval.isNegative()) {
      interval = Duration.ofSeconds(5); // RFC 8628's default when the server names none
    }
    t.err().println("To approve, open " + started.getVerificationUri() + " and enter the code " + started.getUserCode());
    t.err().println("  (or open " + started.getVerificationUriComplete() + ", or run `ta auth device approve "
        + started.getUserCode() + "` where you are signed in).");
    t.err().println("The code expires " + Times.relative(Times.instant(true, started.getExpireTime()), t.clock().instant())
        + ". Waiting for approval...");
    t.err().flush();
    PollDeviceAuthorizationRequest poll =
        PollDeviceAuthorizationRequest.newBuilder().setDeviceCode(started.getDeviceCode()).build();
    while (true) {
      Thread.sleep(interval.toMillis());
      PollDeviceAuthorizationResponse r;
      try {
        r = api.devicesAnonymous().pollDeviceAuthorization(poll);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED && "SLOW_DOWN".equals(ErrorLine.reason(e))) {
          interval = interval.plusSeconds(5); // RFC 8628 section 3.5
          continue;
        }
        throw e;
      }
      switch (r.getState()) {
        case DEVICE_AUTHORIZATION_STATE_PENDING -> { }
        case DEVICE_AUTHORIZATION_STATE_APPROVED -> {
          return r;
        }
        case DEVICE_AUTHORIZATION_STATE_DENIED ->
            throw new CliException(ExitCode.PERMISSION, "the request was denied; nothing was issued");
        case DEVICE_AUTHORIZATION_STATE_EXPIRED ->
            throw new CliException(ExitCode.CONFLICT, "nobody approved the request in time; run the command again");
        default -> throw new CliException(ExitCode.ERROR, "the server answered an unknown state " + r.getState());
      }
    }
  }
}
