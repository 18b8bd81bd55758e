package dev.tokenauthority.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.server.audit.AuditEntry;
import dev.tokenauthority.server.audit.AuditOutcome;
import dev.tokenauthority.server.revocation.RevokedToken;
import java.nio.file.Path;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** Upgrading a database the previous version wrote keeps what clients rely on. */
class MigrationTest {
  @TempDir Path dir;

  @Test
  void fromV2_theRevocationFeedKeepsItsSequence_andOldAuditTextIsKept() {
    Path file = dir.resolve("tokens.db");
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl("jdbc:sqlite:" + file);
    Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("2").load().migrate();
    org.jdbi.v3.core.Jdbi v2 = org.jdbi.v3.core.Jdbi.create(ds);
    v2.useHandle(h -> {
      for (int i = 1; i <= 5; i++) {
        h.execute("INSERT INTO revocation (token_id, secret_hash, revoke_time) VALUES (?, ?, ?)",
            "tok_" + i, new byte[32], 1000L * i);
      }
      h.execute("DELETE FROM revocation WHERE sequence >= 4"); // pruned: the sequence must not go back
      h.execute("INSERT INTO audit_event (time, action, actor, organization, target, details)"
          + " VALUES (1, 'TOKEN_REVOKED', 'tok_a', 'acme', 'tok_b', 'reason=100% done & gone')");
    });

    try (Database db = Database.open(file, Durability.FULL)) {
      JdbiRevocationLog log = new JdbiRevocationLog(db, new JdbiTokenStore(db));
      assertThat(log.latestSequence()).isEqualTo(5);
      assertThat(log.after(0, 10)).extracting(RevokedToken::tokenId).containsExactly("tok_1", "tok_2", "tok_3");
      db.write(h -> h.execute("INSERT INTO revocation (token_id, secret_hash, revoke_time) VALUES ('tok_6', x'00', 6000)"));
      assertThat(log.after(5, 10)).singleElement().satisfies(r -> assertThat(r.sequence()).isEqualTo(6));
      Integer duplicate = db.write(h -> h.execute(
          "INSERT OR IGNORE INTO revocation (token_id, secret_hash, revoke_time) VALUES ('tok_6', x'00', 7000)"));
      assertThat(duplicate).as("a token is revoked once").isZero();
      AuditEntry old = new JdbiAuditStore(db).find(1).orElseThrow().entry();
      assertThat(old.details()).containsExactly(Map.entry("note", "reason=100% done & gone"));
      assertThat(old.outcome()).isEqualTo(AuditOutcome.SUCCESS);
      assertThat(old.origin().requestId()).isEmpty();
    }
  }
}
