package dev.tokenauthority.server.hardening;

import static dev.tokenauthority.server.RpcErrors.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ListTokensRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.InProcessAuthorityTest;
import dev.tokenauthority.server.RpcErrors;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Times and durations out of range, and bytes that are not a message: the caller's mistake. */
class RequestValidationTest extends InProcessAuthorityTest {
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  /** grpc-java logs its own failures through java.util.logging: those are watched too. */
  private final List<java.util.logging.LogRecord> julRecords = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.logging.Handler jul = new java.util.logging.Handler() {
    @Override public void publish(java.util.logging.LogRecord record) { julRecords.add(record); }
    @Override public void flush() { }
    @Override public void close() { }
  };

  @BeforeEach
  void captureLog() {
    logged.start();
    root().addAppender(logged);
    java.util.logging.Logger.getLogger("").addHandler(jul);
  }

  @AfterEach
  void releaseLog() {
    root().detachAppender(logged);
    java.util.logging.Logger.getLogger("").removeHandler(jul);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Test
  void outOfRangeDurationsAndTimestamps_areInvalidArguments_namingTheField() {
    List<Duration> badDurations = List.of(
        Duration.newBuilder().setSeconds(Long.MAX_VALUE).build(),
        Duration.newBuilder().setSeconds(Long.MIN_VALUE).build(),
        Duration.newBuilder().setSeconds(315_576_000_001L).build(),
        Duration.newBuilder().setSeconds(-315_576_000_001L).build(),
        Duration.newBuilder().setSeconds(1).setNanos(-1).build(),
        Duration.newBuilder().setSeconds(0).setNanos(1_000_000_000).build());
    List<Timestamp> badTimes = List.of(
        Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).build(),
        Timestamp.newBuilder().setSeconds(Long.MIN_VALUE).build(),
        Timestamp.newBuilder().setSeconds(253_402_300_800L).build(), // 10000-01-01
        Timestamp.newBuilder().setSeconds(-62_135_596_801L).build(), // before 0001-01-01
        Timestamp.newBuilder().setSeconds(0).setNanos(-1).build());
    Token t = ta.orgToken("acme", "lenses:read");
    for (Duration d : badDurations) {
      assertInvalid(() -> ta.admin().createToken(create().setTtl(d).build()), "ttl", "FIELD_INVALID");
      assertInvalid(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(t.getId()).setGracePeriod(d).build()),
          "grace_period", "FIELD_INVALID");
      assertInvalid(() -> ta.admin().rotateToken(RotateTokenRequest.newBuilder().setId(t.getId()).setTtl(d).build()),
          "ttl", "FIELD_INVALID");
    }
    AuditServiceGrpc.AuditServiceBlockingStub audit = ta.auditAs(ta.adminSecret());
    for (Timestamp time : badTimes) {
      assertInvalid(() -> ta.admin().listTokens(ListTokensRequest.newBuilder().setExpireBefore(time).build()),
          "expire_before", "FIELD_INVALID");
      assertInvalid(() -> ta.admin().listTokens(ListTokensRequest.newBuilder().setLastUseBefore(time).build()),
          "last_use_before", "FIELD_INVALID");
      assertInvalid(() -> audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setStartTime(time).build()),
          "start_time", "FIELD_INVALID");
      assertInvalid(() -> audit.listAuditEvents(ListAuditEventsRequest.newBuilder().setEndTime(time).build()),
          "end_time", "FIELD_INVALID");
    }
    assertThat(logged.list).as("the caller's mistakes leave no stack trace").allSatisfy(e ->
        assertThat(e.getThrowableProxy()).isNull());
  }

  @Test
  void extremesWithinProtobufsRange_areJudgedByTheRules_notACrash() {
    Duration longest = Duration.newBuilder().setSeconds(315_576_000_000L).build();
    RpcErrors.assertFails(() -> ta.admin().createToken(create().setTtl(longest).build()),
        Status.Code.INVALID_ARGUMENT, "TTL_OUT_OF_BOUNDS");
    Timestamp last = Timestamp.newBuilder().setSeconds(253_402_300_799L).build(); // 9999-12-31T23:59:59Z
    Timestamp first = Timestamp.newBuilder().setSeconds(-62_135_596_800L).build(); // 0001-01-01
    assertThat(ta.admin().listTokens(ListTokensRequest.newBuilder().setExpireBefore(last).setLastUseBefore(first).build())
        .getTokensList()).as("never used, expiring before 9999").extracting(Token::getLabel)
        .contains("bootstrap admin token");
    assertThat(ta.auditAs(ta.adminSecret()).listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setStartTime(first).setEndTime(last).build()).getEventsCount()).isPositive();
  }

  @Test
  void bytesThatAreNotAMessage_answerInvalidArgument_withoutAStackTraceInTheLog() {
    byte[] invalidUtf8 = {0x0A, 0x02, (byte) 0xC3, 0x28}; // secrets: "\xC3(" is not UTF-8
    byte[] truncated = {0x0A, 0x10, 'a', 'b'}; // a 16-byte string with 2 bytes
    for (int i = 0; i < 40; i++) {
      for (byte[] body : List.of(invalidUtf8, truncated)) {
        StatusRuntimeException e = rawCall(TokenServiceGrpc.getReportLeakedTokensMethod().getFullMethodName(), body);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(RpcErrors.errorInfo(e).getReason()).isEqualTo("MALFORMED_REQUEST");
      }
    }
    StatusRuntimeException listing = rawCall(TokenServiceGrpc.getListTokensMethod().getFullMethodName(), truncated);
    assertThat(listing.getStatus().getCode()).as("authenticated methods too").isEqualTo(Status.Code.UNAUTHENTICATED);
    StatusRuntimeException health = rawCall(io.grpc.health.v1.HealthGrpc.getCheckMethod().getFullMethodName(), truncated);
    assertThat(health.getStatus().getCode()).as("and the anonymous services").isEqualTo(Status.Code.INVALID_ARGUMENT);

    assertThat(logged.list).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
    assertThat(julRecords).as("nor grpc-java's own log").allSatisfy(r -> assertThat(r.getThrown()).isNull());
    assertThat(logged.list.stream().filter(e -> e.getFormattedMessage().contains("malformed")))
        .as("at most one line per interval").hasSizeLessThanOrEqualTo(1);
  }

  private CreateTokenRequest.Builder create() {
    return CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
        .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("x").addScopes("lenses:read"));
  }

  /** Sends {@code body} as the request of {@code method}, unparsed; returns the refusal. */
  private StatusRuntimeException rawCall(String method, byte[] body) {
    MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(method)
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    try {
      ClientCalls.blockingUnaryCall(ta.channel(), raw, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), body);
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call succeeded");
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
}
