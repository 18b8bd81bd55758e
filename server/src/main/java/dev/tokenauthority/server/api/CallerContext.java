package dev.tokenauthority.server.api;

import dev.tokenauthority.server.identity.Caller;
import io.grpc.Context;

/** Carries the authenticated {@link Caller} from {@link AuthInterceptor} to the handlers. */
final class CallerContext {
  static final Context.Key<Caller> KEY = Context.key("tokenauthority-caller");

  private CallerContext() {}

  /** The caller of the current call; set for every call that passed {@link AuthInterceptor}. */
  static Caller current() {
    Caller caller = KEY.get();
    if (caller == null) {
      throw new IllegalStateException("no authenticated caller: is AuthInterceptor installed?");
    }
    return caller;
  }
}
