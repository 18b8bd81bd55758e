package dev.tokenauthority.server.dashboard;

/** The sign-in page: its CSRF token and what went wrong last time, if anything. */
public record SignInPage(String csrf, String error) {}
