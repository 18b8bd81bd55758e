package dev.tokenauthority.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Where plaintext may go: loopback IP literals, and localhost; never a name that looks like one. */
class ApiTest {
  @Test
  void loopbackLiteralsAndLocalhost_mayGoPlaintext() {
    assertThat(Api.isLoopback(Api.host("127.0.0.1:50051"))).isTrue();
    assertThat(Api.isLoopback(Api.host("127.8.9.10:1"))).isTrue();
    assertThat(Api.isLoopback(Api.host("[::1]:50051"))).isTrue();
    assertThat(Api.isLoopback(Api.host("localhost:50051"))).isTrue();
  }

  @Test
  void namesThatMerelyLookLoopback_andOtherAddresses_needTls() {
    assertThat(Api.isLoopback(Api.host("127.attacker.example:443"))).isFalse();
    assertThat(Api.isLoopback(Api.host("127.0.0.1.nip.io:80"))).isFalse();
    assertThat(Api.isLoopback(Api.host("localhost.example.com:80"))).isFalse();
    assertThat(Api.isLoopback(Api.host("10.0.0.1:50051"))).isFalse();
    assertThat(Api.isLoopback(Api.host("[2001:db8::1]:50051"))).isFalse();
    assertThat(Api.isLoopback(Api.host("tokens.example.com:443"))).isFalse();
  }

  @Test
  void anAddressWithoutPort_isAUsageError() {
    assertThatThrownBy(() -> Api.host("tokens.example.com")).isInstanceOf(CliException.class)
        .hasMessageContaining("HOST:PORT");
    assertThatThrownBy(() -> Api.host("[::1]")).isInstanceOf(CliException.class);
  }
}
