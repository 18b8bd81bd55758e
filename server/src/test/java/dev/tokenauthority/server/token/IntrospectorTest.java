package dev.tokenauthority.server.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.server.audit.SecurityEvents;
import dev.tokenauthority.server.identity.Caller;
import dev.tokenauthority.server.identity.Origin;
import dev.tokenauthority.server.scope.ScopeCatalogue;
import dev.tokenauthority.server.scope.ScopeSet;
import dev.tokenauthority.server.storage.Database;
import dev.tokenauthority.server.storage.Durability;
import dev.tokenauthority.server.storage.JdbiAuditStore;
import dev.tokenauthority.server.storage.JdbiTokenStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The introspection core on real SQLite, without a server. */
class IntrospectorTest {
  @TempDir Path dir;

  @Test
  void malformedSecrets_areAnsweredWithoutTouchingStorage() {
    Database db = Database.open(dir.resolve("tokens.db"), Durability.FULL);
    JdbiTokenStore store = new JdbiTokenStore(db);
    try (LastUseRecorder lastUse = new LastUseRecorder(store, Duration.ofHours(1));
        SecurityEvents events = new SecurityEvents(new JdbiAuditStore(db), Clock.systemUTC())) {
      Introspector introspector = new Introspector(
          store, new TokenRules(ScopeCatalogue.defaults(), LifetimePolicy.defaults()), lastUse, Clock.systemUTC(),
          Duration.ofMinutes(5), events);
      Caller checker = new Caller("tok_checker", false, "", "", ScopeSet.of(List.of("tokens:introspect")), List.of(), Origin.SERVER, false);
      String wellFormed = Secret.generate(TokenKind.ORGANIZATION, new SecureRandom()).reveal();
      String typo = wellFormed.substring(0, 56) + (wellFormed.charAt(56) == 'a' ? 'b' : 'a');

      db.close(); // from here on, any storage access fails

      assertThat(introspector.introspect(checker, typo, List.of()).reason()).isEqualTo(InactiveReason.MALFORMED);
      assertThat(introspector.introspect(checker, "ghp_notours", List.of()).reason()).isEqualTo(InactiveReason.MALFORMED);
      assertThatThrownBy(() -> introspector.introspect(checker, wellFormed, List.of()))
          .as("a well-formed secret does need storage").isInstanceOf(dev.tokenauthority.server.storage.StorageException.class);
    }
  }
}
