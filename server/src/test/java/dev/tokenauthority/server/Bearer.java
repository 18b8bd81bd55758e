package dev.tokenauthority.server;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/**
 * Presents a secret as {@code authorization: Bearer …} on every call. The server's tests keep
 * their own two-line credentials rather than the client library's, so that the client's tests can
 * run against this server without a build cycle.
 */
public final class Bearer extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private final String secret;

  private Bearer(String secret) {
    this.secret = secret;
  }

  public static Bearer of(String secret) {
    return new Bearer(secret);
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + secret);
    applier.apply(headers);
  }

  @Override
  public String toString() {
    return "Bearer[redacted]";
  }
}
