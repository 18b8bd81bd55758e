package dev.tokenauthority.server.dashboard;

import java.util.List;

/** One token: its fields, where it sits in its rotation chain, its audit events, and its actions. */
public record TokenDetailPage(String csrf, String who, TokenRow row, String hint, String revoked, String rotatedFrom,
    String rotatedTo, boolean actionable, List<String[]> events, String message, boolean error) {}
