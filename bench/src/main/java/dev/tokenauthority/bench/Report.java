package dev.tokenauthority.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.annotations.SerializedName;
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
    List<ScenarioRow> rows = new ArrayList<>();
    scenarios.forEach((name, w) -> rows.add(new ScenarioRow(name, round(w.qps()), round(w.micros(50)),
        round(w.micros(90)), round(w.micros(99)), round(w.micros(99.9)), w.calls(), w.errors())));
    List<RatioRow> ratioRows = ratios.stream()
        .map(x -> new RatioRow(x[0], Double.parseDouble(x[1]), x[2], x[3])).toList();
    Gson gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
        .serializeSpecialFloatingPointValues().create(); // a ratio over an empty baseline is NaN, not a lost report
    Files.writeString(file, gson.toJson(new Json(rows, ratioRows, facts)) + "\n");
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  private record Json(List<ScenarioRow> scenarios, List<RatioRow> ratios, Map<String, String> facts) {}

  private record ScenarioRow(String name, double qps, @SerializedName("p50_us") double p50,
      @SerializedName("p90_us") double p90, @SerializedName("p99_us") double p99,
      @SerializedName("p999_us") double p999, long calls, long errors) {}

  private record RatioRow(String name, double value, String goal, String verdict) {}
}
