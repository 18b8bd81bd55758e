package dev.tokenauthority.server.storage;

import dev.tokenauthority.server.revocation.RevocationLog;
import dev.tokenauthority.server.revocation.RevokedToken;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** {@link RevocationLog} on the same SQLite database as the tokens. */
public final class JdbiRevocationLog implements RevocationLog {
  private final Database db;
  private final JdbiTokenStore tokens;
  private final long epoch;

  /** {@code tokens} writes the token rows a grace period's end changes (their one writer). */

  public JdbiRevocationLog(Database db, JdbiTokenStore tokens) {
    this.db = db;
    this.tokens = tokens;
    this.epoch = db.reader().withExtension(Dao.class, Dao::epoch);
  }

  @Override
  public void onCommit(Runnable listener) {
    tokens.onPublished(listener);
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public long latestSequence() {
    return db.reader().withExtension(Dao.class, Dao::latest);
  }

  @Override
  public long oldestSequence() {
    return db.reader().withExtension(Dao.class, dao -> {
      Long oldest = dao.oldest();
      return oldest != null ? oldest : dao.latest() + 1;
    });
  }

  @Override
  public List<RevokedToken> after(long sequence, int limit) {
    return db.reader().withExtension(Dao.class, dao -> dao.after(sequence, limit)).stream()
        .map(r -> new RevokedToken(r.sequence(), r.tokenId(), r.secretHash(),
            Instant.ofEpochMilli(r.revokeTime()), r.narrowed()))
        .toList();
  }

  @Override
  public int publishDue(Instant now) {
    long millis = now.toEpochMilli();
    // Ask a reader first: most ticks find nothing due, and need not take the write lock.
    if (!db.reader().withExtension(Dao.class, dao -> dao.anyDue(millis))) {
      return 0;
    }
    return tokens.write(tx -> {
      Dao dao = tx.handle().attach(Dao.class);
      int published = dao.publishDue(millis);
      tx.markGraceEnded(now); // from now on revoked whatever the clock says
      dao.deleteDue(millis);
      return published;
    });
  }

  @Override
  public int prune(Instant before) {
    return db.write(h -> h.attach(Dao.class).prune(before.toEpochMilli()));
  }

  /** A feed row. */
  public record Row(long sequence, String tokenId, byte[] secretHash, long revokeTime, boolean narrowed) {}

  interface Dao {
    @SqlQuery("SELECT value FROM authority_meta WHERE name = 'revocation_epoch'")
    long epoch();

    @SqlQuery("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'revocation'), 0)")
    long latest();

    @SqlQuery("SELECT min(sequence) FROM revocation")
    Long oldest();

    @SqlQuery("""
        SELECT sequence, token_id, secret_hash, revoke_time, narrowed FROM revocation
        WHERE sequence > :after ORDER BY sequence LIMIT :limit
        """)
    @org.jdbi.v3.sqlobject.config.RegisterConstructorMapper(Row.class)
    List<Row> after(@Bind("after") long after, @Bind("limit") int limit);

    @SqlQuery("SELECT EXISTS (SELECT 1 FROM pending_revocation WHERE revoke_time <= :now)")
    boolean anyDue(@Bind("now") long now);

    @SqlUpdate("""
        INSERT OR IGNORE INTO revocation (token_id, secret_hash, revoke_time)
        SELECT token_id, secret_hash, revoke_time FROM pending_revocation
        WHERE revoke_time <= :now ORDER BY revoke_time
        """)
    int publishDue(@Bind("now") long now);

    @SqlUpdate("DELETE FROM pending_revocation WHERE revoke_time <= :now")
    int deleteDue(@Bind("now") long now);

    @SqlUpdate("DELETE FROM revocation WHERE revoke_time < :before")
    int prune(@Bind("before") long before);
  }
}
