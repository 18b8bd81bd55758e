package dev.tokenauthority.server.dashboard;

/** The page a request gets while another tab renews its session: {@code reload} is where it goes again (null for a form). */
public record RenewingPage(String reload) {}
