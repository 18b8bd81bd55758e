package dev.tokenauthority.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Call credentials that send a token secret as {@code authorization: Bearer <secret>}.
 *
 * <p>Attach to a stub with {@code stub.withCallCredentials(BearerToken.of(secret))}. The secret is
 * kept out of {@link #toString()} so that logging a stub or call options cannot leak it.
 */
public final class BearerToken extends CallCredentials {
  /** The metadata key every token authority call authenticates with. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String secret;

  private BearerToken(String secret) {
    this.secret = secret;
  }

  /** Credentials that present {@code secret} on every call. */
  public static BearerToken of(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.isBlank()) {
      throw new IllegalArgumentException("secret is blank");
    }
    return new BearerToken(secret);
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    try {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + secret);
      applier.apply(headers);
    } catch (IllegalArgumentException e) {
      // A secret with characters metadata cannot carry; say so without echoing it.
      applier.fail(Status.UNAUTHENTICATED.withDescription("token secret is not valid ASCII"));
    }
  }

  @Override
  public String toString() {
    return "BearerToken[redacted]";
  }
}
