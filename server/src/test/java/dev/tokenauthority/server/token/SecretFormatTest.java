package dev.tokenauthority.server.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenauthority.api.SecretFormat;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretFormatTest {
  private final SecureRandom random = new SecureRandom();

  @ParameterizedTest
  @EnumSource(TokenKind.class)
  void generatedSecret_parsesAsItsKind(TokenKind kind) {
    Secret secret = Secret.generate(kind, random);

    assertThat(secret.reveal())
        .hasSize(SecretFormat.LENGTH)
        .startsWith("tka_" + kind.marker() + "_")
        .matches("tka_[a-z]{3}_[0-9A-Za-z]{49}");
    assertThat(TokenKind.ofSecret(secret.reveal())).contains(kind);
  }

  @Test
  void everyCharacterTypo_isRejectedByTheChecksum() {
    String good = Secret.generate(TokenKind.ORGANIZATION, random).reveal();
    for (int i = SecretFormat.BODY_START; i < good.length(); i++) {
      char replacement = good.charAt(i) == 'a' ? 'b' : 'a';
      String typo = good.substring(0, i) + replacement + good.substring(i + 1);
      assertThat(TokenKind.ofSecret(typo)).as("typo at %d", i).isEmpty();
    }
  }

  @Test
  void theAllocationFreeCheck_agreesWithTheOtherOnGoodSecretsTyposAndLookAlikes() {
    byte[] out = new byte[32];
    for (int n = 0; n < 50; n++) {
      String good = Secret.generate(TokenKind.PERSONAL, random).reveal();
      assertThat(SecretFormat.wellFormedSha256(good, out)).isTrue();
      assertThat(out).isEqualTo(SecretFormat.sha256(good));
      String typo = good.substring(0, 20) + (good.charAt(20) == 'a' ? 'b' : 'a') + good.substring(21);
      assertThat(SecretFormat.wellFormedSha256(typo, out)).isFalse();
      // A character whose low byte is the right one (U+0141 ends in 0x41, 'A'): never accepted.
      char c = good.charAt(30);
      String lookAlike = good.substring(0, 30) + (char) (0x100 | c) + good.substring(31);
      assertThat(SecretFormat.wellFormedSha256(lookAlike, out)).as("U+%04X", 0x100 | c).isFalse();
    }
    assertThat(SecretFormat.wellFormedSha256(null, out)).isFalse();
    assertThat(SecretFormat.wellFormedSha256("tka_org_short", out)).isFalse();
  }

  @Test
  void swappingTheKindMarker_isRejected() {
    String org = Secret.generate(TokenKind.ORGANIZATION, random).reveal();
    assertThat(TokenKind.ofSecret(org.replaceFirst("tka_org_", "tka_pat_"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "tka_", "Bearer x", "tka_xyz_0000000000000000000000000000000000000000000000000",
      "ghp_0000000000000000000000000000000000000000000000000000",
      "tka_org_000000000000000000000000000000000000000000000000!"})
  void junk_isRejectedWithoutThrowing(String junk) {
    assertThat(TokenKind.ofSecret(junk)).isEmpty();
  }

  @Test
  void nullInput_isRejected() {
    assertThat(TokenKind.ofSecret(null)).isEmpty();
  }

  @Test
  void secrets_areUnique() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      assertThat(seen.add(Secret.generate(TokenKind.PERSONAL, random).reveal())).isTrue();
    }
  }

  @Test
  void toString_showsOnlyTheHint() {
    Secret secret = Secret.generate(TokenKind.SYSTEM, random);

    assertThat(secret.hint()).hasSize(SecretFormat.HINT_LENGTH).isEqualTo(secret.reveal().substring(0, 12));
    assertThat(secret.toString()).contains(secret.hint()).doesNotContain(secret.reveal());
  }

  @Test
  void sha256_isThirtyTwoBytesAndStable() {
    Secret secret = Secret.generate(TokenKind.SYSTEM, random);
    assertThat(secret.sha256()).hasSize(32).isEqualTo(Secret.sha256(secret.reveal()));
  }
}
