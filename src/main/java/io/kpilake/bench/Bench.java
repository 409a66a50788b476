package io.kpilake.bench;

import io.kpilake.config.ConfigLoader;
import io.kpilake.config.KpiConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark of one tier: generated landing data (fixed seed, 36 months), a full nightly run from
 * an empty warehouse as of the day before the last, then an incremental night on a copy of that
 * warehouse: the last day's deliveries plus late corrections to the previous month (0.5% of the
 * accounts). Each run is a {@code bin/kpi} child process measured from outside ({@link ChildRun}).
 */
public final class Bench {
  private static final Logger LOG = LoggerFactory.getLogger("io.kpilake.progress");
  public static final LocalDate START = LocalDate.parse("2024-01-01");
  public static final int MONTHS = 36;
  public static final long SEED = 42;
  public static final int USAGE_DAYS = 120;
  public static final double LATE_SHARE = 0.005;
  /** The feeds the DuckDB peer reads (the revenue core needs no others). */
  public static final List<String> PEER_FEEDS = List.of("crm/accounts", "billing/subscriptions", "billing/invoice_lines",
      "payments/payment_events", "fx/rates");

  /** Tiers of the issue: accounts per tier. */
  public enum Tier {
    S(10_000), M(100_000), L(1_000_000);

    public final int accounts;

    Tier(int accounts) {
      this.accounts = accounts;
    }
  }

  /** What one tier measured: medians over the runs, and the runs themselves. */
  public record TierResult(Tier tier, LocalDate lastDay, int lateCorrections, String generated, List<ChildRun> full,
      List<ChildRun> incremental, List<DuckDbPeer.Timing> peer, DuckDbPeer.Comparison comparison, Partial partial) {
    /** A finished tier. */
    public TierResult(Tier tier, LocalDate lastDay, int lateCorrections, String generated, List<ChildRun> full,
        List<ChildRun> incremental, List<DuckDbPeer.Timing> peer, DuckDbPeer.Comparison comparison) {
      this(tier, lastDay, lateCorrections, generated, full, incremental, peer, comparison, null);
    }

    public double median(List<ChildRun> runs, ToDoubleFunction<ChildRun> f) {
      return Bench.median(runs.stream().mapToDouble(f).toArray());
    }
  }

  /**
   * A tier still being measured (or cut off): how many runs were asked for, and the run under way
   * when this was written, with the steps it had finished (null between runs).
   */
  public record Partial(int runs, String current, ChildRun sofar) {}

  /** What the tier's generated landing data depends on: data with another signature is generated again. */
  static String signature(Tier tier) {
    return tier.accounts + "/" + MONTHS + "/" + SEED + "/" + START + "/" + USAGE_DAYS + "/" + LATE_SHARE;
  }

  /** The median of the values, NaN for none. */
  static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private final Path kpiHome;
  private final Path work;
  private final String driverMemory;

  public Bench(Path kpiHome, Path work, String driverMemory) {
    this.kpiHome = kpiHome;
    this.work = work;
    this.driverMemory = driverMemory;
  }

  /**
   * Measures a tier: {@code runs} full runs and incremental nights, then the DuckDB peer. Each
   * finished run is kept under the tier's {@code runs/} folder, and {@code progress} gets the tier
   * so far (marked partial) after each run and each step a run finishes, so that a bench cut off
   * leaves what it measured. With {@code resume}, the runs kept by an earlier invocation with the
   * same data are taken as they are and only the missing ones run; without it, they are dropped.
   */
  public TierResult run(Tier tier, int runs, boolean resume, Consumer<TierResult> progress) throws IOException, InterruptedException {
    Path dir = work.resolve(tier.name());
    Path landing = dir.resolve("landing");
    Path logs = dir.resolve("logs");
    Path kept = dir.resolve("runs");
    LocalDate last = START.plusMonths(MONTHS).minusDays(1);
    String signature = signature(tier);
    Path marker = dir.resolve("landing.signature");
    Path summary = dir.resolve("landing.summary");
    if (!Files.exists(marker) || !Files.readString(marker).equals(signature)) {
      delete(kept);
      delete(landing);
      LOG.info("bench {}: generating {} accounts x {} months (seed {})", tier, tier.accounts, MONTHS, SEED);
      ChildRun gen = ChildRun.run(kpiHome, logs, Map.of(), "generate", "--accounts", String.valueOf(tier.accounts), "--months",
          String.valueOf(MONTHS), "--seed", String.valueOf(SEED), "--start", START.toString(), "--usage-days",
          String.valueOf(USAGE_DAYS), "--out", landing.toString());
      check(gen, "generate");
      int late = NextNight.writeLateCorrections(landing, last, tier.accounts, LATE_SHARE, SEED);
      String gline = gen.stderr().lines().filter(l -> l.contains("generated ")).findFirst().orElse("").replaceFirst("^\\S+ ", "");
      Files.writeString(summary, late + "\n" + gline);
      Files.writeString(marker, signature);
    }
    warmUp(landing, logs);
    TierResult measured = measure(tier, runs, resume, progress);
    List<DuckDbPeer.Timing> peer = new ArrayList<>();
    DuckDbPeer.Comparison comparison = peerRuns(dir, landing, dir.resolve("wh-full"), logs, last.minusDays(1), runs, peer);
    return new TierResult(tier, last, measured.lateCorrections(), measured.generated(), measured.full(), measured.incremental(),
        peer, comparison);
  }

