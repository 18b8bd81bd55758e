package dev.tokenauthority.cli;

import dev.tokenauthority.api.v1.AuditServiceGrpc;
import dev.tokenauthority.api.v1.ConnectorServiceGrpc;
import dev.tokenauthority.api.v1.DeviceAuthorizationServiceGrpc;
import dev.tokenauthority.api.v1.SessionServiceGrpc;
import dev.tokenauthority.api.v1.TokenServiceGrpc;
import dev.tokenauthority.cli.auth.SessionKeeper;
import dev.tokenauthority.client.BearerToken;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.AbstractStub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A connection to the authority: the channel, and stubs that carry the caller's credential and a
 * fresh deadline per call. Credentials are looked up only when a call needs them.
 */
public final class Api implements AutoCloseable {
  private final Terminal terminal;
  private final String target;
  private final ManagedChannel channel;
  private final EventLoopGroup loop;
  private final Duration timeout;
  private int calls;

  private Api(Terminal terminal, String target, ManagedChannel channel, EventLoopGroup loop, Duration timeout) {
    this.terminal = terminal;
    this.target = target;
    this.channel = channel;
    this.loop = loop;
    this.timeout = timeout;
  }

  /** Opens a channel as {@code options} say; plaintext only to loopback unless {@code --insecure}. */
  public static Api open(Terminal t, ServerOptions options) {
    String target = options.target(t);
    String host = host(target);
    Path ca = options.tlsCa(t);
    ChannelCredentials credentials;
    try {
      if (ca != null) {
        credentials = TlsChannelCredentials.newBuilder().trustManager(ca.toFile()).build();
      } else if (isLoopback(host) || options.insecure) {
        credentials = InsecureChannelCredentials.create();
      } else {
        credentials = TlsChannelCredentials.create();
      }
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot read the CA certificates in " + ca + ": " + e.getMessage());
    }
    // Its own one-thread event loop, shut down with the channel: a JVM exiting while a thread waits
    // in epoll_wait spends 300 ms waiting for it (VM_Exit), a third of a short command's time.
    EventLoopGroup loop = new NioEventLoopGroup(1);
    ManagedChannel channel = NettyChannelBuilder.forTarget(target, credentials).userAgent("ta/0.1.0")
        .eventLoopGroup(loop).channelType(NioSocketChannel.class).build();
    return new Api(t, target, channel, loop, options.timeout());
  }

  /** Whether any call was made (stubs are made per call). */
  boolean called() {
    return calls > 0;
  }

  /** The server's address as given, which the stored session is bound to. */
  public String target() {
    return target;
  }

  public TokenServiceGrpc.TokenServiceBlockingStub tokens() {
    return authenticated(TokenServiceGrpc.newBlockingStub(channel));
  }

  /** Token calls with the caller's credential if there is one (leak reports need none). */
  public TokenServiceGrpc.TokenServiceBlockingStub tokensOptionallyAuthenticated() {
    Optional<CallCredentials> c = credentialsIfUsable();
    TokenServiceGrpc.TokenServiceBlockingStub stub = deadline(TokenServiceGrpc.newBlockingStub(channel));
    return c.isPresent() ? stub.withCallCredentials(c.get()) : stub;
  }

  public ConnectorServiceGrpc.ConnectorServiceBlockingStub connectors() {
    return authenticated(ConnectorServiceGrpc.newBlockingStub(channel));
  }

  public AuditServiceGrpc.AuditServiceBlockingStub audit() {
    return authenticated(AuditServiceGrpc.newBlockingStub(channel));
  }

  public SessionServiceGrpc.SessionServiceBlockingStub sessions() {
    return authenticated(SessionServiceGrpc.newBlockingStub(channel));
  }

  /** Session calls that present their own credential (a refresh token). */
  public SessionServiceGrpc.SessionServiceBlockingStub sessionsAnonymous() {
    return deadline(SessionServiceGrpc.newBlockingStub(channel));
  }

  public DeviceAuthorizationServiceGrpc.DeviceAuthorizationServiceBlockingStub devices() {
    return authenticated(DeviceAuthorizationServiceGrpc.newBlockingStub(channel));
  }

