package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.device.DeviceRequest;
import dev.tokenauthority.server.device.UserCodes;
import dev.tokenauthority.server.error.ResourceExhaustedException;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.identity.Caller;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/** Approving or denying a device's request (RFC 8628), from the link the device printed. */
final class DevicePages extends PageSupport {
  DevicePages(PageSupport shared) {
    super(shared);
  }

  void devicePage(Context ctx) {
    Optional<Caller> caller = signedIn(ctx);
    String code = param(ctx, "user_code", 32);
    if (caller.isEmpty()) {
      toSignIn(ctx, "/dashboard/device" + (code.isEmpty() ? "" : "?user_code=" + enc(code)));
      return;
    }
    if (code.isEmpty()) {
      renderDevice(ctx, 200, caller.get(), "", null, null, false);
      return;
    }
    try {
      DeviceRequest request = authority.devices().get(caller.get(), code);
      renderDevice(ctx, 200, caller.get(), code, request, null, false);
    } catch (TokenAuthorityException e) {
      renderDevice(ctx, e instanceof ResourceExhaustedException ? 429 : 404, caller.get(), code, null, e.getMessage(), true);
    }
  }

  void decide(Context ctx, boolean approve) {
    Optional<Caller> caller = signedIn(ctx);
    if (caller.isEmpty()) {
      toSignIn(ctx, "/dashboard/device");
      return;
    }
    String code = Optional.ofNullable(ctx.formParam("user_code")).orElse("");
    if (!Csrf.valid(ctx)) {
      renderDevice(ctx, 403, caller.get(), code, null, "The form expired; look the code up again.", true);
      return;
    }
    try {
      DeviceRequest decided = approve ? authority.devices().approve(caller.get(), code)
          : authority.devices().deny(caller.get(), code);
      renderDevice(ctx, 200, caller.get(), code, decided, approve
          ? "Approved: the device receives it at its next poll." : "Denied: the device gets nothing.", false);
    } catch (TokenAuthorityException e) {
      renderDevice(ctx, 409, caller.get(), code, null, e.getMessage(), true);
    }
  }

  void renderDevice(Context ctx, int status, Caller caller, String code, DeviceRequest r, String message,
      boolean error) {
    Instant now = clock.instant();
    DeviceRequest.State state = r == null ? null : r.stateAt(now);
    DevicePage.Request view = r == null ? null : new DevicePage.Request(UserCodes.display(r.userCode()),
        r.purpose() == DeviceRequest.Purpose.SESSION ? "a session (sign-in) as you" : "a personal token of yours",
        dash(r.label()), r.purpose() == DeviceRequest.Purpose.SESSION ? null : String.join(", ", r.scopes()),
        r.tokenTtl() == null ? "-" : r.tokenTtl().toDays() + " days", r.requesterPeer(), relative(r.createTime(), now),
        state.name().toLowerCase(Locale.ROOT), state == DeviceRequest.State.PENDING);
    render(ctx, status, "dashboard/device.jte", new DevicePage(Csrf.token(ctx, secure), who(caller), code, view,
        message, error));
  }
}