  /**
   * The full runs and incremental nights of a tier whose landing data is ready (no peer): each
   * finished run is kept in {@code runs/}; with {@code resume}, the kept ones are taken as they are.
   */
  TierResult measure(Tier tier, int runs, boolean resume, Consumer<TierResult> progress) throws IOException, InterruptedException {
    Path dir = work.resolve(tier.name());
    Path landing = dir.resolve("landing");
    Path logs = dir.resolve("logs");
    Path kept = dir.resolve("runs");
    LocalDate last = START.plusMonths(MONTHS).minusDays(1);
    if (!resume) {
      delete(kept);
    }
    List<String> s = Files.readAllLines(dir.resolve("landing.summary"));
    int late = Integer.parseInt(s.get(0).strip());
    String generated = s.size() > 1 ? s.get(1) : "";

    List<ChildRun> full = new ArrayList<>();
    List<ChildRun> incremental = new ArrayList<>();
    java.util.function.BiFunction<String, ChildRun, TierResult> sofar = (current, run) -> new TierResult(tier, last, late, generated,
        List.copyOf(full), List.copyOf(incremental), List.of(), null, new Partial(runs, current, run));
    Path whFull = dir.resolve("wh-full");
    // Which run's warehouse wh-full holds (absent while one is being written): an incremental night to redo needs its own.
    Path whFullOf = dir.resolve("wh-full.run");
    for (int i = 1; i <= runs; i++) {
      Path keptFull = kept.resolve("full-" + i + ".run");
      Path keptInc = kept.resolve("incremental-" + i + ".run");
      String ofRun = String.valueOf(i);
      boolean needWarehouse = !Files.exists(keptInc) || (i == runs && !Files.exists(whFullOf));
      ChildRun f;
      if (Files.exists(keptFull) && (!needWarehouse || Files.exists(whFullOf) && Files.readString(whFullOf).equals(ofRun))) {
        f = ChildRun.load(keptFull);
        LOG.info("bench {} run {}/{}: full run kept from an earlier invocation ({} s)", tier, i, runs, Math.round(f.wallSeconds()));
      } else {
        Files.deleteIfExists(whFullOf);
        delete(whFull);
        String what = "full run " + i + "/" + runs;
        LOG.info("bench {} run {}/{}: full nightly as of {} from an empty warehouse", tier, i, runs, last.minusDays(1));
        f = ChildRun.run(kpiHome, logs, env(landing, whFull), r -> progress.accept(sofar.apply(what, r)),
            "nightly", "--as-of", last.minusDays(1).toString());
        check(f, "full nightly");
        f.save(keptFull);
        Files.writeString(whFullOf, ofRun);
      }
      full.add(f);
      progress.accept(sofar.apply(null, null));
      ChildRun n;
      if (Files.exists(keptInc)) {
        n = ChildRun.load(keptInc);
        LOG.info("bench {} run {}/{}: incremental night kept from an earlier invocation ({} s)", tier, i, runs,
            Math.round(n.wallSeconds()));
      } else {
        LOG.info("bench {} run {}/{}: full {} s; incremental night as of {} ({} late corrections)", tier, i, runs,
            Math.round(f.wallSeconds()), last, late);
        Path whInc = dir.resolve("wh-incremental");
        delete(whInc);
        copy(whFull, whInc);
        String what = "incremental night " + i + "/" + runs;
        n = ChildRun.run(kpiHome, logs, env(landing, whInc), r -> progress.accept(sofar.apply(what, r)),
            "nightly", "--as-of", last.toString());
        check(n, "incremental nightly");
        n.save(keptInc);
      }
      incremental.add(n);
      progress.accept(sofar.apply(null, null));
      LOG.info("bench {} run {}/{}: incremental {} s", tier, i, runs, Math.round(n.wallSeconds()));
    }
    return new TierResult(tier, last, late, generated, full, incremental, List.of(), null);
  }

