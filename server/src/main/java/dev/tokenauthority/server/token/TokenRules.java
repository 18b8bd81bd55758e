package dev.tokenauthority.server.token;

import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.scope.ScopeCatalogue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The limits on what a token may look like; each check names the request field it judges. */
public final class TokenRules {
  /** A token group name; a session carries the person's groups that are one. */
  public static final Pattern GROUP = Pattern.compile("[a-z0-9][a-z0-9._/-]{0,127}");
  static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  static final int MAX_TEXT = 200;
  static final int MAX_REASON = 500;
  public static final int MAX_GROUPS = 32;
  static final int MAX_METADATA_KEYS = 16;
  static final int MAX_METADATA_VALUE_BYTES = 256;
  static final int MAX_SCOPES = 64;
  static final Duration MAX_GRACE = Duration.ofHours(24);

  private final ScopeCatalogue catalogue;
  private final LifetimePolicy lifetimes;

  public TokenRules(ScopeCatalogue catalogue, LifetimePolicy lifetimes) {
    this.catalogue = catalogue;
    this.lifetimes = lifetimes;
  }

  /** Checks a new token's fields (under {@code token.}) and its ttl. */
  void checkDraft(TokenDraft draft, Duration ttl, Violations v) {
    if (draft.kind() == null) {
      v.add("token.kind", "FIELD_REQUIRED", "kind is required: personal, organization or system");
    } else if (draft.kind() == TokenKind.SERVICE) {
      v.add("token.kind", "SERVICE_TOKEN_NEEDS_CONNECTOR",
          "service tokens are issued by registering a connector, not by CreateToken");
    } else if (draft.kind() == TokenKind.SESSION) {
      v.add("token.kind", "SESSION_TOKEN_NEEDS_SIGN_IN",
          "session tokens are issued by SessionService.SignIn, not by CreateToken");
    }
    if (draft.organization().isEmpty()) {
      if (draft.kind() == TokenKind.ORGANIZATION) {
        v.add("token.organization", "FIELD_REQUIRED", "organization tokens need an organization");
      }
    } else {
      OrganizationAccess.checkOrganization(draft.organization(), "token.organization", v);
    }
    if (draft.subject().isEmpty()) {
      if (draft.kind() == TokenKind.PERSONAL) {
        v.add("token.subject", "FIELD_REQUIRED", "personal tokens need a subject (the person)");
      }
    } else {
      checkSubject(draft.subject(), "token.subject", v);
    }
    if (draft.label().isBlank()) {
      v.add("token.label", "FIELD_REQUIRED", "label is required: say what the token is for");
    } else if (!isPrintable(draft.label(), MAX_TEXT)) {
      v.add("token.label", "FIELD_INVALID", "label must be 1-" + MAX_TEXT + " printable characters"
          + " (no control, format or invisible characters, no spaces but U+0020)");
    }
    checkNoSecret(draft.label(), "token.label", v);
    checkNoSecret(draft.subject(), "token.subject", v);
    draft.metadata().values().forEach(value -> checkNoSecret(value, "token.metadata", v));
    if (draft.scopes().isEmpty()) {
      v.add("token.scopes", "FIELD_REQUIRED", "at least one scope is required");
    }
    checkScopes(draft.scopes(), "token.scopes", v);
    checkGroups(draft.groups(), v);
    checkMetadata(draft.metadata(), v);
    if (draft.kind() != null) {
      checkTtl(draft.kind(), ttl, "ttl", v);
    }
  }

  /** Checks a subject: 1-200 printable characters without spaces. */
  public static void checkSubject(String subject, String field, Violations v) {
    if (!isPrintable(subject, MAX_TEXT) || subject.codePoints().anyMatch(Character::isWhitespace)) {
      v.add(field, "FIELD_INVALID", "subject must be 1-" + MAX_TEXT + " printable characters without"
          + " spaces (no control, format or invisible characters)");
    }
  }

  /** Checks that every scope is well-formed and in the catalogue, naming the bad ones. */
  public void checkScopes(List<String> scopes, String field, Violations v) {
    if (scopes.size() > MAX_SCOPES) {
      v.add(field, "TOO_MANY_SCOPES", "at most " + MAX_SCOPES + " scopes");
      return;
    }
    for (String scope : scopes) {
      if (!ScopeCatalogue.isWellFormed(scope)) {
        v.add(field, "MALFORMED_SCOPE", "scope '" + printable(scope) + "' is not resource:action");
      } else if (!catalogue.contains(scope)) {
        v.add(field, "UNKNOWN_SCOPE", "scope '" + scope + "' is not in this server's catalogue");
      }
    }
  }

