package dev.tokenauthority.bench;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.tokenauthority.api.SecretFormat;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenRequest;
import dev.tokenauthority.api.v1.IntrospectTokenResponse;
import dev.tokenauthority.api.v1.RefreshSessionRequest;
import dev.tokenauthority.api.v1.RevokeTokenRequest;
import dev.tokenauthority.api.v1.RotateTokenRequest;
import dev.tokenauthority.api.v1.SessionServiceGrpc;
import dev.tokenauthority.api.v1.SignInRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.client.BearerToken;
import dev.tokenauthority.client.TokenIntrospector;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.token.Secret;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The benchmark: server JVMs with 1,000 and with 1,000,000 stored tokens, a load generator in this
 * JVM, and every scenario run alternately with its baseline so that the ratios hold on a noisy
 * machine. Prints each scenario and ratio with its goal, and writes the same as JSON.
 */
@Command(name = "token-authority-bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measures the token authority against its goals (see README, Performance).")
public final class Bench implements Callable<Integer> {
  /** Small on purpose: "cold" populations must be larger than the server's token cache. */
  static final long SERVER_TOKEN_CACHE = 100;
  static final int HOT_SET = 32;

  @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds per window (default ${DEFAULT-VALUE}).")
  int seconds;
  @Option(names = "--warmup", defaultValue = "2", description = "Warm-up seconds before each window (default ${DEFAULT-VALUE}).")
  int warmup;
  @Option(names = "--server-warmup", defaultValue = "10", description = "Untimed seconds of load on each server JVM before any window, so that its JIT is warm (default ${DEFAULT-VALUE}).")
  int serverWarmup;
  @Option(names = "--rounds", defaultValue = "2", description = "Alternations of each scenario with its baseline (default ${DEFAULT-VALUE}).")
  int rounds;
  @Option(names = "--channels", defaultValue = "4", description = "Connections per load (default ${DEFAULT-VALUE}).")
  int channels;
  @Option(names = "--outstanding", defaultValue = "16", description = "Calls in flight per connection, closed loop (default ${DEFAULT-VALUE}).")
  int outstanding;
  @Option(names = "--large", defaultValue = "1000000", description = "Tokens in the large database (default ${DEFAULT-VALUE}).")
  int large;
  @Option(names = "--revocations", defaultValue = "1000", description = "Revocations timed for revocation-lag (default ${DEFAULT-VALUE}).")
  int revocations;
  @Option(names = "--json", defaultValue = "bench-results.json", description = "Where to write the results (default ${DEFAULT-VALUE}).")
  Path json;
  @Option(names = "--only", split = ",", description = "Run only these groups: introspect, mixed, writes, create, http, people, dashboard, postgres, scale,"
      + " scans, open-loop, revocation-lag, cli, client-hit (default: all).")
  java.util.Set<String> only = new java.util.HashSet<>();
  @Option(names = "--ta", defaultValue = "cli/ta", description = "The ta launcher timed by the cli group (default ${DEFAULT-VALUE}).")
  Path ta;
  @Option(names = "--cli-rounds", defaultValue = "10", description = "Timed runs of each ta command (default ${DEFAULT-VALUE}).")
  int cliRounds;
  @Option(names = "--skip-jmh", description = "Skip the client-hit JMH benchmark.")
  boolean skipJmh;