  /**
   * The DuckDB peer on the full run's data and as-of date: {@code runs} timed runs, each in a new
   * in-memory database with the measured runs' thread count, then its account_mrr_monthly compared
   * with the full run's (exported to Parquet by a {@code bin/kpi sql} process).
   */
  private DuckDbPeer.Comparison peerRuns(Path dir, Path landing, Path whFull, Path logs, LocalDate asOf, int runs,
      List<DuckDbPeer.Timing> timings) throws IOException, InterruptedException {
    KpiConfig cfg = ConfigLoader.load(null, env(landing, whFull));
    Path export = dir.resolve("spark-account-mrr-monthly");
    delete(export);
    ChildRun x = ChildRun.run(kpiHome, logs, env(landing, whFull), "sql",
        "INSERT OVERWRITE DIRECTORY '" + export + "' USING parquet SELECT " + DuckDbPeer.COLUMNS + " FROM kpi.account_mrr_monthly");
    check(x, "export of kpi.account_mrr_monthly");
    Path spill = dir.resolve("duckdb-spill");
    Files.createDirectories(spill);
    try {
      DuckDbPeer.Comparison comparison = null;
      for (int i = 1; i <= runs; i++) {
        DuckDbPeer db = DuckDbPeer.open(Runtime.getRuntime().availableProcessors(), duckDbMemory(driverMemory), spill);
        try {
          DuckDbPeer.Timing t = db.run(landing, asOf, cfg.reportingCurrency(), cfg.metrics().involuntaryWindowDays());
          timings.add(t);
          LOG.info("bench: DuckDB peer run {}/{}: {} s ({} s reading the feeds, {} s computing), {} rows", i, runs,
              Math.round(t.totalSeconds()), Math.round(t.loadSeconds()), Math.round(t.computeSeconds()), t.rows());
          if (i == runs) {
            comparison = db.compare(export);
          }
        } finally {
          db.close();
        }
      }
      LOG.info("bench: account_mrr_monthly, DuckDB peer vs Spark: {}", comparison);
      return comparison;
    } catch (java.sql.SQLException e) {
      throw new IOException("bench: DuckDB peer failed: " + e.getMessage(), e);
    } finally {
      delete(spill);
    }
  }

  /** The Spark runs' heap as a DuckDB memory limit ("8g" -> "8GB"): both engines get the same memory. */
  static String duckDbMemory(String jvmSize) {
    return jvmSize.strip().toUpperCase(java.util.Locale.ROOT).replaceFirst("^(\\d+)([KMGT])$", "$1$2B");
  }

  /**
   * Runs, untimed, a first-month nightly on a scratch warehouse when {@code bin/kpi} has no
   * class-data archive for the current build ({@code target/cds}, docs/design.md): the process that
   * writes the archive spends some 20 s more, which must not fall into a measured run. Every measured
   * run then starts the way a user's does after their first. Nothing to do with {@code KPI_CDS=0}.
   */
  private void warmUp(Path landing, Path logs) throws IOException, InterruptedException {
    if ("0".equals(System.getenv("KPI_CDS")) || hasClassDataArchive(kpiHome)) {
      return;
    }
    Path scratch = work.resolve("warm-up-warehouse");
    delete(scratch);
    LOG.info("bench: untimed warm-up nightly, which writes bin/kpi's class-data archive for this build");
    try {
      check(ChildRun.run(kpiHome, logs, env(landing, scratch), "nightly", "--as-of", START.plusMonths(1).minusDays(1).toString()),
          "warm-up nightly");
    } finally {
      delete(scratch);
    }
  }

  /** What {@code bin/kpi} keeps of an archive at least (smaller: a run that stopped before Spark started). */
  static final long MIN_ARCHIVE_BYTES = 64L << 20;

  /**
   * Whether {@code target/cds} holds an archive newer than the project's jar that {@code bin/kpi}
   * keeps: kpi-KEY.jsa, or kpi-KEY.PID.jsa, which the next launch promotes, of at least
   * {@link #MIN_ARCHIVE_BYTES} (the launcher deletes smaller ones).
   */
  static boolean hasClassDataArchive(Path kpiHome) throws IOException {
    Path target = kpiHome.resolve("target");
    Path cds = target.resolve("cds");
    if (!Files.isDirectory(cds)) {
      return false;
    }
    java.nio.file.attribute.FileTime jar = java.nio.file.attribute.FileTime.fromMillis(0);
    try (Stream<Path> jars = Files.list(target)) {
      for (Path j : jars.filter(p -> p.getFileName().toString().matches("kpi-lake-.*(?<!-(job|sources|javadoc|tests))\\.jar")).toList()) {
        jar = Files.getLastModifiedTime(j).compareTo(jar) > 0 ? Files.getLastModifiedTime(j) : jar;
      }
    }
    java.nio.file.attribute.FileTime built = jar;
    try (Stream<Path> archives = Files.list(cds)) {
      return archives.anyMatch(a -> a.getFileName().toString().matches("kpi-\\d+(\\.\\d+)?\\.jsa") && uncheckedTime(a).compareTo(built) > 0
          && a.toFile().length() >= MIN_ARCHIVE_BYTES);
    }
  }

  private static java.nio.file.attribute.FileTime uncheckedTime(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return java.nio.file.attribute.FileTime.fromMillis(0);
    }
  }

  private Map<String, String> env(Path landing, Path warehouse) {
    return Map.of("KPI_LANDING", landing.toString(), "KPI_WAREHOUSE", warehouse.toString(), "KPI_DRIVER_MEMORY", driverMemory);
  }

  private static void check(ChildRun r, String what) {
    if (r.exitCode() != 0) {
      List<String> lines = r.stderr().lines().toList();
      throw new IllegalStateException("bench: " + what + " exited " + r.exitCode() + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }
  }

  static void delete(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path x : s.toList()) {
        Path target = to.resolve(from.relativize(x).toString());
        if (Files.isDirectory(x)) {
          Files.createDirectories(target);
        } else {
          Files.copy(x, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
