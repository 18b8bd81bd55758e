package dev.tokenauthority.server.device;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * User codes as RFC 8628 (section 6.1) suggests: 8 characters from 20 consonants without
 * look-alikes (no vowels, so no words), about 34.5 bits, shown as {@code WDJB-MJHT}; typed in
 * either case, with or without the dash.
 */
public final class UserCodes {
  static final String ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
  static final int LENGTH = 8;

  private UserCodes() {}

  /** A fresh code, stored and compared without its dash. */
  static String generate(SecureRandom random) {
    StringBuilder code = new StringBuilder(LENGTH);
    for (int i = 0; i < LENGTH; i++) {
      code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return code.toString();
  }

  /** As shown to people: {@code WDJB-MJHT}. */
  public static String display(String code) {
    return code.substring(0, 4) + "-" + code.substring(4);
  }

  /** The code {@code typed} means, if it can be one. */
  static Optional<String> parse(String typed) {
    String code = typed.replace("-", "").replace(" ", "").toUpperCase(Locale.ROOT);
    if (code.length() != LENGTH || !code.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
      return Optional.empty();
    }
    return Optional.of(code);
  }
}
