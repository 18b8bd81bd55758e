package dev.tokenauthority.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The HTTP listener's TLS, from the same PEM files as gRPC's ({@code --tls-cert}, {@code --tls-key}
 * as PKCS#8, {@code --tls-client-ca} for mutual TLS), as Jetty's key and trust stores.
 *
 * @param clientCa null: no client certificates asked for
 */
public record HttpTls(Path cert, Path key, Path clientCa) {
  private static final char[] IN_MEMORY = "in-memory".toCharArray(); // the stores never touch a disk

  /** Jetty's TLS context for these files. */
  SslContextFactory.Server sslContextFactory() {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      List<Certificate> chain = certificates(cert);
      keys.setKeyEntry("server", privateKey(key), IN_MEMORY, chain.toArray(new Certificate[0]));
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStore(keys);
      ssl.setKeyStorePassword(new String(IN_MEMORY));
      if (clientCa != null) {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        int i = 0;
        for (Certificate ca : certificates(clientCa)) {
          trusted.setCertificateEntry("ca" + i++, ca);
        }
        ssl.setTrustStore(trusted);
        ssl.setNeedClientAuth(true);
      }
      return ssl;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the TLS files for HTTP (" + cert + ", " + key
          + (clientCa == null ? "" : ", " + clientCa) + "): " + e.getMessage(), e);
    }
  }

  private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
  }

  /** A PKCS#8 PEM private key ({@code BEGIN PRIVATE KEY}), RSA or EC. */
  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem);
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException("the key must be PKCS#8 PEM (BEGIN PRIVATE KEY)");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }
}
