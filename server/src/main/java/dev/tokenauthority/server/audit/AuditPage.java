package dev.tokenauthority.server.audit;

import java.util.List;

/** One page of audit events; {@code nextPageToken} is empty on the last page. */
public record AuditPage(List<AuditRecord> events, String nextPageToken) {}
