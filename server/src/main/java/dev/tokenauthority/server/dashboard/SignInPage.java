package dev.tokenauthority.server.dashboard;

/**
 * The sign-in page: its CSRF token, what went wrong last time, where to go after, and whether an
 * identity provider is configured (then its button comes first).
 */
public record SignInPage(String csrf, String error, String next, boolean provider) {}
