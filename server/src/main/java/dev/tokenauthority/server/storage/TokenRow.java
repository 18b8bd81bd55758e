package dev.tokenauthority.server.storage;

/** A row of the {@code token} table, column for column. */
public record TokenRow(
    String id,
    byte[] secretHash,
    String secretHint,
    String kind,
    String organization,
    String subject,
    String label,
    String scopes,
    String groupNames,
    String metadata,
    long createTime,
    String creator,
    Long expireTime,
    Long lastUseTime,
    Long revokeTime,
    String revokeReason,
    String rotatedFrom,
    String rotatedTo,
    String connectorId,
    boolean revoked) {}
