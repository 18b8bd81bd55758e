package dev.tokenauthority.server.dashboard;

/** The one page that ever shows a secret: right after it was issued, never again. */
public record SecretPage(String csrf, String who, String tokenId, String label, String secret, String expires,
    String closeTo) {
  @Override
  public String toString() {
    return "SecretPage[" + tokenId + ", secret redacted]";
  }
}
