package dev.tokenauthority.server.storage;

import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.server.quota.RateBuckets;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLadvisoryLockBasedProxyManager;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Token buckets in the PostgreSQL database replicas share (Bucket4j's PostgreSQL module, one row
 * per bucket in table {@code bucket}, updated under an advisory lock): a limit of N a minute is
 * N a minute for the whole service, however many replicas answer.
 */
public final class PostgresRateBuckets implements RateBuckets {
  private final PostgreSQLadvisoryLockBasedProxyManager<Long> buckets;

  PostgresRateBuckets(DataSource dataSource) {
    this.buckets = Bucket4jPostgreSQL.advisoryLockBasedBuilder(dataSource)
        // A full bucket's row is not needed: rows expire and removeExpired() deletes them.
        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
        .build();
  }

  @Override
  public Bucket bucket(String limit, String key, BucketConfiguration configuration) {
    return buckets.builder().build(id(limit, key), () -> configuration);
  }

  /** Deletes up to {@code batch} rows of buckets that refilled completely; how many. */
  int removeExpired(int batch) {
    return buckets.removeExpired(batch);
  }

  /** The bucket's row id: 64 bits of SHA-256 of the limit and the key (keys are addresses, names). */
  private static long id(String limit, String key) {
    return ByteBuffer.wrap(SecretFormat.sha256(limit + "\u0000" + key)).getLong();
  }
}