  private final Report report = new Report();
  /** The client id the benchmark's ID tokens are issued to. */
  static final String AUDIENCE = "token-authority";
  private static final String ISSUER_ID = "bench";

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path work = Files.createTempDirectory("ta-bench");
    report.fact("machine", Runtime.getRuntime().availableProcessors() + " cores, Java "
        + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    report.fact("load", channels + " channels x " + outstanding + " outstanding (closed loop), "
        + warmup + "s warm-up + " + seconds + "s measured per window, " + rounds + " alternating rounds");
    long t0 = System.nanoTime();
    Population small = Population.create(work.resolve("small"), 1_000);
    Population big = Population.create(work.resolve("large"), large);
    report.fact("populations built in", Duration.ofNanos(System.nanoTime() - t0).toSeconds() + " s");

    MockOAuth2Server idp = new MockOAuth2Server();
    idp.start();
    try (ServerHandle s1 = ServerHandle.start(work.resolve("small"), SERVER_TOKEN_CACHE,
             idp.issuerUrl(ISSUER_ID).toString());
         ServerHandle s2 = ServerHandle.start(work.resolve("large"), SERVER_TOKEN_CACHE)) {
      report.fact("startup to SERVING, 1,000 tokens", s1.startup.toMillis() + " ms");
      report.fact("startup to SERVING, " + large + " tokens", s2.startup.toMillis() + " ms");
      report.fact("startup to the HTTP listener, 1,000 / " + large + " tokens",
          s1.httpStartup.toMillis() + " / " + s2.httpStartup.toMillis() + " ms");
      List<ManagedChannel> c1 = s1.channels(channels);
      List<ManagedChannel> c2 = s2.channels(channels);
      Load.Call echo = (ch, i) -> ClientCalls.futureUnaryCall(ch.newCall(Echo.METHOD, CallOptions.DEFAULT), Empty.getDefaultInstance());
      Load.Call hot1 = introspect(small.adminSecret, small.secrets, HOT_SET);
      Load.Call cold1 = introspect(small.adminSecret, small.secrets, small.secrets.length);
      Load.Call hot2 = introspect(big.adminSecret, big.secrets, HOT_SET);
      Load.Call cold2 = introspect(big.adminSecret, big.secrets, big.secrets.length);
      for (var warm : List.of(List.of(c1, echo, hot1, cold1), List.of(c2, echo, hot2, cold2))) {
        @SuppressWarnings("unchecked")
        List<ManagedChannel> on = (List<ManagedChannel>) warm.get(0);
        for (int k = 1; k < warm.size(); k++) {
          Load.closedLoop(on, outstanding, Duration.ofSeconds(serverWarmup).dividedBy(3), Duration.ZERO, (Load.Call) warm.get(k));
        }
      }

      // First, while the small server holds its 1,000 tokens: the write scenarios add tens of
      // thousands, which `ta tokens list` would then page through.
      if (runs("cli")) {
        CommandLineTime.measure(report, ta, s1.port, small.adminSecret, cliRounds, work);
      }
      if (runs("introspect")) {
        pair("echo", c1, echo, "introspect-hot", c1, hot1);
        ratio("introspect-hot QPS / echo QPS", "introspect-hot", "echo", true, true, 0.8);
        ratio("introspect-hot p99 / echo p99", "introspect-hot", "echo", false, false, 1.5);
        pair("echo ", c1, echo, "introspect-cold", c1, cold1);
        ratio("introspect-cold QPS / echo QPS", "introspect-cold", "echo ", true, true, 0.6);
      }
      if (runs("mixed")) {
        pair("introspect-hot ", c1, hot1, "introspect-mixed", c1, mixed(small.adminSecret, small.secrets));
        ratio("introspect-mixed QPS / introspect-hot QPS", "introspect-mixed", "introspect-hot ", true, true, 0.7);
        report.fact("introspect-mixed errors (SQLITE_BUSY or any other)", Long.toString(report.get("introspect-mixed").errors()));
      }
      if (runs("writes")) {
        underWrites(c1, s1.channels(2), hot1, small.adminSecret);
        ratio("introspect-under-writes p99 / same rate without writes p99", "introspect-under-writes",
            "introspect@half-hot open-loop", false, false, 2.0);
      }
      if (runs("writes") || runs("mixed")) {
        cpuPerWrite(s1, small.adminSecret);
      }
      if (runs("create")) {
        createVersusJdbc(c1, small.adminSecret, work.resolve("small").resolve(TokenAuthority.DATABASE_FILE));
        ratio("create QPS / bare JDBC insert QPS", "create", "jdbc-insert", true, true, 0.6);
      }
      if (runs("http")) {
        forwardAuth(s1, small.adminSecret, small.secrets);
      }
      if (runs("people")) {
        people(c1, small.adminSecret, idp);
      }
      if (runs("scale")) {
        pair("introspect-hot@1k", c1, hot1, "introspect-hot@" + large, c2, hot2);
        ratio("introspect-hot QPS at " + large + " / at 1k", "introspect-hot@" + large, "introspect-hot@1k", true, true, 0.9);
        pair("introspect-cold@1k", c1, cold1, "introspect-cold@" + large, c2, cold2);
        ratio("introspect-cold QPS at " + large + " / at 1k", "introspect-cold@" + large, "introspect-cold@1k", true, true, 0.8);
        report.fact("server after the " + large + "-token scenarios", s2.stats());
      }
      if (runs("scans")) {
        underScans(c2, hot2, big.adminSecret);
        ratio("introspect-under-scans QPS / introspect-hot QPS", "introspect-under-scans", "introspect-hot@scans-base", true, true, 0.7);
      }
      if (runs("open-loop")) {
        openLoop(c1, echo, hot1);
      }
      if (runs("revocation-lag")) {
        revocationLag(s1, small.adminSecret);
      }
      if (runs("dashboard")) {
        DashboardTime.measure(report, work);
      }
      if (runs("postgres")) {
        onPostgres(work);
      }
    }
    idp.shutdown();
    if (!skipJmh && runs("client-hit")) {
      clientHit();
    }
    report.writeJson(json);
    System.out.println("results written to " + json.toAbsolutePath());
    return 0;
  }

  private boolean runs(String group) {
    return only.isEmpty() || only.contains(group);
  }

