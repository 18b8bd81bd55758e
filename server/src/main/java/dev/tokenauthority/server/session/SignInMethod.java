package dev.tokenauthority.server.session;

/** How a person proved who they are when a session began. */
public enum SignInMethod {
  ID_TOKEN,
  BEARER_TOKEN,
  DEVICE
}
