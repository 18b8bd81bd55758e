package dev.tokenauthority.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import dev.tokenauthority.server.InProcessAuthorityTest;
import io.grpc.testing.TlsTesting;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP listener with the gRPC side's TLS files (grpc-testing's certificates): TLS only, mutual
 * TLS when a client CA is given, and a proxy authenticated by its certificate alone.
 */
class HttpTlsTest extends InProcessAuthorityTest {
  @TempDir Path certs;
  private HttpDoor door;

  private Path cert(String name) throws IOException {
    Path file = certs.resolve(name);
    try (InputStream in = TlsTesting.loadCert(name)) {
      Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

  @BeforeEach
  void startDoor() throws Exception {
    String proxySubject;
    try (InputStream in = Files.newInputStream(cert("client.pem"))) {
      proxySubject = ((java.security.cert.X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(in)).getSubjectX500Principal().getName();
    }
    door = HttpDoor.start(new HttpDoor.Settings("127.0.0.1", 0,
        new HttpTls(cert("server1.pem"), cert("server1.key"), cert("ca.pem")), java.util.Set.of(proxySubject),
        java.time.Duration.ofSeconds(30), 64), ta.authority());
  }

  @AfterEach
  void stopDoor() {
    door.close();
  }

  /** A client trusting grpc-testing's CA, presenting its client certificate if {@code withCert}. */
  private SSLContext client(boolean withCert) throws Exception {
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert("ca.pem"))) {
      trust.setCertificateEntry("ca", x509.generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (withCert) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      List<Certificate> chain;
      try (InputStream in = Files.newInputStream(cert("client.pem"))) {
        chain = List.copyOf(x509.generateCertificates(in));
      }
      keys.setKeyEntry("client", HttpTlsTestKeys.pkcs8(cert("client.key")), "x".toCharArray(),
          chain.toArray(new Certificate[0]));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, "x".toCharArray());
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** GET over https; the test certificate names other hosts, so the host name is not checked. */
  private int get(SSLContext ctx, String path, Map<String, String> headers) throws Exception {
    HttpsURLConnection c = (HttpsURLConnection) new URL("https://127.0.0.1:" + door.port() + path).openConnection();
    c.setSSLSocketFactory(ctx.getSocketFactory());
    c.setHostnameVerifier((host, session) -> true);
    headers.forEach(c::setRequestProperty);
    try {
      return c.getResponseCode();
    } finally {
      c.disconnect();
    }
  }

  @Test
  void aCertificateNotNamedAsAProxy_isNoProxyCredential() throws Exception {
    door.close();
    door = HttpDoor.start("127.0.0.1", 0, ta.authority(),
        new HttpTls(cert("server1.pem"), cert("server1.key"), cert("ca.pem")));
    Token alice = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice", List.of(), "lenses:read");
    assertThat(get(client(true), "/v1/check?scopes=lenses:read", Map.of("Authorization", "Bearer " + alice.getSecret())))
        .as("the client CA vouches for gRPC clients too: a certificate alone is not a proxy").isEqualTo(500);
  }

  @Test
  void servesTlsOnly_andWithTheClientsCertificateAProxyNeedsNoToken() throws Exception {
    assertThat(get(client(true), "/healthz", Map.of())).isEqualTo(200);
    assertThat(door.connectors()).as("the TLS connector alone, no plaintext one beside it").isEqualTo(1);

    HttpURLConnection plain = (HttpURLConnection) new URL("http://127.0.0.1:" + door.port() + "/healthz").openConnection();
    int plainAnswer;
    try {
      plainAnswer = plain.getResponseCode();
    } catch (IOException refused) {
      plainAnswer = -1;
    }
    assertThat(plainAnswer).as("no plaintext answer on the TLS port").isNotEqualTo(200);

    assertThatThrownBy(() -> get(client(false), "/healthz", Map.of()))
        .as("mutual TLS: no client certificate, no handshake").isInstanceOf(IOException.class);

    Token alice = ta.token(TokenKind.TOKEN_KIND_PERSONAL, "acme", "alice", List.of(), "lenses:read");
    assertThat(get(client(true), "/v1/check?scopes=lenses:read", Map.of("Authorization", "Bearer " + alice.getSecret())))
        .as("the verified certificate is the proxy's credential; scopes from the URL").isEqualTo(200);
    assertThat(get(client(true), "/v1/check?scopes=lenses:write", Map.of("Authorization", "Bearer " + alice.getSecret())))
        .isEqualTo(403);
  }
}
