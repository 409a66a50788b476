package io.kpilake.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code bin/kpi} command run as a child process, measured from outside: wall time, peak RSS
 * (VmHWM of the JVM, which {@code bin/kpi} execs, polled from /proc), and what the run logged:
 * its steps with their durations and its Spark job count.
 */
public record ChildRun(int exitCode, double wallSeconds, long peakRssBytes, Map<String, Double> steps, Map<String, Long> stepJobs,
    long sparkJobs, double secondsToFirstJob, String stderr, double loadBefore) {

  private static final Pattern STEP = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d (.+?)\\s+(succeeded|skipped|failed)\\s+([\\d.]+) s(?:\\s+(\\d+) jobs)?");
  private static final Pattern JOBS = Pattern.compile("\\((\\d+) Spark jobs in this process; the first ([\\d.]+|NaN) s after JVM start\\)");

  public static ChildRun run(Path kpiHome, Path logs, Map<String, String> env, String... args) throws IOException, InterruptedException {
    return run(kpiHome, logs, env, r -> { }, args);
  }

  /**
   * Runs {@code bin/kpi args}; while it runs, {@code progress} gets the run so far (exit code -1,
   * the steps it has finished) each time a step finishes, so that a bench that is cut off can still
   * say what its last run did.
   */
  public static ChildRun run(Path kpiHome, Path logs, Map<String, String> env, java.util.function.Consumer<ChildRun> progress,
      String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(kpiHome.resolve("bin/kpi").toString());
    cmd.addAll(List.of(args));
    Files.createDirectories(logs);
    Path out = logs.resolve(args[0] + "-" + System.nanoTime() + ".out");
    Path err = Path.of(out.toString().replace(".out", ".err"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    double load = loadAverage();
    pb.environment().put("KPI_SKIP_BUILD", "1");
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p = pb.start();
    long peak = 0;
    File status = new File("/proc/" + p.pid() + "/status");
    long logged = 0;
    int stepsSeen = 0;
    for (int tick = 0; p.isAlive(); tick++) {
      peak = Math.max(peak, peakRss(status));
      long size = out.toFile().length() + err.toFile().length();
      if (tick % 5 == 0 && size != logged) {
        logged = size;
        ChildRun sofar = parse(-1, (System.nanoTime() - start) / 1e9, peak, log(out, err)).withLoadBefore(load);
        if (sofar.steps().size() > stepsSeen) {
          stepsSeen = sofar.steps().size();
          progress.accept(sofar);
        }
      }
      Thread.sleep(200);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    return parse(p.exitValue(), wall, peak, log(out, err)).withLoadBefore(load);
  }

  /** A run's log: nightly logs its progress to stdout, generate to stderr (bin/kpi): both. */
  private static String log(Path out, Path err) throws IOException {
    return Files.readString(out, StandardCharsets.UTF_8) + "\n" + Files.readString(err, StandardCharsets.UTF_8);
  }

  /**
   * Keeps a finished run on disk ({@code bench --resume} reads it back with {@link #load}): its
   * outside measures on the first lines, then its log, from which the steps and jobs are read again.
   */
  public void save(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = Path.of(file + ".tmp");
    Files.writeString(tmp, "exit=" + exitCode + "\nwall=" + wallSeconds + "\npeak=" + peakRssBytes + "\nload=" + loadBefore
        + "\n---\n" + stderr, StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** A run kept by {@link #save}. */
  public static ChildRun load(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int sep = text.indexOf("\n---\n");
    if (sep < 0) {
      throw new IOException("not a saved bench run: " + file);
    }
    Map<String, String> head = new LinkedHashMap<>();
    for (String line : text.substring(0, sep).split("\n")) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new IOException("not a saved bench run: " + file + ": header line without '=': " + line);
      }
      head.put(line.substring(0, eq), line.substring(eq + 1));
    }
    for (String key : List.of("exit", "wall", "peak", "load")) {
      if (!head.containsKey(key)) {
        throw new IOException("not a saved bench run: " + file + ": no " + key + "= line");
      }
    }
    return parse(Integer.parseInt(head.get("exit")), Double.parseDouble(head.get("wall")), Long.parseLong(head.get("peak")),
        text.substring(sep + 5)).withLoadBefore(Double.parseDouble(head.get("load")));
  }

  /** This run with the machine's load average before it started. */
  ChildRun withLoadBefore(double load) {
    return new ChildRun(exitCode, wallSeconds, peakRssBytes, steps, stepJobs, sparkJobs, secondsToFirstJob, stderr, load);
  }

  /**
   * The machine's 1-minute load average (/proc/loadavg) just before a run starts, NaN where there
   * is none: a figure measured on a busy machine says so in the results.
   */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Reads the steps (name, seconds, Spark jobs) and the run's job count from a run's output (stdout and stderr). */
  static ChildRun parse(int exitCode, double wall, long peak, String stderr) {
    Map<String, Double> steps = new LinkedHashMap<>();
    Map<String, Long> stepJobs = new LinkedHashMap<>();
    long jobs = -1;
    double first = Double.NaN;
    for (String line : stderr.lines().toList()) {
      Matcher m = STEP.matcher(line);
      if (m.find()) {
        steps.merge(m.group(1).strip(), Double.parseDouble(m.group(3)), Double::sum);
        if (m.group(4) != null) {
          stepJobs.merge(m.group(1).strip(), Long.parseLong(m.group(4)), Long::sum);
        }
      }
      Matcher j = JOBS.matcher(line);
      if (j.find()) {
        jobs = Long.parseLong(j.group(1));
        first = Double.parseDouble(j.group(2));
      }
    }
    return new ChildRun(exitCode, wall, peak, steps, stepJobs, jobs, first, stderr, Double.NaN);
  }

  /** VmHWM (peak resident set) in bytes, 0 when the process is gone or /proc is not there. */
  private static long peakRss(File status) {
    try {
      for (String line : Files.readAllLines(status.toPath())) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process ended between the check and the read
    }
    return 0;
  }

  /** Sum of the ingest steps' durations. */
  public double ingestSeconds() {
    return steps.entrySet().stream().filter(e -> e.getKey().startsWith("ingest ")).mapToDouble(Map.Entry::getValue).sum();
  }

  /** Sum of the named steps' durations (NaN when one is missing). */
  public double stepsSeconds(List<String> names) {
    return names.stream().mapToDouble(this::step).sum();
  }

  public double step(String name) {
    return steps.getOrDefault(name, Double.NaN);
  }

  /** Spark jobs of the ingest steps together. */
  public double ingestJobs() {
    return stepJobs.entrySet().stream().filter(e -> e.getKey().startsWith("ingest ")).mapToLong(Map.Entry::getValue).sum();
  }

  public double jobs(String name) {
    Long n = stepJobs.get(name);
    return n == null ? Double.NaN : n;
  }
}
