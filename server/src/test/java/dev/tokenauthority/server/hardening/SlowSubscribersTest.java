package dev.tokenauthority.server.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.RevokeTokensRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.api.v1.WatchRevocationsRequest;
import dev.tokenauthority.api.v1.WatchRevocationsResponse;
import dev.tokenauthority.server.Bearer;
import dev.tokenauthority.server.CallExecutors;
import dev.tokenauthority.server.NettyTransport;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Durability;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hundreds of WatchRevocations streams that never read, then 10,000 revocations, over the real
 * Netty transport: the server's memory stays bounded (the bound: heap after GC grows by less than
 * 64 MiB and direct memory by less than 128 MiB, measured while the stuck streams are still open;
 * here they grew by about 30 and 50 MiB, and unbounded buffering grew them by 580 and 286 MiB), a
 * reading subscriber still gets every revocation in order however large the burst, and a stream
 * that stays behind without reading is ended with RESOURCE_EXHAUSTED / SUBSCRIBER_TOO_SLOW. The
 * resident set is printed, not asserted: it counts whatever heap the collector commits.
 */
class SlowSubscribersTest {
  private static final int STUCK_STREAMS = 300;
  private static final int REVOCATIONS = 10_000;
  private static final Duration MAX_STALL = Duration.ofSeconds(10);

