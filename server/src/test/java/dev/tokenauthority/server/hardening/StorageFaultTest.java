package dev.tokenauthority.server.hardening;

import static dev.tokenauthority.server.RpcErrors.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.api.v1.AuditAction;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.RpcErrors;
import dev.tokenauthority.server.TestAuthority;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Durability;
import dev.tokenauthority.server.storage.StorageException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged or full database: clear answers and health, never a crash, nothing lost. */
class StorageFaultTest {
  @TempDir Path dir;

  @Test
  void fileTruncatedWhileRunning_answersUnavailable_andHealthSaysNotServing_andTheProcessLives() throws Exception {
    try (TestAuthority ta = TestAuthority.start(dir)) {
      List<Token> tokens = createMany(ta, 2_000);
      ta.readDatabase(h -> h.createQuery("PRAGMA wal_checkpoint(TRUNCATE)").mapToMap().list());
      Path db = dir.resolve(TokenAuthority.DATABASE_FILE);
      try (FileChannel f = FileChannel.open(db, StandardOpenOption.WRITE)) {
        f.truncate(f.size() * 2 / 5);
      }

      StatusRuntimeException refusal = null;
      for (Token t : tokens) { // none of these is cached: each look-up reads the file
        try {
          ta.admin().introspectToken(IntrospectTokenRequest.newBuilder().setSecret(t.getSecret()).build());
        } catch (StatusRuntimeException e) {
          refusal = e;
          break;
        }
      }
      assertThat(refusal).as("some look-up reaches the missing pages").isNotNull();
      assertThat(refusal.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(RpcErrors.errorInfo(refusal).getReason()).isIn("STORAGE_CORRUPT", "STORAGE_IO_ERROR");
      assertThat(HealthGrpc.newBlockingStub(ta.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    }
  }

  @Test
  void damagedFile_stopsTheNextStart_withAClearMessage() throws Exception {
    try (TestAuthority ta = TestAuthority.start(dir)) {
      createMany(ta, 1_000);
    }
    Path db = dir.resolve(TokenAuthority.DATABASE_FILE);
    try (FileChannel f = FileChannel.open(db, StandardOpenOption.WRITE)) {
      // Garbage over a page in the middle: opening and migrating never read it, a check does.
      byte[] garbage = new byte[4096];
      java.util.Arrays.fill(garbage, (byte) 0x5A);
      f.write(java.nio.ByteBuffer.wrap(garbage), (f.size() / 2) / 4096 * 4096);
    }
    assertThatThrownBy(() -> TokenAuthority.open(dir, AuthorityConfig.defaults(), Durability.FULL, Clock.systemUTC()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("failed its integrity check")
        .hasMessageContaining("restore it from a backup");
  }

  @Test
  void fullDisk_answersUnavailable_storageFull() throws Exception {
    try (TestAuthority ta = TestAuthority.start(dir)) {
      // SQLite answers SQLITE_FULL ("database or disk is full") past max_page_count, as on a full disk.
      long pages = ta.authority().databaseForTests().writer().withHandle(h ->
          h.createQuery("PRAGMA page_count").mapTo(Long.class).one());
      setMaxPages(ta, pages);

      StatusRuntimeException full = assertFails(() -> createMany(ta, 50), Status.Code.UNAVAILABLE, "STORAGE_FULL");
      assertThat(full.getStatus().getDescription()).contains("full").doesNotContain("SQL");

      setMaxPages(ta, 1_000_000);
      assertThat(createMany(ta, 5)).as("writes work again once there is space").hasSize(5);
    }
  }

  @Test
  void unwritableDatabase_answersUnavailable_andSecurityEventsWaitUntilItCanBeWritten() throws Exception {
    try (TestAuthority ta = TestAuthority.start(dir)) {
      // query_only refuses every write with SQLITE_READONLY, as an immutable file or a read-only mount does.
      queryOnly(ta, true);
      assertFails(() -> createMany(ta, 1), Status.Code.UNAVAILABLE, "STORAGE_READ_ONLY");
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
          new ch.qos.logback.core.read.ListAppender<>();
      log.start();
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
          dev.tokenauthority.server.audit.SecurityEvents.class)).addAppender(log);
      assertFails(() -> ta.as("tka_org_nonsense").listTokens(ListTokensRequest.getDefaultInstance()),
          Status.Code.UNAUTHENTICATED, "INVALID_CREDENTIALS");
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (log.list.stream().noneMatch(e -> e.getFormattedMessage().contains("could not record security events"))) {
        assertThat(System.nanoTime()).as("the security events' writer tried, and failed").isLessThan(deadline);
        Thread.sleep(20);
      }

      queryOnly(ta, false);
      assertThat(ta.auditAs(ta.adminSecret()).listAuditEvents(ListAuditEventsRequest.newBuilder()
          .setAction(AuditAction.AUDIT_ACTION_AUTHENTICATION_FAILED).build()).getEventsList())
          .as("kept, and written once the database could be written again").hasSize(1);
    }
  }

  private static void queryOnly(TestAuthority ta, boolean on) {
    ta.authority().databaseForTests().writer().useHandle(h -> h.execute("PRAGMA query_only = " + (on ? 1 : 0)));
  }

  private static void setMaxPages(TestAuthority ta, long pages) {
    ta.authority().databaseForTests().writer().useHandle(h -> h.execute("PRAGMA max_page_count = " + pages));
  }

  /** Creates {@code n} tokens from 16 threads; the first failure is thrown. */
  private static List<Token> createMany(TestAuthority ta, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Token>> made = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        made.add(pool.submit(() -> ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
            .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("token " + k)
            .addScopes("lenses:read")).build())));
      }
      List<Token> tokens = new ArrayList<>();
      for (Future<Token> f : made) {
        try {
          tokens.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          throw (RuntimeException) e.getCause();
        }
      }
      return tokens;
    } finally {
      pool.shutdownNow();
    }
  }
}
