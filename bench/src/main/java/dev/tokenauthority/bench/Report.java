package dev.tokenauthority.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a run measured: scenarios, ratios against their baselines with the goal, and facts. */
final class Report {
  private final Map<String, Window> scenarios = new LinkedHashMap<>();
  private final List<String[]> ratios = new ArrayList<>(); // name, value, goal, verdict
  private final Map<String, String> facts = new LinkedHashMap<>();

  void scenario(String name, Window w) {
    scenarios.put(name, w);
    System.out.printf(Locale.ROOT, "%-24s %10.0f qps  p50 %8.1f  p90 %8.1f  p99 %8.1f  p99.9 %8.1f us  calls %9d  errors %d%n",
        name, w.qps(), w.micros(50), w.micros(90), w.micros(99), w.micros(99.9), w.calls(), w.errors());
  }

  Window get(String name) {
    return scenarios.get(name);
  }

  /** A measured ratio and its goal ("at least" when {@code atLeast}, else "at most"). */
  void ratio(String name, double value, boolean atLeast, double goal) {
    boolean met = atLeast ? value >= goal : value <= goal;
    String goalText = (atLeast ? ">= " : "<= ") + goal;
    ratios.add(new String[] {name, String.format(Locale.ROOT, "%.3f", value), goalText, met ? "met" : "MISSED"});
    System.out.printf(Locale.ROOT, "  ratio %-52s %7.3f  (goal %s: %s)%n", name, value, goalText, met ? "met" : "MISSED");
  }

  void fact(String name, String value) {
    facts.put(name, value);
    System.out.printf(Locale.ROOT, "  %-58s %s%n", name, value);
  }

  void writeJson(Path file) throws IOException {
    StringBuilder j = new StringBuilder("{\n  \"scenarios\": [\n");
    int i = 0;
    for (var e : scenarios.entrySet()) {
      Window w = e.getValue();
      j.append(String.format(Locale.ROOT,
          "    {\"name\": \"%s\", \"qps\": %.1f, \"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f, \"calls\": %d, \"errors\": %d}%s%n",
          e.getKey(), w.qps(), w.micros(50), w.micros(90), w.micros(99), w.micros(99.9), w.calls(), w.errors(),
          ++i < scenarios.size() ? "," : ""));
    }
    j.append("  ],\n  \"ratios\": [\n");
    for (int r = 0; r < ratios.size(); r++) {
      String[] x = ratios.get(r);
      j.append(String.format(Locale.ROOT, "    {\"name\": \"%s\", \"value\": %s, \"goal\": \"%s\", \"verdict\": \"%s\"}%s%n",
          x[0], x[1], x[2], x[3], r + 1 < ratios.size() ? "," : ""));
    }
    j.append("  ],\n  \"facts\": {\n");
    int f = 0;
    for (var e : facts.entrySet()) {
      j.append(String.format(Locale.ROOT, "    \"%s\": \"%s\"%s%n", e.getKey(), e.getValue().replace("\"", "'"),
          ++f < facts.size() ? "," : ""));
    }
    j.append("  }\n}\n");
    Files.writeString(file, j);
  }
}