  /**
   * Hot introspection on the large server alone, and while 32 full ListTokens scans run at once
   * (8 reader tokens, 4 scans each: the most each may run), alternately.
   */
  private void underScans(List<ManagedChannel> on, Load.Call hot, String admin) throws Exception {
    var adminStub = TokenServiceGrpc.newBlockingStub(on.get(0)).withCallCredentials(BearerToken.of(admin));
    List<String> readers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      readers.add(adminStub.createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
          .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("bench").setLabel("scanner")
          .addScopes("tokens:read")).build()).getSecret());
    }
    List<Window> b = new ArrayList<>();
    List<Window> c = new ArrayList<>();
    long scans = 0;
    long refused = 0;
    for (int r = 0; r < rounds; r++) {
      b.add(Load.closedLoop(on, outstanding, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), hot));
      Scans running = new Scans(on, readers, 4);
      try {
        c.add(Load.closedLoop(on, outstanding, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), hot));
      } finally {
        running.close(); // lets the scans under way finish, so that they are counted
      }
      scans += running.done.get();
      refused += running.refused.get();
    }
    report.scenario("introspect-hot@scans-base", Window.sum(b));
    report.scenario("introspect-under-scans", Window.sum(c));
    report.fact("full ListTokens scans of " + large + " tokens done / refused during introspect-under-scans", scans + " / " + refused);
  }

  /**
   * Introspection in the open loop at half its measured hot capacity, alone and while 8 writers
   * (on connections of their own) create, rotate and revoke tokens flat out, alternately.
   */
  private void underWrites(List<ManagedChannel> on, List<ManagedChannel> writerChannels, Load.Call hot,
      String admin) throws Exception {
    Window capacity = report.get("introspect-hot") != null ? report.get("introspect-hot")
        : Load.closedLoop(on, outstanding, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), hot);
    double rate = Math.floor(capacity.qps() / 2);
    report.fact("introspect-under-writes rate", String.format(Locale.ROOT,
        "%.0f calls/s (half the closed-loop introspect-hot QPS)", rate));
    List<Window> b = new ArrayList<>();
    List<Window> c = new ArrayList<>();
    long writes = 0;
    long writeErrors = 0;
    long writeNanos = 0;
    for (int r = 0; r < rounds; r++) {
      b.add(Load.openLoop(on, rate, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), hot));
      Writers writers = new Writers(writerChannels, admin, 8);
      try {
        c.add(Load.openLoop(on, rate, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), hot));
      } finally {
        writers.close();
      }
      writes += writers.done.get();
      writeErrors += writers.failed.get();
      writeNanos += writers.nanos();
    }
    report.scenario("introspect@half-hot open-loop", Window.sum(b));
    report.scenario("introspect-under-writes", Window.sum(c));
    report.fact("writes (create, rotate, revoke) during introspect-under-writes", String.format(Locale.ROOT,
        "%.0f writes/s, %d errors", writes / (writeNanos / 1e9), writeErrors));
  }

  /**
   * Server CPU per write: 16 writers cycle create, rotate, revoke until 6,000 writes are done; the
   * server process's CPU time across them, divided by the writes (everything else is idle).
   */
  private void cpuPerWrite(ServerHandle server, String admin) throws Exception {
    int total = 6_000;
    List<ManagedChannel> on = server.channels(2);
    java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(total / 3);
    var threads = java.util.concurrent.Executors.newFixedThreadPool(16);
    Duration before = server.cpu();
    long start = System.nanoTime();
    for (int i = 0; i < 16; i++) {
      var stub = TokenServiceGrpc.newBlockingStub(on.get(i % on.size())).withCallCredentials(BearerToken.of(admin));
      threads.execute(() -> {
        while (left.getAndDecrement() > 0) {
          writeCycle(stub);
        }
      });
    }
    threads.shutdown();
    threads.awaitTermination(5, TimeUnit.MINUTES);
    long wall = System.nanoTime() - start;
    Duration used = server.cpu().minus(before);
    report.fact("server CPU per write (create, rotate, revoke; 16 writers)", String.format(Locale.ROOT,
        "%.0f us (%d writes in %.1f s)", used.toNanos() / 1e3 / total, total, wall / 1e9));
  }

  /** Three writes: creates a token, rotates it, revokes the new one. */
  private static void writeCycle(TokenServiceGrpc.TokenServiceBlockingStub stub) {
    var deadline = stub.withDeadlineAfter(30, TimeUnit.SECONDS);
    Token created = deadline.createToken(orgToken());
    Token rotated = deadline.rotateToken(RotateTokenRequest.newBuilder().setId(created.getId()).build());
    deadline.revokeToken(RevokeTokenRequest.newBuilder().setId(rotated.getId()).setReason("bench").build());
  }

  /** Writers each creating, rotating and revoking a token in turn, as fast as answered, until closed. */
  private static final class Writers implements AutoCloseable {
    final java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.ExecutorService threads;
    private final long start = System.nanoTime();
    private long end;
    private volatile boolean stop;

    Writers(List<ManagedChannel> on, String admin, int count) {
      threads = java.util.concurrent.Executors.newFixedThreadPool(count);
      for (int i = 0; i < count; i++) {
        var stub = TokenServiceGrpc.newBlockingStub(on.get(i % on.size())).withCallCredentials(BearerToken.of(admin));
        threads.execute(() -> {
          while (!stop) {
            try {
              writeCycle(stub);
              done.addAndGet(3);
            } catch (io.grpc.StatusRuntimeException e) {
              failed.incrementAndGet();
            }
          }
        });
      }
    }

    long nanos() {
      return end - start;
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      threads.shutdown();
      threads.awaitTermination(2, TimeUnit.MINUTES);
      end = System.nanoTime(); // the writes in flight at the stop are counted, so is their time
    }
  }

  /** Callers scanning every token (a label no token has) in a loop, until closed. */
  private static final class Scans implements AutoCloseable {
    final java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.ExecutorService threads;
    private volatile boolean stop;

    Scans(List<ManagedChannel> on, List<String> callers, int each) {
      threads = java.util.concurrent.Executors.newFixedThreadPool(callers.size() * each);
      for (int i = 0; i < callers.size() * each; i++) {
        var stub = TokenServiceGrpc.newBlockingStub(on.get(i % on.size()))
            .withCallCredentials(BearerToken.of(callers.get(i % callers.size())));
        threads.execute(() -> {
          while (!stop) {
            try {
              stub.withDeadlineAfter(60, TimeUnit.SECONDS).listTokens(dev.tokenauthority.api.v1.ListTokensRequest
                  .newBuilder().setLabelContains("no token has this label").setPageSize(1000).build());
              done.incrementAndGet();
            } catch (io.grpc.StatusRuntimeException e) {
              refused.incrementAndGet();
            }
          }
        });
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      threads.shutdown();
      threads.awaitTermination(2, TimeUnit.MINUTES);
    }
  }

  /** Runs baseline and candidate alternately, {@code rounds} times each, and reports both. */
  private void pair(String baseName, List<ManagedChannel> baseChannels, Load.Call base,
      String name, List<ManagedChannel> channelsUsed, Load.Call candidate) throws InterruptedException {
    List<Window> b = new ArrayList<>();
    List<Window> c = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      b.add(Load.closedLoop(baseChannels, outstanding, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), base));
      c.add(Load.closedLoop(channelsUsed, outstanding, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), candidate));
    }
    report.scenario(baseName, Window.sum(b));
    report.scenario(name, Window.sum(c));
  }

  private void ratio(String label, String name, String base, boolean qps, boolean atLeast, double goal) {
    Window n = report.get(name);
    Window b = report.get(base);
    report.ratio(label, qps ? n.qps() / b.qps() : n.micros(99) / b.micros(99), atLeast, goal);
  }

  /** IntrospectToken of tokens drawn from the first {@code spread} secrets; inactive answers count as errors. */
  private static Load.Call introspect(String caller, String[] secrets, int spread) {
    return (ch, i) -> {
      String secret = secrets[ThreadLocalRandom.current().nextInt(Math.min(spread, secrets.length))];
      ListenableFuture<IntrospectTokenResponse> f = TokenServiceGrpc.newFutureStub(ch)
          .withCallCredentials(BearerToken.of(caller))
          .introspectToken(IntrospectTokenRequest.newBuilder().setSecret(secret).addRequiredScopes("lenses:read").build());
      return Futures.transform(f, r -> {
        if (!r.getAllowed()) {
          throw new IllegalStateException("benchmark token not allowed: " + r.getReason());
        }
        return r;
      }, MoreExecutors.directExecutor());
    };
  }

  /** Nine hot introspections in ten; the tenth creates, rotates or revokes a token. */
  private static Load.Call mixed(String caller, String[] secrets) {
    Load.Call hot = introspect(caller, secrets, HOT_SET);
    ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
    return (ch, i) -> {
      if (i % 10 != 0) {
        return hot.fire(ch, i);
      }
      var stub = TokenServiceGrpc.newFutureStub(ch).withCallCredentials(BearerToken.of(caller));
      long op = (i / 10) % 3;
      String id = op == 0 ? null : ids.poll();
      if (id == null) {
        return Futures.transform(stub.createToken(orgToken()), t -> ids.add(t.getId()), MoreExecutors.directExecutor());
      }
      if (op == 1) {
        return Futures.transform(stub.rotateToken(RotateTokenRequest.newBuilder().setId(id).build()),
            t -> ids.add(t.getId()), MoreExecutors.directExecutor());
      }
      return stub.revokeToken(RevokeTokenRequest.newBuilder().setId(id).setReason("bench").build());
    };
  }

  private static CreateTokenRequest orgToken() {
    return CreateTokenRequest.newBuilder().setToken(Token.newBuilder().setKind(TokenKind.TOKEN_KIND_ORGANIZATION)
        .setOrganization("bench").setLabel("bench write").addScopes("lenses:read")).build();
  }

  /**
   * The forward-auth check nginx, Traefik and Caddy call ({@code GET /v1/check}, a hot token)
   * against {@code /healthz}, the emptiest endpoint of the same HTTP listener, alternately, from
   * one HTTP client with {@code channels x outstanding} requests in flight.
   */
  private void forwardAuth(ServerHandle server, String proxy, String[] secrets) throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    java.net.URI health = java.net.URI.create("http://127.0.0.1:" + server.httpPort + "/healthz");
    java.net.URI check = java.net.URI.create("http://127.0.0.1:" + server.httpPort + "/v1/check");
    java.util.function.Supplier<java.net.http.HttpRequest> empty = () -> java.net.http.HttpRequest.newBuilder(health)
        .GET().build();
    java.util.function.Supplier<java.net.http.HttpRequest> checked = () -> java.net.http.HttpRequest.newBuilder(check)
        .header("X-Proxy-Authorization", "Bearer " + proxy).header("X-Required-Scopes", "lenses:read")
        .header("Authorization", "Bearer " + secrets[ThreadLocalRandom.current().nextInt(HOT_SET)]).GET().build();
    List<Load.Starter> emptySlots = new ArrayList<>();
    List<Load.Starter> checkSlots = new ArrayList<>();
    for (int i = 0; i < channels * outstanding; i++) {
      emptySlots.add(http(client, empty));
      checkSlots.add(http(client, checked));
    }
    Load.closedLoop(checkSlots, Duration.ofSeconds(serverWarmup), Duration.ZERO);
    List<Window> base = new ArrayList<>();
    List<Window> candidate = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      base.add(Load.closedLoop(emptySlots, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds)));
      candidate.add(Load.closedLoop(checkSlots, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds)));
    }
    report.scenario("http-empty", Window.sum(base));
    report.scenario("forward-auth-hot", Window.sum(candidate));
    ratio("forward-auth (hot token) QPS / empty HTTP QPS", "forward-auth-hot", "http-empty", true, true, 0.8);
    ratio("forward-auth (hot token) p99 / empty HTTP p99", "forward-auth-hot", "http-empty", false, false, 1.5);
  }

  /** One HTTP request per start; anything but 200 is an error. */
  private static Load.Starter http(java.net.http.HttpClient client,
      java.util.function.Supplier<java.net.http.HttpRequest> request) {
    return done -> client.sendAsync(request.get(), java.net.http.HttpResponse.BodyHandlers.discarding())
        .whenComplete((r, e) -> done.accept(e == null && r.statusCode() == 200));
  }

  /**
   * People signing in: SignIn with an OIDC ID token (64 people, each an organisation member, their
   * tokens issued up front by the provider in this JVM) and RefreshSession (each slot refreshes
   * the refresh token the previous answer carried), each beside CreateToken in alternating rounds.
   */
  private void people(List<ManagedChannel> c1, String caller, MockOAuth2Server idp) throws Exception {
    List<String> idTokens = new ArrayList<>();
    for (int k = 0; k < 64; k++) {
      String email = "user" + k + "@example.com";
      idTokens.add(idp.issueToken(ISSUER_ID, "bench", new DefaultOAuth2TokenCallback(ISSUER_ID, email, "JWT",
          List.of(AUDIENCE), Map.of("email", email, "groups", List.of("org:bench:member")), 3600)).serialize());
    }
    Load.Call create = (ch, i) -> TokenServiceGrpc.newFutureStub(ch).withCallCredentials(BearerToken.of(caller))
        .createToken(orgToken());
    Load.Call signIn = (ch, i) -> SessionServiceGrpc.newFutureStub(ch)
        .signIn(SignInRequest.newBuilder().setIdToken(idTokens.get((int) (i % idTokens.size()))).build());
    Queue<String> refreshTokens = new ConcurrentLinkedQueue<>();
    var blocking = SessionServiceGrpc.newBlockingStub(c1.get(0));
    for (int k = 0; k < 4 * channels * outstanding; k++) {
      refreshTokens.add(blocking.signIn(SignInRequest.newBuilder().setIdToken(idTokens.get(k % idTokens.size()))
          .build()).getRefreshToken());
    }
    Load.Call refresh = (ch, i) -> {
      String token = refreshTokens.poll();
      if (token == null) {
        return Futures.immediateFailedFuture(new IllegalStateException("no refresh token left"));
      }
      return Futures.transform(SessionServiceGrpc.newFutureStub(ch).refreshSession(
              RefreshSessionRequest.newBuilder().setRefreshToken(token).build()),
          s -> refreshTokens.add(s.getRefreshToken()), MoreExecutors.directExecutor());
    };
    pair("create@signin", c1, create, "signin-oidc", c1, signIn);
    ratio("SignIn (OIDC ID token) QPS / create QPS", "signin-oidc", "create@signin", true, true, 0.5);
    pair("create@refresh", c1, create, "refresh-session", c1, refresh);
    ratio("RefreshSession QPS / create QPS", "refresh-session", "create@refresh", true, true, 0.5);
    report.fact("people errors (signin, refresh)", report.get("signin-oidc").errors() + ", "
        + report.get("refresh-session").errors());
  }

  /** CreateToken over gRPC against single-row JDBC inserts into the same file, same durability. */
  private void createVersusJdbc(List<ManagedChannel> c1, String caller, Path dbFile) throws Exception {
    createVersusJdbc(c1, caller, () -> {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
      try (var s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=5000");
      }
      return c;
    }, "");
  }

  /** A JDBC connection to the server's database, with the server's commit settings. */
  @FunctionalInterface
  private interface SameDatabase {
    Connection open() throws Exception;
  }

  /** Alternately: one connection inserting rows as fast as it can, and CreateToken through gRPC. */
  private void createVersusJdbc(List<ManagedChannel> c1, String caller, SameDatabase database, String suffix) throws Exception {
    Load.Call create = (ch, i) -> TokenServiceGrpc.newFutureStub(ch).withCallCredentials(BearerToken.of(caller)).createToken(orgToken());
    List<Window> jdbc = new ArrayList<>();
    List<Window> grpc = new ArrayList<>();
    try (Connection c = database.open()) {
      for (int r = 0; r < rounds; r++) {
        jdbc.add(jdbcInserts(c));
        grpc.add(Load.closedLoop(c1, outstanding, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), create));
      }
    }
    report.scenario("jdbc-insert" + suffix, Window.sum(jdbc));
    report.scenario("create" + suffix, Window.sum(grpc));
  }

  private Window jdbcInserts(Connection c) throws Exception {
    SecureRandom random = new SecureRandom();
    Histogram h = Window.histogram();
    long calls = 0;
    try (PreparedStatement insert = c.prepareStatement("""
        INSERT INTO token (id, secret_hash, secret_hint, kind, organization, subject, label, scopes, group_names,
                           metadata, create_time, creator, expire_time, revoke_reason, rotated_from, rotated_to)
        VALUES (?, ?, ?, 'ORGANIZATION', 'bench', '', 'jdbc', 'lenses:read', '', '', ?, '', ?, '', '', '')
        """)) {
      long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
      long start = 0;
      long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
      for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
        Secret secret = Secret.generate(dev.tokenauthority.server.token.TokenKind.ORGANIZATION, random);
        insert.setString(1, "tok_jdbc" + Long.toHexString(random.nextLong()) + Long.toHexString(System.nanoTime()));
        insert.setBytes(2, secret.sha256());
        insert.setString(3, secret.hint());
        insert.setLong(4, Instant.now().toEpochMilli());
        insert.setLong(5, Instant.now().plusSeconds(86_400 * 90L).toEpochMilli());
        long t = System.nanoTime();
        insert.executeUpdate();
        long done = System.nanoTime();
        if (t >= warmEnd) {
          if (start == 0) {
            start = t;
          }
          h.recordValue(done - t);
          calls++;
        }
      }
      return new Window(calls, 0, System.nanoTime() - start, h);
    }
  }

  /**
   * A fixed rate at a quarter of the closed-loop echo QPS (well below saturation, where latency
   * means service time, not queueing): latency with no coordinated omission.
   */
  private void openLoop(List<ManagedChannel> c1, Load.Call echo, Load.Call hot) throws InterruptedException {
    Window echoClosed = report.get("echo") != null ? report.get("echo")
        : Load.closedLoop(c1, outstanding, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), echo);
    double rate = Math.floor(echoClosed.qps() / 4);
    report.fact("open loop rate", String.format(Locale.ROOT, "%.0f calls/s (a quarter of the closed-loop echo QPS)", rate));
    List<Window> b = new ArrayList<>();
    List<Window> c = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      b.add(Load.openLoop(c1, rate, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), echo));
      c.add(Load.openLoop(c1, rate, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds), hot));
    }
    report.scenario("echo open-loop", Window.sum(b));
    report.scenario("introspect-hot open-loop", Window.sum(c));
    ratio("introspect-hot p99 / echo p99, open loop", "introspect-hot open-loop", "echo open-loop", false, false, 1.5);
  }

  /**
   * Three replicas on one embedded PostgreSQL, durable (the replicas and the bare JDBC baseline
   * share its commit settings): on 1,000 tokens, introspection hot and cold through
   * one replica against echo on it, create against a bare JDBC insert into the same database, and
   * the revocation lag across replicas; then, on a second database of {@code large} tokens, hot
   * and cold introspection spread over all three replicas and their memory afterwards.
   */
  private void onPostgres(Path work) throws Exception {
    // Durable as production runs it (the embedded server's own defaults turn fsync and
    // synchronous_commit off for tests): an acknowledged write is on disk, as with SQLite's FULL.
    try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
        .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start()) {
      try (Connection c = pg.getPostgresDatabase().getConnection(); java.sql.Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE bench");
        st.execute("CREATE DATABASE bench_large");
        try (var settings = st.executeQuery("SELECT current_setting('synchronous_commit'), current_setting('fsync')")) {
          settings.next();
          report.fact("PostgreSQL commit settings (for the replicas and the bare JDBC insert alike)",
              "synchronous_commit=" + settings.getString(1) + ", fsync=" + settings.getString(2));
        }
      }
      var db = new dev.tokenauthority.server.storage.PostgresSettings(pg.getJdbcUrl("postgres", "bench"), "postgres", "");
      Population population = Population.createOnPostgres(db, 1_000);
      try (ServerHandle a = ServerHandle.start(work.resolve("pg-a"), SERVER_TOKEN_CACHE, db.url());
           ServerHandle b = ServerHandle.start(work.resolve("pg-b"), SERVER_TOKEN_CACHE, db.url());
           ServerHandle c = ServerHandle.start(work.resolve("pg-c"), SERVER_TOKEN_CACHE, db.url())) {
        List<ManagedChannel> ca = a.channels(channels);
        Load.Call echo = (ch, i) -> ClientCalls.futureUnaryCall(ch.newCall(Echo.METHOD, CallOptions.DEFAULT), Empty.getDefaultInstance());
        Load.Call hot = introspect(population.adminSecret, population.secrets, HOT_SET);
        Load.Call cold = introspect(population.adminSecret, population.secrets, population.secrets.length);
        for (Load.Call warm : List.of(echo, hot, cold)) {
          Load.closedLoop(ca, outstanding, Duration.ofSeconds(serverWarmup).dividedBy(3), Duration.ZERO, warm);
        }
        pair("echo@pg", ca, echo, "introspect-hot@pg", ca, hot);
        ratio("PostgreSQL: introspect-hot QPS / echo QPS", "introspect-hot@pg", "echo@pg", true, true, 0.8);
        pair("echo @pg", ca, echo, "introspect-cold@pg", ca, cold);
        ratio("PostgreSQL: introspect-cold QPS / echo QPS", "introspect-cold@pg", "echo @pg", true, true, 0.5);
        createVersusJdbc(ca, population.adminSecret,
            () -> DriverManager.getConnection(db.url(), db.user(), db.password()), "@pg");
        ratio("PostgreSQL: create QPS / bare JDBC insert QPS", "create@pg", "jdbc-insert@pg", true, true, 0.6);
        revocationLag(a, List.of(b, c), population.adminSecret, "PostgreSQL, revoked through A, 8 clients on B and C");
        report.fact("PostgreSQL: three replicas after these scenarios (1,000 tokens)",
            "A " + a.stats() + "; B " + b.stats() + "; C " + c.stats());
      }
      onPostgresLarge(work, new dev.tokenauthority.server.storage.PostgresSettings(
          pg.getJdbcUrl("postgres", "bench_large"), "postgres", ""));
    }
  }

  /** {@code large} tokens in PostgreSQL, three replicas answering for them together. */
  private void onPostgresLarge(Path work, dev.tokenauthority.server.storage.PostgresSettings db) throws Exception {
    long filling = System.nanoTime();
    Population population = Population.createOnPostgres(db, large);
    report.fact("PostgreSQL: " + large + " tokens written by JDBC in", String.format(Locale.ROOT, "%.1f s",
        (System.nanoTime() - filling) / 1e9));
    try (ServerHandle a = ServerHandle.start(work.resolve("pg-large-a"), SERVER_TOKEN_CACHE, db.url());
         ServerHandle b = ServerHandle.start(work.resolve("pg-large-b"), SERVER_TOKEN_CACHE, db.url());
         ServerHandle c = ServerHandle.start(work.resolve("pg-large-c"), SERVER_TOKEN_CACHE, db.url())) {
      List<ManagedChannel> all = new ArrayList<>();
      for (ServerHandle s : List.of(a, b, c)) {
        all.addAll(s.channels(2)); // the load spread over the three, as a balancer would
      }
      Load.Call hot = introspect(population.adminSecret, population.secrets, HOT_SET);
      Load.Call cold = introspect(population.adminSecret, population.secrets, population.secrets.length);
      Load.Call echo = (ch, i) -> ClientCalls.futureUnaryCall(ch.newCall(Echo.METHOD, CallOptions.DEFAULT), Empty.getDefaultInstance());
      for (Load.Call warm : List.of(echo, hot, cold)) {
        Load.closedLoop(all, outstanding, Duration.ofSeconds(serverWarmup).dividedBy(3), Duration.ZERO, warm);
      }
      pair("echo@pg-" + large, all, echo, "introspect-hot@pg-" + large, all, hot);
      pair("echo @pg-" + large, all, echo, "introspect-cold@pg-" + large, all, cold);
      ratio("PostgreSQL, " + large + " tokens, three replicas: introspect-hot QPS / echo QPS",
          "introspect-hot@pg-" + large, "echo@pg-" + large, true, true, 0.8);
      ratio("PostgreSQL, " + large + " tokens, three replicas: introspect-cold QPS / echo QPS",
          "introspect-cold@pg-" + large, "echo @pg-" + large, true, true, 0.5);
      List<String> stats = List.of(a.stats(), b.stats(), c.stats());
      long rss = stats.stream().mapToLong(s -> statOf(s, "rss_kib")).sum();
      long peak = stats.stream().mapToLong(s -> statOf(s, "rss_peak_kib")).sum();
      long heap = stats.stream().mapToLong(s -> statOf(s, "heap_used")).sum();
      report.fact("PostgreSQL: three replicas after the " + large + "-token scenarios", "A " + stats.get(0)
          + "; B " + stats.get(1) + "; C " + stats.get(2));
      report.fact("PostgreSQL: three replicas' total memory after the " + large + "-token scenarios",
          String.format(Locale.ROOT, "resident %d MiB (peaks summed %d MiB), heap used after GC %d MiB",
              rss / 1024, peak / 1024, heap >> 20));
    }
  }

  /** One {@code name=value} number of a server's stats line. */
  private static long statOf(String stats, String name) {
    for (String part : stats.split(" ")) {
      if (part.startsWith(name + "=")) {
        return Long.parseLong(part.substring(name.length() + 1));
      }
    }
    throw new IllegalStateException("no " + name + " in " + stats);
  }

  private void revocationLag(ServerHandle server, String admin) throws Exception {
    revocationLag(server, List.of(server), admin, "");
  }

  /** Revokes through {@code via}; 8 caching clients spread over {@code listeners} time the news. */
  private void revocationLag(ServerHandle via, List<ServerHandle> listeners, String admin, String where) throws Exception {
    ServerHandle server = via;
    int clients = 8;
    record Pending(ByteString hash, long[] arrivals, CountDownLatch all) {}
    AtomicReference<Pending> current = new AtomicReference<>();
    List<TokenIntrospector> introspectors = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int index = c;
      introspectors.add(TokenIntrospector.newBuilder(listeners.get(c % listeners.size()).channel(), BearerToken.of(admin))
          .revocationListener(hash -> {
            Pending p = current.get();
            if (p != null && p.hash.equals(hash)) {
              p.arrivals[index] = System.nanoTime();
              p.all.countDown();
            }
          }).build());
    }
    var stub = TokenServiceGrpc.newBlockingStub(server.channel()).withCallCredentials(BearerToken.of(admin));
    List<Token> victims = new ArrayList<>();
    for (int i = 0; i < revocations; i++) {
      victims.add(stub.createToken(orgToken()));
    }
    for (TokenIntrospector t : introspectors) {
      while (!t.isFeedLive()) {
        Thread.sleep(10);
      }
    }
    Histogram lag = Window.histogram();
    long missed = 0;
    for (Token victim : victims) {
      Pending p = new Pending(ByteString.copyFrom(SecretFormat.sha256(victim.getSecret())), new long[clients], new CountDownLatch(clients));
      current.set(p);
      stub.revokeToken(RevokeTokenRequest.newBuilder().setId(victim.getId()).build());
      long returned = System.nanoTime();
      if (!p.all.await(5, TimeUnit.SECONDS)) {
        missed++;
        continue;
      }
      long last = 0;
      for (long a : p.arrivals) {
        last = Math.max(last, a);
      }
      lag.recordValue(Math.max(0, last - returned));
    }
    introspectors.forEach(TokenIntrospector::close);
    report.fact("revocation-lag (" + clients + " clients, " + revocations + " revocations" + (where.isEmpty() ? "" : "; " + where) + ") p50 / p99 / max",
        String.format(Locale.ROOT, "%.2f / %.2f / %.2f ms%s", lag.getValueAtPercentile(50) / 1e6,
            lag.getValueAtPercentile(99) / 1e6, lag.getMaxValue() / 1e6, missed > 0 ? ", " + missed + " not seen in 5 s" : ""));
    report.ratio("revocation-lag p99 in ms" + (where.isEmpty() ? "" : " (" + where + ")"), lag.getValueAtPercentile(99) / 1e6, false, 100);
  }

  /** JMH: a cached check against one SHA-256 of the secret and against a HashMap.get. */
  /** JMH, three forks with the GC profiler: the cached check against one SHA-256, and its allocation. */
  private void clientHit() throws Exception {
    var results = new Runner(new OptionsBuilder()
        .include(ClientHitBenchmark.class.getName())
        .forks(3)
        .warmupIterations(3).warmupTime(TimeValue.seconds(1))
        .measurementIterations(5).measurementTime(TimeValue.seconds(1))
        .addProfiler(org.openjdk.jmh.profile.GCProfiler.class)
        .build()).run();
    Map<String, RunResult> byName = new java.util.HashMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      byName.put(label.substring(label.lastIndexOf('.') + 1), r);
    }
    double check = byName.get("cachedCheck").getPrimaryResult().getScore();
    double sha = byName.get("sha256").getPrimaryResult().getScore();
    double map = byName.get("hashMapGet").getPrimaryResult().getScore();
    report.fact("client-hit: cached check / SHA-256 / HashMap.get",
        String.format(Locale.ROOT, "%.1f / %.1f / %.1f ns", check, sha, map));
    report.fact("client-hit: cached check per fork", byName.get("cachedCheck").getBenchmarkResults().stream()
        .map(f -> String.format(Locale.ROOT, "%.1f", f.getPrimaryResult().getScore()))
        .collect(java.util.stream.Collectors.joining(" / ", "", " ns")));
    var alloc = byName.get("cachedCheck").getSecondaryResults().get("gc.alloc.rate.norm");
    report.fact("client-hit: cached check allocation",
        alloc == null ? "not measured" : String.format(Locale.ROOT, "%.2f B/op", alloc.getScore()));
    report.ratio("client-hit cached check / one SHA-256", check / sha, false, 2.5);
  }
}
