package dev.tokenauthority.server.identity;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Where a request came from, for the audit log.
 *
 * @param requestId the request's {@code x-request-id} (the caller's or a generated one)
 * @param peer the caller's network address
 */
public record Origin(String requestId, String peer) {
  /** Work the server does by itself (bootstrap, pruning): no request, no peer. */
  public static final Origin SERVER = new Origin("", "");

  private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:/+=-]{1,128}");

  /**
   * The request id to use: the caller's {@code x-request-id} if sane, else a fresh one, for every
   * transport alike. Ids need to be unique, not unguessable, so they come from ThreadLocalRandom:
   * UUID.randomUUID() would put a shared SecureRandom on the path of every call.
   */
  public static String requestId(String given) {
    if (given != null && SANE_REQUEST_ID.matcher(given).matches()) {
      return given;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }
}
