package dev.tokenauthority.server.scope;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The scopes this server knows; a token can only hold scopes from here. */
public final class ScopeCatalogue {
  private static final Pattern RESOURCE_ACTION = Pattern.compile("[a-z][a-z0-9_-]{0,62}:[a-z][a-z0-9_-]{0,62}");
  private static final List<String> DEFAULT_RESOURCES =
      List.of("lenses", "agents", "workflows", "threads", "community", "connectors", "tokens",
          "personal-tokens");

  private final Set<String> known;

  private ScopeCatalogue(Collection<String> scopes) {
    TreeSet<String> all = new TreeSet<>(scopes);
    all.add(ScopeSet.ADMIN);
    this.known = Set.copyOf(all);
  }

  /**
   * The catalogue of {@code scopes} (plus {@code admin}, always present).
   *
   * @throws IllegalArgumentException naming the first scope that is not {@code resource:action}
   */
  public static ScopeCatalogue of(Collection<String> scopes) {
    for (String scope : scopes) {
      if (!isWellFormed(scope)) {
        throw new IllegalArgumentException(
            "scope '" + scope + "' is not of the form resource:action (lower case)");
      }
    }
    return new ScopeCatalogue(scopes);
  }

  /** The default catalogue: read and write on each product resource, tokens:introspect, admin. */
  public static ScopeCatalogue defaults() {
    List<String> scopes = new ArrayList<>();
    for (String resource : DEFAULT_RESOURCES) {
      scopes.add(resource + ":read");
      scopes.add(resource + ":write");
    }
    scopes.add("tokens:introspect");
    return of(scopes);
  }

  /** Whether {@code scope} is {@code admin} or of the form {@code resource:action}. */
  public static boolean isWellFormed(String scope) {
    return ScopeSet.ADMIN.equals(scope) || RESOURCE_ACTION.matcher(scope).matches();
  }

  public boolean contains(String scope) {
    return known.contains(scope);
  }

  /** All known scopes, sorted. */
  public List<String> scopes() {
    return new ArrayList<>(new TreeSet<>(known));
  }
}
