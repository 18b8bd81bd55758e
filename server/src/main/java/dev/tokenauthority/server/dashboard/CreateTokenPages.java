package dev.tokenauthority.server.dashboard;

import dev.tokenauthority.server.error.InvalidArgumentException;
import dev.tokenauthority.server.error.PermissionDeniedException;
import dev.tokenauthority.server.error.TokenAuthorityException;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.token.IssuedToken;
import dev.tokenauthority.server.token.TokenDraft;
import dev.tokenauthority.server.token.TokenKind;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The create wizard: fields and permissions, a review the domain checks, the secret once. */
final class CreateTokenPages extends PageSupport {
  CreateTokenPages(PageSupport shared) {
    super(shared);
  }

  /** Review (checked by the domain, nothing issued), back to edit, or create: the wizard's POST. */
  void createStep(Context ctx) {
    signedInOr(ctx, "/dashboard/tokens/new", caller -> createStep(ctx, caller));
  }

  private void createStep(Context ctx, Caller caller) {
    TokenForm form = TokenForm.of(ctx);
    if (selfService(caller)) {
      // A member makes a personal token for themselves: kind, subject and organisation are not theirs to choose.
      form = new TokenForm(form.label(), "personal", caller.organization(), caller.subject(), form.scopes(),
          form.expiry(), form.expireDate());
    }
    if (!Csrf.valid(ctx)) {
      renderForm(ctx, 403, caller, form, Map.of("", "The form expired; check it and send it again."));
      return;
    }
    String step = Optional.ofNullable(ctx.formParam("step")).orElse("");
    if (step.equals("edit")) {
      renderForm(ctx, 200, caller, form, Map.of());
      return;
    }
    Map<String, String> errors = new java.util.LinkedHashMap<>();
    TokenDraft draft = draft(form, errors);
    Duration ttl = ttl(form, errors);
    if (!errors.isEmpty()) {
      renderForm(ctx, 400, caller, form, errors);
      return;
    }
    try {
      if (!step.equals("create")) {
        authority.tokens().checkCreate(caller, draft, ttl);
        render(ctx, 200, "dashboard/token-review.jte", createPage(ctx, caller, form, Map.of()));
        return;
      }
      IssuedToken issued = authority.tokens().create(caller, draft, ttl);
      showSecret(ctx, caller, issued);
    } catch (InvalidArgumentException e) {
      e.violations().forEach(v -> errors.merge(formField(v.field()), v.description(), (a, b) -> a + "; " + b));
      renderForm(ctx, 400, caller, form, errors);
    } catch (TokenAuthorityException e) {
      renderForm(ctx, e instanceof PermissionDeniedException ? 403 : 409, caller, form,
          Map.of(refusedField(e.reason()), e.getMessage()));
    }
  }

  /** The form field a refusal concerns: the one-token policy the kind, escalation the permissions. */
  static String refusedField(String reason) {
    return switch (reason) {
      case "PERSONAL_TOKEN_LIMIT", "SELF_SERVICE_ONLY" -> "kind";
      case "SCOPE_NOT_HELD", "GROUP_NOT_HELD" -> "scopes";
      case "OUTSIDE_ORGANIZATION" -> "organization";
      default -> "";
    };
  }

  /** Whether the person may only make personal tokens of their own (a member, not a manager or admin). */
  static boolean selfService(Caller caller) {
    return !caller.isAdmin() && !caller.scopes().covers(OrganizationAccess.TOKENS_WRITE);
  }

  static TokenDraft draft(TokenForm form, Map<String, String> errors) {
    TokenKind kind = switch (form.kind()) {
      case "organization" -> TokenKind.ORGANIZATION;
      case "personal" -> TokenKind.PERSONAL;
      case "system" -> TokenKind.SYSTEM;
      default -> null;
    };
    if (kind == null) {
      errors.put("kind", "Choose organization, personal or system.");
      kind = TokenKind.ORGANIZATION;
    }
    return new TokenDraft(kind, form.organization(), form.subject(), form.label(), form.scopes(), List.of(), Map.of());
  }

  Duration ttl(TokenForm form, Map<String, String> errors) {
    switch (form.expiry()) {
      case "30d":
        return Duration.ofDays(30);
      case "90d":
        return Duration.ofDays(90);
      case "365d":
        return Duration.ofDays(365);
      case "custom":
        try {
          Instant at = java.time.LocalDate.parse(form.expireDate()).atStartOfDay(ZoneOffset.UTC).toInstant();
          Duration ttl = Duration.between(clock.instant(), at);
          if (ttl.isNegative() || ttl.isZero()) {
            errors.put("expiry", "Choose a date in the future.");
          }
          return ttl;
        } catch (java.time.format.DateTimeParseException e) {
          errors.put("expiry", "Give the date as YYYY-MM-DD.");
          return null;
        }
      default:
        errors.put("expiry", "Choose an expiry.");
        return null;
    }
  }

  /** The form field a server-side violation concerns ("" when none matches). */
  static String formField(String field) {
    String f = field.replaceFirst("^token\\.", "").replaceFirst("\\[\\d+\\]$", "");
    return switch (f) {
      case "label", "kind", "organization", "subject", "scopes" -> f;
      case "ttl" -> "expiry";
      default -> "";
    };
  }

  void renderForm(Context ctx, int status, Caller caller, TokenForm form, Map<String, String> errors) {
    render(ctx, status, "dashboard/token-form.jte", createPage(ctx, caller, form, errors));
  }

  CreatePage createPage(Context ctx, Caller caller, TokenForm form, Map<String, String> errors) {
    String expires = switch (form.expiry()) {
      case "custom" -> form.expireDate();
      default -> CreatePage.expiryLabel(form.expiry()) + " from now";
    };
    List<String> kinds = caller.isAdmin() ? List.of("organization", "personal", "system")
        : selfService(caller) ? List.of("personal") : List.of("organization", "personal");
    return new CreatePage(Csrf.token(ctx, secure), who(caller), form, kinds, authority.scopeCatalogue(), errors,
        expires);
  }
}
