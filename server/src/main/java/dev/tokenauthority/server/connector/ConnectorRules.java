package dev.tokenauthority.server.connector;

import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.server.error.NotFoundException;
import dev.tokenauthority.server.error.Violations;
import dev.tokenauthority.server.identity.OrganizationAccess;
import dev.tokenauthority.server.token.TokenRules;
import java.util.regex.Pattern;

/** What a connector's name, slug and display name must be, and how a missing one is answered. */
final class ConnectorRules {
  static final Pattern SLUG = Pattern.compile("[a-z][a-z0-9-]{1,61}[a-z0-9]");
  private static final int MAX_NAME = 200;

  private ConnectorRules() {}

  static void requireName(String organization, String slug) {
    Violations v = new Violations();
    checkName(organization, slug, v, "");
    v.throwIfAny();
  }

  static void checkName(String organization, String slug, Violations v, String prefix) {
    if (organization.isEmpty()) {
      v.add(prefix + "organization", "FIELD_REQUIRED", "organization is required");
    } else {
      OrganizationAccess.checkOrganization(organization, prefix + "organization", v);
    }
    if (slug.isEmpty()) {
      v.add(prefix + "slug", "FIELD_REQUIRED", "slug is required");
    } else if (!SLUG.matcher(slug).matches()) {
      v.add(prefix + "slug", "FIELD_INVALID", "slug must be 3-63 lower-case letters, digits or '-',"
          + " starting with a letter and not ending with '-'");
    }
  }

  static void checkDisplayName(String name, String field, Violations v) {
    if (name.isBlank()) {
      v.add(field, "FIELD_REQUIRED", "name is required: say what the connector is");
    } else if (SecretFormat.containsSecret(name)) {
      v.add(field, "SECRET_IN_FIELD", field + " contains what looks like a token secret");
    } else if (!TokenRules.isPrintable(name, MAX_NAME)) {
      v.add(field, "FIELD_INVALID", "name must be 1-" + MAX_NAME + " printable characters");
    }
  }

  static NotFoundException notFound(String organization, String slug) {
    return new NotFoundException("CONNECTOR_NOT_FOUND",
        "connector " + slug + " not found in organization " + organization);
  }
}
