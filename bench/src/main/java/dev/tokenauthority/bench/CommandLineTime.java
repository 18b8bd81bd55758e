package dev.tokenauthority.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Wall time of {@code ta tokens list} as an operator runs it: the launcher, from process start to
 * exit, against a server holding 1,000 tokens. The baseline is {@code ta --version} through the
 * same launcher in the same rounds (the JVM's start and exit), so the ratio shows what the listing
 * itself costs; runs without the class-data-sharing archive show what the archive saves.
 */
final class CommandLineTime {
  private CommandLineTime() {}

  static void measure(Report report, Path launcher, int port, String adminSecret, int rounds, Path work)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(launcher)) {
      report.fact("ta tokens list", "skipped: " + launcher + " is missing (run from the repository root after mvn package)");
      return;
    }
    Map<String, String> env = Map.of("TA_SERVER", "127.0.0.1:" + port, "TA_TOKEN", adminSecret,
        "XDG_CACHE_HOME", work.resolve("ta-cache").toString(), "XDG_CONFIG_HOME", work.resolve("ta-config").toString());
    List<String> list = List.of(launcher.toString(), "tokens", "list");
    report.fact("ta tokens list, first run (records the class archive)", String.format(Locale.ROOT, "%.2f s", run(list, env, true)));
    List<Double> version = new ArrayList<>();
    List<Double> listed = new ArrayList<>();
    List<Double> noArchive = new ArrayList<>();
    Map<String, String> noCds = new java.util.HashMap<>(env);
    noCds.put("TA_CDS", "0");
    for (int i = 0; i < rounds; i++) {
      version.add(run(List.of(launcher.toString(), "--version"), env, false));
      listed.add(run(list, env, true));
      noArchive.add(run(list, noCds, true));
    }
    double v = median(version);
    double l = median(listed);
    report.fact("ta --version wall time (JVM start and exit), median of " + rounds, seconds(version));
    report.fact("ta tokens list wall time, 1,000 tokens, median of " + rounds, seconds(listed));
    report.fact("ta tokens list wall time without the class archive", seconds(noArchive));
    report.ratio("ta tokens list (1,000 tokens) / ta --version, wall time", l / v, false, 3.0);
    report.ratio("ta tokens list (1,000 tokens) wall time, seconds", l, false, 1.0);
  }

  /** Seconds from start to exit; checks the run listed every token. */
  private static double run(List<String> command, Map<String, String> env, boolean listing)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    double s = (System.nanoTime() - t0) / 1e9;
    long lines = new String(out).lines().count();
    if (exit != 0 || (listing && lines < 1_001)) {
      throw new IllegalStateException(command + " exited " + exit + " after printing " + lines + " lines");
    }
    return s;
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = xs.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static String seconds(List<Double> xs) {
    List<Double> sorted = xs.stream().sorted().toList();
    return String.format(Locale.ROOT, "median %.2f s, min %.2f, max %.2f", median(xs), sorted.get(0), sorted.get(sorted.size() - 1));
  }
}
