package io.kpilake.cli;

import io.kpilake.bench.Bench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmark a tier (S 10k, M 100k, L 1M accounts, 36 months): a full run and an incremental "
    + "night, each a bin/kpi process; writes the figures to bench/RESULTS.md.")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--tier", defaultValue = "S", description = "S, M or L (default ${DEFAULT-VALUE})")
  Bench.Tier tier;

  @Option(names = "--runs", description = "Runs of each measurement; figures are medians (default 3 for S, 1 for M and L)")
  Integer runs;

  @Option(names = "--resume", description = "Keep the runs an earlier, cut-off bench of this tier finished (same data) and run only "
      + "the missing ones; without it every run is measured anew")
  boolean resume;

  @Option(names = "--work", defaultValue = "./bench-work", description = "Where data and warehouses go (default ${DEFAULT-VALUE}); "
      + "generated data is reused while the tier's parameters are unchanged")
  Path work;

  @Option(names = "--results", defaultValue = "bench/RESULTS.md", description = "Results file (default ${DEFAULT-VALUE})")
  Path results;

  @Option(names = "--driver-memory", defaultValue = "6g", description = "Heap of the measured runs (default ${DEFAULT-VALUE})")
  String driverMemory;

  @Override
  public Integer call() throws IOException, InterruptedException {
    int n = runs != null ? runs : tier == Bench.Tier.S ? 3 : 1;
    if (n < 1) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--runs must be at least 1, got " + n);
    }
    Path home = Path.of(System.getProperty("kpi.home", ".")).toAbsolutePath();
    Path file = results.isAbsolute() ? results : home.resolve(results);
    String machine = machine();
    String versions = versions();
    // The tier's section is written after each run and each step a run finishes, marked partial, so a
    // bench that is cut off (M and L run for hours) leaves what it measured.
    Bench.TierResult r = new Bench(home, work.toAbsolutePath(), driverMemory).run(tier, n, resume, partial -> {
      try {
        io.kpilake.bench.Results.write(file, partial, machine, versions);
      } catch (IOException e) {
        // The measurement goes on (its runs are kept); the final write reports a lasting problem.
        System.err.println("bench: could not write the partial results to " + file + ": " + e.getMessage());
      }
    });
    io.kpilake.bench.Results.write(file, r, machine, versions);
    System.out.println("bench " + tier + ": full " + Math.round(r.median(r.full(), x -> x.wallSeconds())) + " s, incremental "
        + Math.round(r.median(r.incremental(), x -> x.wallSeconds())) + " s; DuckDB peer's account_mrr_monthly "
        + (r.comparison().identical() ? "identical to Spark's" : "DIFFERS from Spark's: " + r.comparison()) + "; results in " + file);
    return Main.OK;
  }

  private static String machine() {
    String cpu = "";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.replaceFirst("^model name\\s*:\\s*", "") + ", ").orElse("");
    } catch (IOException e) {
      // not Linux: the core count still says something
    }
    long mem = 0;
    try {
      mem = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(0L);
    } catch (IOException e) {
      // idem
    }
    return String.format(Locale.ROOT, "%s%d cores, %.0f GB RAM, %s %s, Java %s", cpu, Runtime.getRuntime().availableProcessors(),
        mem / 1e9, System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
  }

  private static String versions() {
    return "KPI Lake " + io.kpilake.ops.RunContext.currentAppVersion() + ", Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()
        + ", Delta Lake " + jarVersion("delta-spark_") + ", hadoop " + org.apache.hadoop.util.VersionInfo.getVersion();
  }

  /** The version in the name of the class-path jar starting with {@code prefix}. */
  private static String jarVersion(String prefix) {
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      String name = Path.of(e).getFileName().toString();
      if (name.startsWith(prefix) && name.endsWith(".jar")) {
        return name.replaceFirst("^" + prefix + "[0-9.]+-", "").replaceFirst("\\.jar$", "");
      }
    }
    return "?";
  }
}
