package dev.tokenauthority.server;

import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The listening socket, accepting at most {@code perAddress} open connections from one remote
 * address: one past it is closed as soon as it is accepted, before it costs more than the file
 * descriptor for a moment. gRPC has no such limit of its own, and without one a single host that
 * opens thousands of connections and never speaks takes the server to its open-file limit.
 */
final class CappedServerChannel extends NioServerSocketChannel {
  private final int perAddress;
  private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();

  CappedServerChannel(int perAddress) {
    this.perAddress = perAddress;
  }

  @Override
  protected int doReadMessages(List<Object> accepted) throws Exception {
    int start = accepted.size();
    int read = super.doReadMessages(accepted);
    for (int i = accepted.size() - 1; i >= start; i--) {
      NioSocketChannel child = (NioSocketChannel) accepted.get(i);
      InetSocketAddress remote = child.remoteAddress();
      InetAddress address = remote == null ? null : remote.getAddress();
      if (address == null) {
        continue;
      }
      if (open.merge(address, 1, Integer::sum) > perAddress) {
        release(address);
        child.unsafe().closeForcibly();
        accepted.remove(i);
        read--;
      } else {
        child.closeFuture().addListener(f -> release(address));
      }
    }
    return read;
  }

  private void release(InetAddress address) {
    open.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
  }
}