  /** Checks {@code ttl} (null = the default) against the kind's lifetime bounds. */
  public void checkTtl(TokenKind kind, Duration ttl, String field, Violations v) {
    if (ttl == null) {
      return;
    }
    Lifetime lifetime = lifetimes.of(kind);
    String what = kind.name().toLowerCase() + " tokens";
    if (ttl.compareTo(lifetime.min()) < 0) {
      v.add(field, "TTL_OUT_OF_BOUNDS",
          field + " " + Durations.describe(ttl) + " is below the minimum of "
              + Durations.describe(lifetime.min()) + " for " + what);
    } else if (ttl.compareTo(lifetime.max()) > 0) {
      v.add(field, "TTL_OUT_OF_BOUNDS",
          field + " " + Durations.describe(ttl) + " is above the maximum of "
              + Durations.describe(lifetime.max()) + " for " + what);
    }
  }

  /** Checks a rotation's grace period: zero to 24 hours. */
  public static void checkGrace(Duration grace, Violations v) {
    if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
      v.add("grace_period", "GRACE_PERIOD_OUT_OF_BOUNDS",
          "grace_period must be between 0s and 24h, was " + Durations.describe(grace));
    }
  }

  /** Checks a revocation reason: optional, at most 500 printable characters. */
  public static void checkReason(String reason, Violations v) {
    if (!reason.isEmpty() && !isPrintable(reason, MAX_REASON)) {
      v.add("reason", "FIELD_INVALID", "reason must be at most " + MAX_REASON + " printable characters");
    }
    checkNoSecret(reason, "reason", v);
  }

  public Lifetime lifetime(TokenKind kind) {
    return lifetimes.of(kind);
  }

  /** The groups, sorted and without duplicates. */
  static List<String> normaliseGroups(List<String> groups) {
    return List.copyOf(new TreeSet<>(groups));
  }

  private static void checkGroups(List<String> groups, Violations v) {
    if (groups.size() > MAX_GROUPS) {
      v.add("token.groups", "TOO_MANY_GROUPS", "at most " + MAX_GROUPS + " groups");
      return;
    }
    for (String group : groups) {
      if (!GROUP.matcher(group).matches()) {
        v.add("token.groups", "FIELD_INVALID",
            "group '" + printable(group) + "' must be 1-128 lower-case letters, digits or . _ / -");
      }
    }
  }

  private static void checkMetadata(Map<String, String> metadata, Violations v) {
    if (metadata.size() > MAX_METADATA_KEYS) {
      v.add("token.metadata", "TOO_MANY_METADATA_KEYS", "at most " + MAX_METADATA_KEYS + " metadata keys");
      return;
    }
    metadata.forEach((key, value) -> {
      checkNoSecret(key, "token.metadata", v);
      if (!METADATA_KEY.matcher(key).matches()) {
        v.add("token.metadata", "FIELD_INVALID",
            "metadata key '" + printable(key) + "' must be 1-64 characters of A-Z a-z 0-9 . _ -");
      }
      if (value.getBytes(StandardCharsets.UTF_8).length > MAX_METADATA_VALUE_BYTES) {
        v.add("token.metadata", "METADATA_VALUE_TOO_LONG",
            "metadata value of '" + printable(key) + "' is over " + MAX_METADATA_VALUE_BYTES + " bytes");
      }
    });
  }

  /**
   * 1 to {@code max} code points, each one a reader can see: no control or format characters
   * (zero-width, byte-order and bidirectional marks), no spaces but U+0020, nothing unassigned or
   * private. Else look-alike subjects ("alice" with a zero-width space) escape offboarding.
   */
  public static boolean isPrintable(String text, int max) {
    int count = text.codePointCount(0, text.length());
    return count >= 1 && count <= max && text.codePoints().allMatch(TokenRules::isVisible);
  }

  private static boolean isVisible(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR, Character.UNASSIGNED, Character.SURROGATE,
          Character.PRIVATE_USE -> false;
      case Character.SPACE_SEPARATOR -> c == ' ';
      default -> true;
    };
  }

  /** A secret pasted into a text field would be stored, audited and echoed: refuse it. */
  public static void checkNoSecret(String text, String field, Violations v) {
    if (SecretFormat.containsSecret(text)) {
      v.add(field, "SECRET_IN_FIELD", field + " contains what looks like a token secret; never put"
          + " a secret in a label, subject, reason or metadata");
    }
  }

  /** Echo caller input safely: short, only visible characters, secrets cut to their hint. */
  private static String printable(String text) {
    String cleaned = SecretFormat.redact(text).codePoints()
        .map(c -> isVisible(c) ? c : '?')
        .limit(64)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
    return cleaned.length() < text.length() ? cleaned + "…" : cleaned;
  }
}
