package dev.tokenauthority.cli.tokens;

import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenState;
import dev.tokenauthority.cli.output.Table;
import dev.tokenauthority.cli.output.Times;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How tokens look to people: a table row each in lists, label/value lines in {@code show}. */
final class TokenViews {
  private TokenViews() {}

  static Table table(List<Token> tokens, Instant now) {
    Table table = new Table("ID", "LABEL", "KIND", "SCOPES", "STATE", "CREATED BY", "CREATED", "EXPIRES", "LAST USED");
    for (Token k : tokens) {
      table.row(k.getId(), k.getLabel(), kind(k.getKind()), String.join(",", k.getScopesList()), state(k.getState()),
          k.getCreator().isEmpty() ? "-" : k.getCreator(), Times.date(Times.instant(k.hasCreateTime(), k.getCreateTime())),
          k.hasExpireTime() ? Times.relative(Times.instant(true, k.getExpireTime()), now) : "never",
          Times.relative(Times.instant(k.hasLastUseTime(), k.getLastUseTime()), now));
    }
    return table;
  }

  static void show(PrintWriter out, Token k, Instant now) {
    List<String[]> f = new ArrayList<>();
    f.add(new String[] {"ID", k.getId()});
    f.add(new String[] {"Label", k.getLabel()});
    f.add(new String[] {"Kind", kind(k.getKind())});
    f.add(new String[] {"State", state(k.getState())});
    f.add(new String[] {"Organization", orDash(k.getOrganization())});
    f.add(new String[] {"Subject", orDash(k.getSubject())});
    f.add(new String[] {"Scopes", orDash(String.join(",", k.getScopesList()))});
    f.add(new String[] {"Groups", orDash(String.join(",", k.getGroupsList()))});
    f.add(new String[] {"Secret hint", k.getSecretHint() + "…"});
    f.add(new String[] {"Created", Times.full(Times.instant(k.hasCreateTime(), k.getCreateTime()), now, "-")});
    f.add(new String[] {"Created by", k.getCreator().isEmpty() ? "- (bootstrap)" : k.getCreator()});
    f.add(new String[] {"Expires", Times.full(Times.instant(k.hasExpireTime(), k.getExpireTime()), now, "never")});
    f.add(new String[] {"Last used", Times.full(Times.instant(k.hasLastUseTime(), k.getLastUseTime()), now, "never")});
    if (k.hasRevokeTime()) {
      f.add(new String[] {"Revoked", Times.full(Times.instant(true, k.getRevokeTime()), now, "-")
          + (k.getRevokeReason().isEmpty() ? "" : ": " + k.getRevokeReason())});
    }
    if (!k.getRotatedFrom().isEmpty()) {
      f.add(new String[] {"Rotated from", k.getRotatedFrom()});
    }
    if (!k.getRotatedTo().isEmpty()) {
      f.add(new String[] {"Rotated to", k.getRotatedTo()});
    }
    if (!k.getConnectorId().isEmpty()) {
      f.add(new String[] {"Connector", k.getConnectorId()});
    }
    for (Map.Entry<String, String> m : new java.util.TreeMap<>(k.getMetadataMap()).entrySet()) {
      f.add(new String[] {"Metadata " + m.getKey(), m.getValue()});
    }
    Table.fields(out, f);
  }

  /** One line on stderr about a token just issued, above its secret. */
  static String issued(String verb, Token k, Instant now) {
    return verb + " " + kind(k.getKind()) + " token " + k.getId() + " \"" + k.getLabel() + "\""
        + (k.getOrganization().isEmpty() ? "" : " in " + k.getOrganization())
        + (k.hasExpireTime() ? ", expires " + Times.full(Times.instant(true, k.getExpireTime()), now, "never")
            : ", never expires")
        + ".";
  }

  static String kind(TokenKind kind) {
    return switch (kind) {
      case TOKEN_KIND_ORGANIZATION -> "org";
      case TOKEN_KIND_PERSONAL -> "personal";
      case TOKEN_KIND_SERVICE -> "service";
      case TOKEN_KIND_SYSTEM -> "system";
      case TOKEN_KIND_SESSION -> "session";
      default -> "?";
    };
  }

  static String state(TokenState state) {
    return switch (state) {
      case TOKEN_STATE_ACTIVE -> "active";
      case TOKEN_STATE_EXPIRED -> "expired";
      case TOKEN_STATE_REVOKED -> "revoked";
      default -> "?";
    };
  }

  private static String orDash(String s) {
    return s.isEmpty() ? "-" : s;
  }

  /** The kinds as typed after {@code -s} and {@code tokens create}. */
  enum Kind {
    org(TokenKind.TOKEN_KIND_ORGANIZATION), personal(TokenKind.TOKEN_KIND_PERSONAL),
    service(TokenKind.TOKEN_KIND_SERVICE), system(TokenKind.TOKEN_KIND_SYSTEM),
    session(TokenKind.TOKEN_KIND_SESSION);

    final TokenKind proto;

    Kind(TokenKind proto) {
      this.proto = proto;
    }
  }

  /** The states as typed after {@code --state}. */
  enum State {
    active(TokenState.TOKEN_STATE_ACTIVE), expired(TokenState.TOKEN_STATE_EXPIRED),
    revoked(TokenState.TOKEN_STATE_REVOKED);

    final TokenState proto;

    State(TokenState proto) {
      this.proto = proto;
    }
  }
}
