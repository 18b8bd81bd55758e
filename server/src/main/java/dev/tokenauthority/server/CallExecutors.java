package dev.tokenauthority.server;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
import dev.tokenauthority.api.v1.DeviceAuthorizationServiceGrpc;
import dev.tokenauthority.api.v1.SessionServiceGrpc;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.server.api.ListCallLimiter;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The pools gRPC calls run on, which call runs where, and what else ends with them (the
 * transport's event loops).
 *
 * <p>Reads (introspection, get, sidecar checks) need CPU and run on a pool sized for the cores.
 * Writes wait for their group commit, so they get a large pool of their own: many writes can wait
 * together (and share an fsync) without starving reads of threads; so do the audit reads, which
 * first write the security events still queued. Token and connector scans (lists) run on a few
 * threads of their own, so however many run, the read pool stays free for introspection.
 */
public record CallExecutors(ExecutorService reads, ExecutorService writes, ExecutorService scans,
    List<Runnable> alsoOnShutdown) {

  /**
   * Reads that carry a secret in their request. They write nothing on the request path (last-use
   * times are written behind), but the proto declares them {@code IDEMPOTENT}, not
   * {@code NO_SIDE_EFFECTS}: clients may send a safe method as an HTTP GET (grpc-java's Cronet
   * transport does), which would put the secret in a URL.
   */
  static final Set<String> SECRET_READS = Set.of(
      TokenServiceGrpc.getIntrospectTokenMethod().getFullMethodName(),
      ConnectorServiceGrpc.getTestConnectorMethod().getFullMethodName());

  /**
   * The audit reads first write the security events still queued, so they wait for a commit like
   * any write (and are not capped per caller as lists are).
   */
  static final Set<String> FLUSHING_READS = Set.of(
      AuditServiceGrpc.getListAuditEventsMethod().getFullMethodName(),
      AuditServiceGrpc.getGetAuditEventMethod().getFullMethodName());

  /**
   * Every RPC of the API that the proto does not declare {@code NO_SIDE_EFFECTS}
   * ({@code idempotency_level}, which grpc-java turns into {@link MethodDescriptor#isSafe()}),
   * but for the secret-carrying reads, plus the flushing reads. A new writing RPC is routed here
   * without anyone keeping a list.
   */
  static final Set<String> WRITE_METHODS = Stream.concat(Stream.of(TokenServiceGrpc.getServiceDescriptor(),
          ConnectorServiceGrpc.getServiceDescriptor(), AuditServiceGrpc.getServiceDescriptor(),
          SessionServiceGrpc.getServiceDescriptor(), DeviceAuthorizationServiceGrpc.getServiceDescriptor())
      .map(ServiceDescriptor::getMethods)
      .flatMap(java.util.Collection::stream)
      .filter(method -> !method.isSafe())
      .map(MethodDescriptor::getFullMethodName)
      .filter(name -> !SECRET_READS.contains(name)), FLUSHING_READS.stream())
      .collect(Collectors.toUnmodifiableSet());

  public CallExecutors(ExecutorService reads, ExecutorService writes, ExecutorService scans) {
    this(reads, writes, scans, new CopyOnWriteArrayList<>());
  }

  /** Pools sized for this machine's cores, for an authority on its own SQLite file. */
  public static CallExecutors standard() {
    return standard(false);
  }

  /**
   * Pools sized for this machine's cores. {@code readsWaitOnNetwork} when the database is across
   * the network (PostgreSQL): a read that misses the cache then waits for a round trip, not for a
   * core, so reads get four times the threads (a SQLite read is CPU in this process, and more
   * threads than cores only queue).
   */
  public static CallExecutors standard(boolean readsWaitOnNetwork) {
    int cores = Runtime.getRuntime().availableProcessors();
    // Capped: a few hundred misses in flight already fill the look-ups' batches.
    int readers = Math.min(256, Math.max(8, 4 * cores) * (readsWaitOnNetwork ? 4 : 1));
    return new CallExecutors(
        Executors.newFixedThreadPool(readers, daemons("grpc-read-%d")),
        Executors.newFixedThreadPool(Math.max(64, 16 * cores), daemons("grpc-write-%d")),
        Executors.newFixedThreadPool(Math.max(2, cores), daemons("grpc-scan-%d")));
  }

  /** Where a call to {@code fullMethodName} runs; null leaves it on the transport's (reads). */
  Executor executorFor(String fullMethodName) {
    if (WRITE_METHODS.contains(fullMethodName)) {
      return writes;
    }
    if (ListCallLimiter.SCANS.contains(fullMethodName)) {
      return scans;
    }
    return null;
  }

  static java.util.concurrent.ThreadFactory daemons(String nameFormat) {
    return new ThreadFactoryBuilder().setNameFormat(nameFormat).setDaemon(true).build();
  }

  void onShutdown(Runnable task) {
    alsoOnShutdown.add(task);
  }

  public void shutdown() {
    reads.shutdown();
    writes.shutdown();
    scans.shutdown();
    alsoOnShutdown.forEach(Runnable::run);
  }

  void shutdownNow() {
    reads.shutdownNow();
    writes.shutdownNow();
    scans.shutdownNow();
    alsoOnShutdown.forEach(Runnable::run);
  }
}
