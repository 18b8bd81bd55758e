package dev.tokenauthority.server.dashboard;

/**
 * The device approval page: the code typed (or arriving in the link), the request behind it
 * once looked up, and a message after a decision or a refusal.
 */
public record DevicePage(String csrf, String who, String code, Request request, String message, boolean error) {
  /** A device request as the approver sees it. */
  public record Request(String code, String asksFor, String label, String scopes, String lifetime, String peer,
      String asked, String state, boolean pending) {}
}
