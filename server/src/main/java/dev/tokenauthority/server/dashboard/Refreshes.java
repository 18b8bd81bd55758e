package dev.tokenauthority.server.dashboard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.session.IssuedSession;
import dev.tokenauthority.server.session.SessionManager;
import dev.tokenauthority.server.token.Secret;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Refreshes a browser's session once per refresh token. Two tabs (or a reload while a page
 * loads) present the same refresh cookie at once; spending it twice would look like theft to the
 * domain and end the session. The first refresh runs, the others wait for it and get the same
 * new session for a short while. Keyed by the token's SHA-256, never the token. Tabs whose
 * requests reach different replicas cannot share it (no replica keeps another's secrets): the
 * second is told to retry, by when its browser holds the first one's new cookies.
 */
final class Refreshes {

  private final SessionManager sessions;
  private final Cache<String, IssuedSession> recent =
      Caffeine.newBuilder().expireAfterWrite(CONCURRENT).maximumSize(10_000).build();

  Refreshes(SessionManager sessions) {
    this.sessions = sessions;
  }

  /**
   * @throws dev.tokenauthority.server.error.UnauthenticatedException with reason
   *     {@link SessionManager#JUST_USED} when another replica refreshed with the same token less
   *     than {@link #CONCURRENT} ago: the browser should retry with the cookies that refresh set
   */
  IssuedSession refresh(String refreshToken, Origin origin) {
    return recent.get(sha256(refreshToken), k -> sessions.refresh(refreshToken, origin, CONCURRENT));
  }

  /**
   * How long after a refresh the same refresh cookie is taken as a second tab's rather than a
   * thief's: this replica's tabs share the result for as long, other replicas' tabs are told to
   * retry for as long; presented later, it ends the session everywhere.
   */
  static final Duration CONCURRENT = Duration.ofSeconds(10);

  private static String sha256(String s) {
    return HexFormat.of().formatHex(Secret.sha256(s));
  }
}
