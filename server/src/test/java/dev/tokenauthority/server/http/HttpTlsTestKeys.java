package dev.tokenauthority.server.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** Reads grpc-testing's PKCS#8 PEM test keys for the client side of the TLS tests. */
final class HttpTlsTestKeys {
  private HttpTlsTestKeys() {}

  static PrivateKey pkcs8(Path pem) throws Exception {
    String text = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "");
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(text)));
  }
}