  /** Device calls that present their own credential (the device code), or none. */
  public DeviceAuthorizationServiceGrpc.DeviceAuthorizationServiceBlockingStub devicesAnonymous() {
    return deadline(DeviceAuthorizationServiceGrpc.newBlockingStub(channel));
  }

  /** Calls with exactly this secret, e.g. the session's own access token to sign it out. */
  public SessionServiceGrpc.SessionServiceBlockingStub sessionsAs(String secret) {
    return deadline(SessionServiceGrpc.newBlockingStub(channel)).withCallCredentials(BearerToken.of(secret));
  }

  /**
   * Stubs are made per call, and so is the credential: a session's access token is looked up (and
   * refreshed when due) for each one, so that a long-running command ({@code audit tail}) outlives
   * the hour an access token lasts.
   */
  private <S extends AbstractStub<S>> S authenticated(S stub) {
    CallCredentials credentials = optionalCredentials().orElseThrow(() -> SessionKeeper.notSignedIn(target));
    return deadline(stub).withCallCredentials(credentials);
  }

  /** TA_TOKEN wins (CI); otherwise the stored session of this server, refreshed when due. */
  private Optional<CallCredentials> optionalCredentials() {
    String fromEnv = terminal.env("TA_TOKEN");
    if (fromEnv != null) {
      return Optional.of(BearerToken.of(fromEnv));
    }
    try {
      return SessionKeeper.accessToken(terminal, this).map(BearerToken::of);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Calls that work without credentials use them when they work, and go anonymous otherwise. */
  private Optional<CallCredentials> credentialsIfUsable() {
    try {
      return optionalCredentials();
    } catch (CliException | StatusRuntimeException | UncheckedIOException unusable) {
      return Optional.empty();
    }
  }

  private <S extends AbstractStub<S>> S deadline(S stub) {
    calls++;
    return stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A failure of the transport itself (nothing answered) said with the address, for people. */
  public RuntimeException explain(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    if (ErrorLine.reason(e) == null && (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED)) {
      String why = e.getStatus().getDescription();
      Throwable cause = e.getCause();
      if (cause != null && cause.getMessage() != null) {
        why = cause.getMessage();
      }
      return new CliException(ExitCode.UNAVAILABLE, (code == Status.Code.UNAVAILABLE
          ? "cannot reach the token authority at " + target : "no answer from " + target + " in " + Durations.format(timeout))
          + (why == null ? "" : " (" + why + ")") + "; check --server / TA_SERVER and --tls-ca");
    }
    return e;
  }

  static String host(String target) {
    String t = target.startsWith("dns:///") ? target.substring(7) : target;
    if (t.startsWith("[")) {
      int end = t.indexOf(']');
      if (end > 0 && t.startsWith(":", end + 1)) {
        return t.substring(1, end);
      }
    } else {
      int colon = t.lastIndexOf(':');
      if (colon > 0 && t.indexOf(':') == colon && colon < t.length() - 1) {
        return t.substring(0, colon);
      }
    }
    throw new CliException(ExitCode.USAGE, "--server must be HOST:PORT (e.g. 127.0.0.1:50051), not '" + target + "'");
  }

  /**
   * Whether plaintext may go to {@code host}: an IP literal of the loopback range, or
   * {@code localhost} when every address it has is loopback. Any other name, even one that starts
   * with "127.", could lead anywhere.
   */
  static boolean isLoopback(String host) {
    try {
      if (IP_LITERAL.matcher(host).matches()) {
        return InetAddress.getByName(host).isLoopbackAddress(); // a literal: parsed, never looked up
      }
      if (host.equalsIgnoreCase("localhost")) {
        InetAddress[] all = InetAddress.getAllByName(host);
        return Arrays.stream(all).allMatch(InetAddress::isLoopbackAddress);
      }
    } catch (UnknownHostException e) {
      return false;
    }
    return false;
  }

  private static final Pattern IP_LITERAL =
      Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  @Override
  public void close() {
    channel.shutdownNow();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
