package dev.tokenauthority.server.storage;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** Key/value maps as form-encoded text: unambiguous for any key or value, and readable in SQL. */
final class FormEncoding {
  private FormEncoding() {}

  static String encode(Map<String, String> map) {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(map).forEach((k, v) -> {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    return out.toString();
  }

  static Map<String, String> decode(String encoded) {
    Map<String, String> map = new TreeMap<>();
    if (!encoded.isEmpty()) {
      for (String pair : encoded.split("&")) {
        int eq = pair.indexOf('=');
        map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Collections.unmodifiableMap(map);
  }
}
