package dev.tokenauthority.server.metrics;

import dev.tokenauthority.server.audit.SecurityEvents;
import dev.tokenauthority.server.revocation.RevocationFeed;
import dev.tokenauthority.server.storage.Database;
import dev.tokenauthority.server.token.CachingTokenStore;
import dev.tokenauthority.server.token.InactiveReason;
import dev.tokenauthority.server.token.Introspector;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What {@code /metrics} shows, through Micrometer's Prometheus registry. The domain keeps plain
 * counters (no metrics library in it); this class reads them as Prometheus counters, gauges and
 * timers, adds gRPC per method and status code, and the JVM and process.
 */
public final class AuthorityMetrics implements AutoCloseable {
  /** Latency buckets for gRPC calls: sub-millisecond cache hits to slow writes. */
  private static final Duration[] GRPC_BUCKETS = {
      Duration.ofMillis(1).dividedBy(2), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /** What the metrics read. */
  public record Sources(Introspector introspector, CachingTokenStore tokenCache, RevocationFeed feed,
      Database database, SecurityEvents securityEvents) {}

  public AuthorityMetrics(Sources s) {
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getName().equals("grpc.server.processing.duration") || id.getName().equals("ta.http.server.requests")) {
          return DistributionStatisticConfig.builder().serviceLevelObjectives(
              java.util.Arrays.stream(GRPC_BUCKETS).mapToDouble(Duration::toNanos).toArray()).build().merge(config);
        }
        return config;
      }
    });
    FunctionCounter.builder("ta.introspections", s.introspector(), Introspector::activeAnswers)
        .description("IntrospectToken (and proxy check) answers").tag("outcome", "active").register(registry);
    for (InactiveReason reason : InactiveReason.values()) {
      FunctionCounter.builder("ta.introspections", s.introspector(), i -> i.inactiveAnswers(reason))
          .description("IntrospectToken (and proxy check) answers")
          .tag("outcome", reason.name().toLowerCase(Locale.ROOT)).register(registry);
    }
    FunctionCounter.builder("ta.token.cache.hits", s.tokenCache(), c -> c.cacheStats().hitCount())
        .description("token record look-ups answered from memory").register(registry);
    FunctionCounter.builder("ta.token.cache.misses", s.tokenCache(), c -> c.cacheStats().missCount())
        .description("token record look-ups that read the database").register(registry);
    Gauge.builder("ta.token.cache.records", s.tokenCache(), CachingTokenStore::cachedRecords)
        .description("token records held in memory").register(registry);
    Gauge.builder("ta.revocation.feed.subscribers", s.feed(), RevocationFeed::subscribers)
        .description("WatchRevocations streams open").register(registry);
    FunctionTimer.builder("ta.revocation.feed.delay", s.feed(), RevocationFeed::sent,
            RevocationFeed::sendDelayMillis, TimeUnit.MILLISECONDS)
        .description("from a revocation taking effect to its sending, per revocation sent to a subscriber"
            + " (catch-up after a reconnect included)").register(registry);
    Gauge.builder("ta.storage.write.queue", s.database(), Database::queuedWrites)
        .description("writes waiting for the single writer").register(registry);
    FunctionTimer.builder("ta.storage.commits", s.database(), Database::transactions,
            Database::transactionSeconds, TimeUnit.SECONDS)
        .description("write transactions (group commits), fsync included").register(registry);
    FunctionCounter.builder("ta.storage.commit.failures", s.database(), Database::failedTransactions)
        .description("write transactions that failed as a whole (full disk, I/O error)").register(registry);
    FunctionCounter.builder("ta.storage.writes", s.database(), Database::committedWrites)
        .description("writes committed; divided by commits, the mean group size").register(registry);
    Gauge.builder("ta.storage.size", s.database(), Database::sizeBytes).baseUnit("bytes")
        .description("database file and write-ahead log").register(registry);
    FunctionCounter.builder("ta.security.events.coalesced", s.securityEvents(), SecurityEvents::coalesced)
        .description("security events folded into a per-minute summary").register(registry);
    FunctionCounter.builder("ta.security.events.dropped", s.securityEvents(), SecurityEvents::droppedEvents)
        .description("security events lost: more than could be kept while the database refused writes")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** Counts and times every gRPC call by service, method and status code. */
  public MetricCollectingServerInterceptor grpcInterceptor() {
    return new MetricCollectingServerInterceptor(registry);
  }

  /** Times an answered HTTP request; {@code route} is one of the listener's own paths, or "other". */
  public void httpRequest(String route, String method, int status, long nanos) {
    io.micrometer.core.instrument.Timer.builder("ta.http.server.requests")
        .description("HTTP requests by route, method and status")
        .tags("route", route, "method", method, "status", Integer.toString(status))
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
