package dev.tokenauthority.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/** How the server listens: TLS, mutual TLS, or plaintext (loopback, or when told --insecure). */
final class Transport {
  private Transport() {}

  /**
   * The credentials for the given flags.
   *
   * @throws IllegalArgumentException saying what is wrong with the flags, or why plaintext is
   *     refused on {@code host}
   */
  static ServerCredentials credentials(
      String host, Path cert, Path key, Path clientCa, boolean insecure) {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together; give both or neither");
    }
    if (clientCa != null && cert == null) {
      throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key: mTLS is TLS first");
    }
    if (cert == null) {
      if (!insecure && !isLoopback(host)) {
        throw new IllegalArgumentException("refusing to listen on " + host + " without TLS: bearer"
            + " tokens would cross the network in plaintext. Give --tls-cert and --tls-key, or"
            + " --insecure if something in front of this server terminates TLS.");
      }
      return InsecureServerCredentials.create();
    }
    try {
      TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder()
          .keyManager(cert.toFile(), key.toFile());
      if (clientCa != null) {
        tls.trustManager(clientCa.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return tls.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read the TLS files (" + cert + ", " + key
          + (clientCa == null ? "" : ", " + clientCa) + "): " + e.getMessage());
    }
  }

  /** For the start-up log line. */
  static String describe(Path cert, Path clientCa) {
    return cert == null ? "plaintext" : clientCa == null ? "TLS" : "mutual TLS (client certificates required)";
  }

  static boolean isLoopback(String host) {
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown --host " + host);
    }
  }
}
