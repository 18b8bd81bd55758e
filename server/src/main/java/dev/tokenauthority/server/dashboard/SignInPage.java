package dev.tokenauthority.server.dashboard;

/** The sign-in page: its CSRF token, what went wrong last time, and where to go after. */
public record SignInPage(String csrf, String error, String next) {}