  @TempDir Path dataDir;
  private TokenAuthority authority;
  private TokenAuthorityServer server;
  private CallExecutors executors;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.stop(Duration.ofSeconds(5));
    executors.shutdown();
    authority.close();
  }

  @Test
  void stuckStreams_costBoundedMemory_whileAReaderGetsEverythingInOrder() throws Exception {
    String admin = start(AuthorityConfig.defaults().toBuilder()
        .feedStreamsPerToken(1_000).feedMaxStall(MAX_STALL).build());
    ManagedChannel control = channel(1 << 20);
    List<Token> tokens = createTokens(control, admin);

    System.gc();
    long heapBefore = heapUsed();
    long directBefore = directMemory();
    long rssBefore = residentBytes();
    // The attacker: non-reading streams, spread over connections with small windows.
    for (int i = 0; i < STUCK_STREAMS; i++) {
      ManagedChannel c = i % 30 == 0 ? channel(64 * 1024) : channels.get(channels.size() - 1);
      follow(c, admin, new ArrayList<>(), new AtomicReference<>(), 0);
    }
    List<WatchRevocationsResponse> received = new CopyOnWriteArrayList<>();
    AtomicReference<Status> readerEnd = new AtomicReference<>();
    follow(control, admin, received, readerEnd, Integer.MAX_VALUE);

    long revokedAt = System.nanoTime();
    long revoked = TokenServiceGrpc.newBlockingStub(control).withCallCredentials(Bearer.of(admin))
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("acme").setReason("test").build())
        .getRevokedCount();
    assertThat(revoked).isEqualTo(REVOCATIONS);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (revocationsIn(received) < REVOCATIONS && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    List<Long> sequences = received.stream().filter(WatchRevocationsResponse::hasRevocation)
        .map(r -> r.getRevocation().getSequence()).toList();
    assertThat(sequences).hasSize(REVOCATIONS).isSorted().doesNotHaveDuplicates();
    assertThat(readerEnd.get()).as("the reader is never cut off").isNull();
    assertThat(received.stream().filter(WatchRevocationsResponse::hasRevocation)
        .map(r -> r.getRevocation().getTokenId()).toList())
        .containsExactlyInAnyOrderElementsOf(tokens.stream().map(Token::getId).toList());

    System.gc();
    long heapGrowth = heapUsed() - heapBefore;
    long directGrowth = directMemory() - directBefore;
    long rssGrowth = residentBytes() - rssBefore;
    System.out.printf("%d stuck streams, %d revocations: heap +%d MiB, direct +%d MiB, resident set +%d MiB%n",
        STUCK_STREAMS, REVOCATIONS, heapGrowth >> 20, directGrowth >> 20, rssGrowth >> 20);
    assertThat(Duration.ofNanos(System.nanoTime() - revokedAt))
        .as("measured while the stuck streams are still open (none could be ended yet)").isLessThan(MAX_STALL);
    assertThat(heapGrowth).as("heap growth after GC").isLessThan(64L << 20);
    assertThat(directGrowth).as("direct memory growth (Netty's buffers)").isLessThan(128L << 20);
  }

  @Test
  void streamThatStaysBehindWithoutReading_isEndedWithSubscriberTooSlow() throws Exception {
    Duration stall = Duration.ofSeconds(2);
    String admin = start(AuthorityConfig.defaults().toBuilder().feedMaxStall(stall).build());
    ManagedChannel control = channel(1 << 20);
    createTokens(control, admin, 3_000);
    List<WatchRevocationsResponse> got = new CopyOnWriteArrayList<>();
    ClientCall<WatchRevocationsRequest, WatchRevocationsResponse> stuck =
        follow(channel(64 * 1024), admin, got, new AtomicReference<>(), 0);
    Thread.sleep(500); // it has started (and reads nothing)

    TokenServiceGrpc.newBlockingStub(control).withCallCredentials(Bearer.of(admin))
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .revokeTokens(RevokeTokensRequest.newBuilder().setOrganization("acme").setReason("test").build());
    Thread.sleep(stall.plusSeconds(2).toMillis()); // behind, taking nothing, for longer than the stall

    stuck.request(Integer.MAX_VALUE); // now it reads: what was in flight, then the end
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (STUCK_ENDS.get(stuck) == null && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Status end = STUCK_ENDS.get(stuck);
    assertThat(end).as("the stuck stream was ended").isNotNull();
    assertThat(end.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(io.grpc.protobuf.StatusProto.fromStatusAndTrailers(end, STUCK_TRAILERS.get(stuck)).getDetailsList())
        .anySatisfy(d -> assertThat(d.unpack(com.google.rpc.ErrorInfo.class).getReason()).isEqualTo("SUBSCRIBER_TOO_SLOW"));
    assertThat(got.stream().filter(WatchRevocationsResponse::hasRevocation).count())
        .as("it got what was in flight, not the rest").isLessThan(3_000);
  }

  private static final java.util.Map<ClientCall<?, ?>, Status> STUCK_ENDS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final java.util.Map<ClientCall<?, ?>, Metadata> STUCK_TRAILERS = new java.util.concurrent.ConcurrentHashMap<>();

  /** Starts the authority on Netty with {@code config}; returns the bootstrap admin secret. */
  private String start(AuthorityConfig config) throws java.io.IOException {
    authority = TokenAuthority.open(dataDir, config, Durability.NORMAL, Clock.systemUTC());
    authority.bootstrap();
    executors = CallExecutors.standard();
    server = new TokenAuthorityServer(NettyTransport.builder("127.0.0.1", 0, executors), authority).start();
    return Files.readString(dataDir.resolve("bootstrap-token")).trim();
  }

  private static long revocationsIn(List<WatchRevocationsResponse> received) {
    return received.stream().filter(WatchRevocationsResponse::hasRevocation).count();
  }

  private ManagedChannel channel(int window) {
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
        .flowControlWindow(window).build();
    channels.add(c);
    return c;
  }

  /** A WatchRevocations call that asks for {@code initialRequests} messages and no more. */
  private static ClientCall<WatchRevocationsRequest, WatchRevocationsResponse> follow(ManagedChannel channel,
      String secret, List<WatchRevocationsResponse> into, AtomicReference<Status> end, int initialRequests) {
    ClientCall<WatchRevocationsRequest, WatchRevocationsResponse> call = channel.newCall(
        TokenServiceGrpc.getWatchRevocationsMethod(), CallOptions.DEFAULT.withCallCredentials(Bearer.of(secret)));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(WatchRevocationsResponse message) {
        into.add(message);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        end.set(status);
        STUCK_ENDS.put(call, status);
        STUCK_TRAILERS.put(call, trailers);
      }
    }, new Metadata());
    call.sendMessage(WatchRevocationsRequest.getDefaultInstance());
    call.halfClose();
    if (initialRequests > 0) {
      call.request(initialRequests);
    }
    return call;
  }

  private static List<Token> createTokens(ManagedChannel channel, String admin) throws Exception {
    return createTokens(channel, admin, REVOCATIONS);
  }

  private static List<Token> createTokens(ManagedChannel channel, String admin, int count) throws Exception {
    TokenServiceGrpc.TokenServiceBlockingStub stub = TokenServiceGrpc.newBlockingStub(channel)
        .withCallCredentials(Bearer.of(admin));
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<Token>> made = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        made.add(pool.submit(() -> stub.withDeadlineAfter(60, TimeUnit.SECONDS).createToken(
            CreateTokenRequest.newBuilder().setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION)
                .setOrganization("acme").setLabel("to revoke").addScopes("lenses:read")).build())));
      }
      List<Token> tokens = new ArrayList<>();
      for (Future<Token> f : made) {
        tokens.add(f.get());
      }
      return tokens;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Direct memory in use: Netty's own count where it allocates without a cleaner, otherwise the
   * JVM's direct buffer pool. The resident set also counts the heap the collector chooses to
   * commit (one CI run saw it grow by 410 MiB with 30-odd MiB of heap in use), so it measured the
   * collector as much as the buffering.
   */
  private static long directMemory() {
    long netty = io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent.usedDirectMemory();
    if (netty >= 0) {
      return netty;
    }
    return ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
        .filter(p -> p.getName().equals("direct")).mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed)
        .sum();
  }

  /** VmRSS of this process, from /proc. */
  private static long residentBytes() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new AssertionError("no VmRSS in /proc/self/status");
  }
}
