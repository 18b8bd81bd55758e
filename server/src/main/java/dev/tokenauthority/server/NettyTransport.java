package dev.tokenauthority.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** The Netty transport: its event loops, connection limits, and which pool runs each call. */
public final class NettyTransport {
  private NettyTransport() {}

  /**
   * How long a connection may take to say HTTP/2 (preface and first SETTINGS), how long one may
   * sit without a call before it is closed, and how many one remote address may hold open.
   */
  public record ConnectionLimits(Duration handshakeTimeout, Duration idleTimeout, int perAddress) {
    public static final ConnectionLimits DEFAULTS =
        new ConnectionLimits(Duration.ofSeconds(5), Duration.ofMinutes(5), 512);
  }

  /** Plaintext on {@code host:port} with the default limits (tests and benchmarks on loopback). */
  public static NettyServerBuilder builder(String host, int port, CallExecutors executors) {
    return builder(host, port, executors, InsecureServerCredentials.create(), ConnectionLimits.DEFAULTS);
  }

  /**
   * The transport on {@code host:port}, with reads, writes and scans on their own executors, and
   * the connection limits applied. Its event loops are its own (the listening socket is
   * {@link CappedServerChannel}) and end with the executors.
   */
  public static NettyServerBuilder builder(String host, int port, CallExecutors executors,
      ServerCredentials credentials, ConnectionLimits limits) {
    NioEventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("grpc-accept", true));
    NioEventLoopGroup workers = new NioEventLoopGroup(0, new DefaultThreadFactory("grpc-io", true));
    executors.onShutdown(() -> {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    });
    return NettyServerBuilder.forAddress(new InetSocketAddress(host, port), credentials)
        .channelFactory(() -> new CappedServerChannel(limits.perAddress()))
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .handshakeTimeout(limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .maxConnectionIdle(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .executor(executors.reads())
        .callExecutor(new ServerCallExecutorSupplier() {
          @Override
          public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
            return executors.executorFor(call.getMethodDescriptor().getFullMethodName());
          }
        });
  }
}
