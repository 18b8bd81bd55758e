package dev.tokenauthority.server.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScopeSetTest {
  @Test
  void write_impliesReadOfTheSameResourceOnly() {
    ScopeSet scopes = ScopeSet.of(List.of("lenses:write"));

    assertThat(scopes.covers("lenses:write")).isTrue();
    assertThat(scopes.covers("lenses:read")).isTrue();
    assertThat(scopes.covers("agents:read")).isFalse();
    assertThat(scopes.covers("lenses:introspect")).isFalse();
  }

  @Test
  void read_doesNotImplyWrite() {
    assertThat(ScopeSet.of(List.of("lenses:read")).covers("lenses:write")).isFalse();
  }

  @Test
  void admin_coversEverything() {
    ScopeSet admin = ScopeSet.of(List.of("admin"));
    assertThat(admin.covers("tokens:write")).isTrue();
    assertThat(admin.covers("anything:at-all")).isTrue();
    assertThat(admin.isAdmin()).isTrue();
  }

  @Test
  void scopes_areSortedWithoutDuplicates() {
    ScopeSet scopes = ScopeSet.of(List.of("tokens:read", "lenses:write", "tokens:read"));
    assertThat(scopes.asList()).containsExactly("lenses:write", "tokens:read");
    assertThat(ScopeSet.decode(scopes.encoded())).isEqualTo(scopes);
  }

  @Test
  void missing_listsWhatIsNotCovered() {
    ScopeSet scopes = ScopeSet.of(List.of("lenses:write"));
    assertThat(scopes.missing(List.of("lenses:read", "agents:read", "agents:write")))
        .containsExactly("agents:read", "agents:write");
  }

  @Test
  void defaultCatalogue_hasEachResourceReadAndWrite_plusIntrospectAndAdmin() {
    ScopeCatalogue catalogue = ScopeCatalogue.defaults();
    for (String r : List.of("lenses", "agents", "workflows", "threads", "community", "connectors", "tokens")) {
      assertThat(catalogue.contains(r + ":read")).isTrue();
      assertThat(catalogue.contains(r + ":write")).isTrue();
    }
    assertThat(catalogue.contains("tokens:introspect")).isTrue();
    assertThat(catalogue.contains("admin")).isTrue();
    assertThat(catalogue.contains("lenses:delete")).isFalse();
  }

  @Test
  void catalogue_refusesMalformedScopes() {
    assertThatThrownBy(() -> ScopeCatalogue.of(List.of("Lenses:Read")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Lenses:Read");
    assertThat(ScopeCatalogue.isWellFormed("lenses")).isFalse();
    assertThat(ScopeCatalogue.isWellFormed("lenses:read:x")).isFalse();
    assertThat(ScopeCatalogue.isWellFormed("admin")).isTrue();
  }
}
