package dev.tokenauthority.server.api;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import dev.tokenauthority.api.v1.InactiveReason;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenState;
import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.token.Introspection;
import dev.tokenauthority.server.token.IssuedToken;
import dev.tokenauthority.server.token.TokenDraft;
import dev.tokenauthority.server.token.TokenFilter;
import dev.tokenauthority.server.token.TokenRecord;
import java.time.Clock;
import java.time.Instant;

/** Translates between the v1 messages and the domain; the API is not the table layout. */
final class TokenMessages {
  private final Clock clock;

  TokenMessages(Clock clock) {
    this.clock = clock;
  }

  /** The token as callers see it, without its secret. */
  Token toProto(TokenRecord t) {
    Token.Builder b = Token.newBuilder()
        .setId(t.id())
        .setKind(kindToProto(t.kind()))
        .setOrganization(t.organization())
        .setSubject(t.subject())
        .setLabel(t.label())
        .addAllScopes(t.scopes().asList())
        .addAllGroups(t.groups())
        .putAllMetadata(t.metadata())
        .setCreateTime(timestamp(t.createTime()))
        .setCreator(t.creator())
        .setRevokeReason(t.revokeReason())
        .setState(stateToProto(t.stateAt(clock.instant())))
        .setRotatedFrom(t.rotatedFrom())
        .setRotatedTo(t.rotatedTo())
        .setSecretHint(t.secretHint())
        .setConnectorId(t.connectorId());
    if (t.expireTime() != null) {
      b.setExpireTime(timestamp(t.expireTime()));
    }
    if (t.lastUseTime() != null) {
      b.setLastUseTime(timestamp(t.lastUseTime()));
    }
    if (t.revokeTime() != null) {
      b.setRevokeTime(timestamp(t.revokeTime()));
    }
    return b.build();
  }

  /** The token with its secret: only for the answers of CreateToken and RotateToken. */
  Token withSecret(IssuedToken issued) {
    return toProto(issued.token()).toBuilder().setSecret(issued.secret().reveal()).build();
  }

  TokenDraft draft(boolean present, Token t) {
    if (!present) {
      throw InvalidArgumentException.of("token", "FIELD_REQUIRED", "token is required");
    }
    return new TokenDraft(kindFromProto(t.getKind(), "token.kind"), t.getOrganization(),
        t.getSubject(), t.getLabel(), t.getScopesList(), t.getGroupsList(), t.getMetadataMap());
  }

  TokenFilter filter(ListTokensRequest r) {
    return new TokenFilter(
        r.getOrganization(), r.getSubject(), r.getCreator(), kindFromProto(r.getKind(), "kind"),
        stateFromProto(r.getState()),
        r.hasExpireBefore() ? instant(r.getExpireBefore(), "expire_before") : null,
        r.hasLastUseBefore() ? instant(r.getLastUseBefore(), "last_use_before") : null,
        r.getNeverUsed(), r.getLabelContains(), false, "", java.util.Set.of(), java.util.Set.of());
  }

  IntrospectTokenResponse toProto(Introspection i) {
    IntrospectTokenResponse.Builder b = IntrospectTokenResponse.newBuilder()
        .setActive(i.active())
        .setAllowed(i.allowed())
        .addAllMissingScopes(i.missingScopes());
    if (i.active()) {
      b.setToken(toProto(i.token())).setCacheUntil(timestamp(i.cacheUntil()));
    } else {
      b.setReason(switch (i.reason()) {
        case MALFORMED -> InactiveReason.INACTIVE_REASON_MALFORMED;
        case UNKNOWN -> InactiveReason.INACTIVE_REASON_UNKNOWN;
        case EXPIRED -> InactiveReason.INACTIVE_REASON_EXPIRED;
        case REVOKED -> InactiveReason.INACTIVE_REASON_REVOKED;
      });
    }
    return b.build();
  }

  /**
   * A request duration, or null when absent. Out of protobuf's own range (±10,000 years, nanos
   * matching the seconds' sign) is the caller's error, named by field.
   */
  static java.time.Duration duration(boolean present, Duration d, String field) {
    if (!present) {
      return null;
    }
    if (!Durations.isValid(d)) {
      throw InvalidArgumentException.of(field, "FIELD_INVALID", field + " is not a valid"
          + " google.protobuf.Duration (at most ±315576000000s, nanos with the seconds' sign)");
    }
    return java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /** A request time: within protobuf's range (years 1 to 9999), or the caller's error. */
  static Instant instant(Timestamp t, String field) {
    if (!Timestamps.isValid(t)) {
      throw InvalidArgumentException.of(field, "FIELD_INVALID", field + " is not a valid"
          + " google.protobuf.Timestamp (0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z)");
    }
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  private static dev.tokenauthority.server.token.TokenKind kindFromProto(TokenKind kind, String field) {
    return switch (kind) {
      case TOKEN_KIND_UNSPECIFIED -> null;
      case TOKEN_KIND_PERSONAL -> dev.tokenauthority.server.token.TokenKind.PERSONAL;
      case TOKEN_KIND_ORGANIZATION -> dev.tokenauthority.server.token.TokenKind.ORGANIZATION;
      case TOKEN_KIND_SERVICE -> dev.tokenauthority.server.token.TokenKind.SERVICE;
      case TOKEN_KIND_SYSTEM -> dev.tokenauthority.server.token.TokenKind.SYSTEM;
      case TOKEN_KIND_SESSION -> dev.tokenauthority.server.token.TokenKind.SESSION;
      case UNRECOGNIZED -> throw InvalidArgumentException.of(field, "FIELD_INVALID", field + " is not a known kind");
    };
  }

  private static TokenKind kindToProto(dev.tokenauthority.server.token.TokenKind kind) {
    return switch (kind) {
      case PERSONAL -> TokenKind.TOKEN_KIND_PERSONAL;
      case ORGANIZATION -> TokenKind.TOKEN_KIND_ORGANIZATION;
      case SERVICE -> TokenKind.TOKEN_KIND_SERVICE;
      case SYSTEM -> TokenKind.TOKEN_KIND_SYSTEM;
      case SESSION -> TokenKind.TOKEN_KIND_SESSION;
    };
  }

  private static dev.tokenauthority.server.token.TokenState stateFromProto(TokenState state) {
    return switch (state) {
      case TOKEN_STATE_UNSPECIFIED -> null;
      case TOKEN_STATE_ACTIVE -> dev.tokenauthority.server.token.TokenState.ACTIVE;
      case TOKEN_STATE_EXPIRED -> dev.tokenauthority.server.token.TokenState.EXPIRED;
      case TOKEN_STATE_REVOKED -> dev.tokenauthority.server.token.TokenState.REVOKED;
      case UNRECOGNIZED -> throw InvalidArgumentException.of("state", "FIELD_INVALID", "state is not a known state");
    };
  }

  private static TokenState stateToProto(dev.tokenauthority.server.token.TokenState state) {
    return switch (state) {
      case ACTIVE -> TokenState.TOKEN_STATE_ACTIVE;
      case EXPIRED -> TokenState.TOKEN_STATE_EXPIRED;
      case REVOKED -> TokenState.TOKEN_STATE_REVOKED;
    };
  }
}
