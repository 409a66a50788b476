package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.contract.PublishedTables;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs {@code bin/kpi} (or any command) as a user does: a new process, its own JVM, output captured
 * in files. Also the fingerprint of the published tables that the end-to-end tests compare.
 */
public final class KpiCli {
  public static final File HOME = new File(System.getProperty("kpi.home", "."));
  private final Path logs;

  public KpiCli(Path logs) {
    this.logs = logs;
  }

  /** A finished process: exit status, stdout, stderr. */
  public record Run(int code, String out, String err) {}

  /** A started process and the files it writes to. */
  public record Started(Process process, Path outFile, Path errFile) {
    public String err() {
      return read(errFile);
    }

    public Run await(int minutes) throws InterruptedException {
      assertTrue(process.waitFor(minutes, TimeUnit.MINUTES), "timed out; stderr:\n" + err());
      return new Run(process.exitValue(), read(outFile), read(errFile));
    }

    /** Waits until stderr contains {@code text} (or the process ends), at most {@code seconds}. */
    public boolean awaitErr(String text, int seconds) throws InterruptedException {
      return awaitIn(errFile, text, seconds);
    }

    /** Waits until stdout contains {@code text} (or the process ends), at most {@code seconds}. */
    public boolean awaitOut(String text, int seconds) throws InterruptedException {
      return awaitIn(outFile, text, seconds);
    }

    private boolean awaitIn(Path file, String text, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        if (read(file).contains(text)) {
          return true;
        }
        if (!process.isAlive()) {
          return read(file).contains(text);
        }
        Thread.sleep(100);
      }
      return false;
    }

    /** SIGKILL: no shutdown hook, no finally block runs. */
    public void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(1, TimeUnit.MINUTES);
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Starts {@code bin/kpi args} in {@code cwd} with {@code env} added to this process's environment. */
  public Started start(Path cwd, Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(new File(HOME, "bin/kpi").getAbsolutePath());
    cmd.addAll(List.of(args));
    return startCommand(cwd, env, cmd);
  }

  /** Starts any command with {@code env} added (the scripts of jobs/, a Spark master, S3Proxy). */
  public Started startCommand(Path cwd, Map<String, String> env, List<String> cmd) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().put("KPI_SKIP_BUILD", "1");
    pb.environment().put("KPI_DRIVER_MEMORY", "2g");
    // Short runs on small fixtures: C1 only and the serial collector (pom.xml, kpi.test.child.jvm.flags).
    pb.environment().put("KPI_JAVA_OPTS", System.getProperty("kpi.test.child.jvm.flags", ""));
    pb.environment().putAll(env);
    long n = System.nanoTime();
    Path out = logs.resolve("out-" + n + ".txt");
    Path err = logs.resolve("err-" + n + ".txt");
    Files.createDirectories(logs);
    return new Started(pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start(), out, err);
  }

  /** Runs {@code bin/kpi args} to the end (at most 10 minutes). */
  public Run run(Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
    return start(cwd, env, args).await(10);
  }

  /**
   * Runs {@code kpi args} in this JVM through the same entry point as {@code bin/kpi}
   * ({@code Main.run}): the same parsing, configuration, Spark settings, output formatting and exit
   * statuses, without the 15-20 s of a new JVM and Spark. {@code env}'s {@code KPI_LANDING} and
   * {@code KPI_WAREHOUSE} are passed as a {@code --conf} file (the same keys, one layer lower; this
   * JVM's own environment has neither). Output on stdout is captured; progress lines are not (the
   * logger writes to this JVM's own streams): a batch command's progress is checked on a {@link #run}
   * or in {@code ops.pipeline_runs}. A test that proves what a new process sees or does keeps at
   * least one {@link #run}.
   */
  public static Run runInProcess(Path dir, Map<String, String> env, String... args) throws IOException {
    StringBuilder conf = new StringBuilder();
    Map<String, String> keys = Map.of("KPI_LANDING", "kpi.landing.path", "KPI_WAREHOUSE", "kpi.warehouse.path");
    keys.forEach((var, key) -> {
      if (env.containsKey(var)) {
        conf.append(key).append(" = \"").append(env.get(var).replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
      }
    });
    Files.createDirectories(dir);
    Path confFile = Files.createTempFile(dir, "in-process-", ".conf");
    Files.writeString(confFile, conf);
    List<String> all = new ArrayList<>(List.of(args));
    if (conf.length() > 0) {
      // Only when there is something to pass: generate, for one, takes no --conf.
      all.addAll(List.of("--conf", confFile.toString()));
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.StringWriter err = new java.io.StringWriter();
    java.io.PrintStream saved = System.out;
    int code;
    synchronized (KpiCli.class) {
      System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
      try {
        code = io.kpilake.cli.Main.run(new java.io.PrintWriter(err, true), all.toArray(String[]::new));
      } finally {
        System.setOut(saved);
      }
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
  }

  /**
   * One row per kpi table: name, row count and an order-independent checksum of every column of
   * every row (sum of 64-bit hashes of the row as JSON); for a table keeping a row set per as-of
   * date, the rows of its latest date. Two warehouses with the same published rows give the same lines.
   */
  public static String checksumQuery() {
    // A table that keeps one row set per as-of date (value at risk) is compared on its latest date:
    // a warehouse that ran two nights holds the earlier night's rows too, a one-night reference not.
    return PublishedTables.ALL.stream().map(t -> "SELECT '" + t.name() + "' AS tbl, count(*) AS n, "
            + "coalesce(sum(CAST(xxhash64(to_json(struct(*))) AS DECIMAL(38,0))), 0) AS checksum FROM kpi." + t.name()
            + (t.keepsHistory() ? " WHERE " + t.historyColumn() + " = (SELECT max(" + t.historyColumn() + ") FROM kpi." + t.name() + ")" : ""))
        .collect(Collectors.joining(" UNION ALL ")) + " ORDER BY tbl";
  }

  /**
   * The lines {@code bin/kpi sql <checksumQuery()> --format csv} prints, read in this JVM: the
   * {@code sql} command's own steps (configuration from {@code env}, the tables the query names
   * registered, CSV printed by the same formatter), without a new process. A new JVM costs 15-30 s;
   * the S3 test reads its checksums in a new process, where that is what it proves.
   */
  public static List<String> checksumsInProcess(Map<String, String> env) {
    io.kpilake.cli.AppContext ctx = io.kpilake.cli.AppContext.of(io.kpilake.config.ConfigLoader.load(null, env));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream out = new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8);
    io.kpilake.publish.ResultFormatter.print(ctx.warehouseFor(checksumQuery()).spark().sql(checksumQuery()),
        io.kpilake.publish.ResultFormatter.Format.csv, 10_000, out);
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).strip().lines().toList();
    assertEquals(PublishedTables.ALL.size() + 1, lines.size(), String.join("\n", lines));
    return lines;
  }
}
