package dev.tokenauthority.server.storage;

import dev.tokenauthority.server.revocation.RevocationLog;
import dev.tokenauthority.server.revocation.RevokedToken;
import java.time.Instant;
import java.util.List;

/**
 * {@link RevocationLog} on the same SQLite database as the tokens. Plain SQL through JDBI's fluent
 * API: the feed asks several times a second, and a SqlObject attach per call was a tenth of the
 * server's CPU under mixed load (JFR).
 */
public final class JdbiRevocationLog implements RevocationLog {
  private static final String EPOCH = "SELECT value FROM authority_meta WHERE name = 'revocation_epoch'";
  private static final String OLDEST = "SELECT min(sequence) FROM revocation";
  private static final String AFTER = """
      SELECT sequence, token_id, secret_hash, revoke_time, narrowed FROM revocation
      WHERE sequence > :after ORDER BY sequence LIMIT :limit
      """;
  private static final String ANY_DUE =
      "SELECT EXISTS (SELECT 1 FROM pending_revocation WHERE revoke_time <= :now)";
  private static final String PUBLISH_DUE = """
      INSERT INTO revocation (token_id, secret_hash, revoke_time)
      SELECT token_id, secret_hash, revoke_time FROM pending_revocation
      WHERE revoke_time <= :now ORDER BY revoke_time
      ON CONFLICT DO NOTHING
      """;
  private static final String DELETE_DUE = "DELETE FROM pending_revocation WHERE revoke_time <= :now";
  /** Numbered rows only: an unnumbered one has not been told to anyone yet. */
  private static final String PRUNE = "DELETE FROM revocation WHERE revoke_time < :before AND sequence IS NOT NULL";

  private final Database db;
  private final JdbiTokenStore tokens;
  private final long epoch;

  /** {@code tokens} writes the token rows a grace period's end changes (their one writer). */
  public JdbiRevocationLog(Database db, JdbiTokenStore tokens) {
    this.db = db;
    this.tokens = tokens;
    this.epoch = db.reader().withHandle(h -> h.createQuery(EPOCH).mapTo(Long.class).one());
  }

  @Override
  public void onCommit(Runnable listener) {
    tokens.onPublished(listener);
    db.listen("revocation_feed", listener); // other replicas' commits (PostgreSQL)
  }

  @Override
  public long epoch() {
    return epoch;
  }

  /** Any replica's advisory lock for numbering: one sequencer at a time, the others skip. */
  private static final long SEQUENCER_LOCK = 0x7461_7265_766f_6bL;
  private static final String UNNUMBERED = "SELECT EXISTS (SELECT 1 FROM revocation WHERE sequence IS NULL)";
  /** Locked: a prune cannot delete one between being counted and numbered. */
  private static final String UNNUMBERED_IDS = "SELECT id FROM revocation WHERE sequence IS NULL ORDER BY id FOR UPDATE";

  /**
   * Numbers the committed rows that have no number yet, after the counter, in one short
   * transaction (PostgreSQL only). Rows that commit while it runs are numbered by the next call:
   * a number, once read, never has an earlier row appear behind it.
   */
  private void numberCommitted() {
    if (!db.dialect().numbersRevocationsAfterCommit()) {
      return;
    }
    db.reader().useTransaction(org.jdbi.v3.core.transaction.TransactionIsolationLevel.READ_COMMITTED, h -> {
      if (!h.createQuery(UNNUMBERED).mapTo(Boolean.class).one()) {
        return;
      }
      // Waits for another replica numbering now, but not for one that stalled holding the lock:
      // then this read fails, the feed is not heard, and after 5 s caches stop answering. A
      // stalled holder's session is ended by the database after 2 s idle in its transaction.
      h.execute("SET LOCAL lock_timeout = '1s'");
      h.execute("SET LOCAL statement_timeout = '5s'");
      h.execute("SET LOCAL idle_in_transaction_session_timeout = '2s'");
      h.createQuery("SELECT pg_advisory_xact_lock(" + SEQUENCER_LOCK + ")").mapToMap().list();
      java.util.List<Long> ids = h.createQuery(UNNUMBERED_IDS).mapTo(Long.class).list();
      if (ids.isEmpty()) {
        return; // the other replica numbered them
      }
      long last = h.createQuery("SELECT last FROM revocation_counter FOR UPDATE").mapTo(Long.class).one();
      org.jdbi.v3.core.statement.PreparedBatch batch =
          h.prepareBatch("UPDATE revocation SET sequence = :sequence WHERE id = :id");
      for (int i = 0; i < ids.size(); i++) {
        batch.bind("sequence", last + i + 1).bind("id", ids.get(i)).add();
      }
      batch.execute();
      h.createUpdate("UPDATE revocation_counter SET last = :last").bind("last", last + ids.size()).execute();
    });
  }

  @Override
  public long latestSequence() {
    numberCommitted();
    return db.reader().withHandle(h -> h.createQuery(db.dialect().latestRevocationSequence()).mapTo(Long.class).one());
  }

  @Override
  public long oldestSequence() {
    return db.reader().withHandle(h -> {
      Long oldest = h.createQuery(OLDEST).mapTo(Long.class).one();
      return oldest != null ? oldest : h.createQuery(db.dialect().latestRevocationSequence()).mapTo(Long.class).one() + 1;
    });
  }

  @Override
  public List<RevokedToken> after(long sequence, int limit) {
    numberCommitted();
    return db.reader().withHandle(h -> h.createQuery(AFTER).bind("after", sequence).bind("limit", limit)
        .map((rs, ctx) -> new RevokedToken(rs.getLong("sequence"), rs.getString("token_id"),
            rs.getBytes("secret_hash"), Instant.ofEpochMilli(rs.getLong("revoke_time")), rs.getBoolean("narrowed")))
        .list());
  }

  @Override
  public int publishDue(Instant now) {
    long millis = now.toEpochMilli();
    // Ask a reader first: most ticks find nothing due, and need not take the write lock.
    if (!db.reader().withHandle(h -> h.createQuery(ANY_DUE).bind("now", millis).mapTo(Boolean.class).one())) {
      return 0;
    }
    return tokens.write(tx -> {
      int published = tx.handle().createUpdate(PUBLISH_DUE).bind("now", millis).execute();
      tx.markGraceEnded(now); // from now on revoked whatever the clock says
      tx.handle().createUpdate(DELETE_DUE).bind("now", millis).execute();
      return published;
    });
  }

  @Override
  public int prune(Instant before) {
    return db.write(h -> h.createUpdate(PRUNE).bind("before", before.toEpochMilli()).execute());
  }
}
