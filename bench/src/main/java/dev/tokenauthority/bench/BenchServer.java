package dev.tokenauthority.bench;

import dev.tokenauthority.server.CallExecutors;
import dev.tokenauthority.server.NettyTransport;
import dev.tokenauthority.server.TokenAuthority;
import dev.tokenauthority.server.TokenAuthorityServer;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.http.HttpDoor;
import dev.tokenauthority.server.oidc.OidcSettings;
import dev.tokenauthority.server.storage.Durability;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The token authority as production wires it (same executor, Netty transport, durability), plus
 * the echo RPC, in its own JVM. Prints its port; answers "stats" on stdin with heap and peak RSS.
 *
 * <p>Arguments: data directory, token cache size, and optionally an OIDC issuer URL.
 */
public final class BenchServer {
  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    long cacheSize = Long.parseLong(args[1]);
    AuthorityConfig.Builder builder = AuthorityConfig.defaults().toBuilder().tokenCacheSize(cacheSize);
    String database = null;
    if (args.length > 2 && args[2].startsWith("jdbc:postgresql:")) { // a replica on this database
      database = args[2];
    } else if (args.length > 2) { // people sign in with ID tokens of this issuer
      builder.oidc(new OidcSettings(java.net.URI.create(args[2]), Bench.AUDIENCE, "email", "groups",
          Duration.ofSeconds(30)));
    }
    AuthorityConfig config = builder.build();
    TokenAuthority authority = database == null
        ? TokenAuthority.open(dataDir, config, Durability.FULL, Clock.systemUTC())
        : TokenAuthority.open(dataDir, new dev.tokenauthority.server.storage.PostgresSettings(database, "postgres", ""),
            config, Clock.systemUTC());
    CallExecutors executor = CallExecutors.standard(database != null);
    TokenAuthorityServer server = new TokenAuthorityServer(
        NettyTransport.builder("127.0.0.1", 0, executor).addService(Echo.service()), authority).start();
    // As Main: gRPC health says SERVING once gRPC listens; the HTTP listener starts after it.
    System.out.println("listening on 127.0.0.1:" + server.port());
    System.out.flush();
    HttpDoor http = HttpDoor.start("127.0.0.1", 0, authority);
    System.out.println("http on 127.0.0.1:" + http.port());
    System.out.flush();

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
      if (line.equals("stats")) {
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.println("stats heap_used=" + heap.getUsed() + " heap_committed=" + heap.getCommitted()
            + " rss_kib=" + statusKib("VmRSS:") + " rss_peak_kib=" + statusKib("VmHWM:"));
        System.out.flush();
      }
    }
    http.close();
    server.stop(Duration.ofSeconds(5));
    executor.shutdown();
    authority.close();
  }

  /** A size from /proc: VmRSS (resident now) or VmHWM (the most resident it ever was). */
  private static long statusKib(String field) throws Exception {
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith(field)) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
