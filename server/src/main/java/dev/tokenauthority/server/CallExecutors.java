package dev.tokenauthority.server;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
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
 * together (and share an fsync) without starving reads of threads. Scans (lists) and the audit
 * reads, which first write the security events still queued, run on a few threads of their own,
 * so however many run, the read pool stays free for introspection.
 */
public record CallExecutors(ExecutorService reads, ExecutorService writes, ExecutorService scans,
    List<Runnable> alsoOnShutdown) {

  /**
   * Every RPC of the API that the proto does not declare {@code NO_SIDE_EFFECTS}
   * ({@code idempotency_level}, which grpc-java turns into {@link MethodDescriptor#isSafe()}).
   * A new writing RPC is routed here without anyone keeping a list.
   */
  static final Set<String> WRITE_METHODS = Stream.of(TokenServiceGrpc.getServiceDescriptor(),
          ConnectorServiceGrpc.getServiceDescriptor(), AuditServiceGrpc.getServiceDescriptor())
      .map(ServiceDescriptor::getMethods)
      .flatMap(java.util.Collection::stream)
      .filter(method -> !method.isSafe())
      .map(MethodDescriptor::getFullMethodName)
      .collect(Collectors.toUnmodifiableSet());

  public CallExecutors(ExecutorService reads, ExecutorService writes, ExecutorService scans) {
    this(reads, writes, scans, new CopyOnWriteArrayList<>());
  }

  /** Pools sized for this machine's cores. */
  public static CallExecutors standard() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new CallExecutors(
        Executors.newFixedThreadPool(Math.max(8, 4 * cores), daemons("grpc-read-%d")),
        Executors.newFixedThreadPool(Math.max(64, 16 * cores), daemons("grpc-write-%d")),
        Executors.newFixedThreadPool(Math.max(2, cores), daemons("grpc-scan-%d")));
  }

  /** Where a call to {@code fullMethodName} runs; null leaves it on the transport's (reads). */
  Executor executorFor(String fullMethodName) {
    if (WRITE_METHODS.contains(fullMethodName)) {
      return writes;
    }
    if (ListCallLimiter.SCANS.contains(fullMethodName)
        || fullMethodName.startsWith(AuditServiceGrpc.SERVICE_NAME + "/")) {
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
