package dev.tokenauthority.server.oidc;

import java.util.List;

/** Who an identity provider says someone is: the subject claim and the groups claim. */
public record Person(String subject, List<String> groups) {
  public Person {
    groups = List.copyOf(groups);
  }
}
