package dev.tokenauthority.server.scope;

import dev.tokenauthority.api.ScopeRules;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A token's scopes, normalised (sorted, no duplicates), with the implication rules of {@link
 * ScopeRules}: {@code admin} covers everything and {@code x:write} covers {@code x:read}.
 */
public final class ScopeSet {
  /** The scope that implies every other. */
  public static final String ADMIN = ScopeRules.ADMIN;

  private final List<String> sorted;
  private final Set<String> members;

  private ScopeSet(TreeSet<String> scopes) {
    this.sorted = List.copyOf(scopes);
    this.members = Set.copyOf(scopes);
  }

  /** The normalised set of {@code scopes}; syntax is checked by {@link ScopeCatalogue}. */
  public static ScopeSet of(Collection<String> scopes) {
    return new ScopeSet(new TreeSet<>(scopes));
  }

  /** Parses the space-separated form written by {@link #encoded()}. */
  public static ScopeSet decode(String encoded) {
    return encoded.isEmpty() ? of(List.of()) : of(List.of(encoded.split(" ")));
  }

  /** Space-separated, sorted: the stored form. */
  public String encoded() {
    return String.join(" ", sorted);
  }

  /** Whether these scopes grant {@code required}. */
  public boolean covers(String required) {
    return ScopeRules.covers(members, required);
  }

  /** The scopes of {@code required} these do not grant, in their given order. */
  public List<String> missing(Collection<String> required) {
    return ScopeRules.missing(members, required);
  }

  public boolean isAdmin() {
    return members.contains(ADMIN);
  }

  public boolean isEmpty() {
    return sorted.isEmpty();
  }

  /** The scopes, sorted. */
  public List<String> asList() {
    return sorted;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScopeSet other && sorted.equals(other.sorted);
  }

  @Override
  public int hashCode() {
    return sorted.hashCode();
  }

  @Override
  public String toString() {
    return sorted.toString();
  }
}
