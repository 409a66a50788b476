package io.kpilake.bench;

import io.kpilake.bench.Bench.TierResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/RESULTS.md}: a header (machine, versions, how to reproduce) written anew, and one
 * section per tier, replaced when that tier is measured again and kept otherwise.
 */
public final class Results {
  private static final Pattern SECTION = Pattern.compile("<!-- tier (\\w) begin -->.*?<!-- tier \\1 end -->\n", Pattern.DOTALL);
  private static final List<String> STEPS = List.of("revenue kpis", "account kpis", "kpi quality gates", "publish", "report");

  private Results() {}

  public static void write(Path file, TierResult r, String machine, String versions) throws IOException {
    Map<String, String> sections = new TreeMap<>(java.util.Comparator.comparing(t -> Bench.Tier.valueOf(t).ordinal()));
    if (Files.exists(file)) {
      Matcher m = SECTION.matcher(Files.readString(file));
      while (m.find()) {
        sections.put(m.group(1), m.group());
      }
    }
    sections.put(r.tier().name(), section(r, machine));
    StringBuilder b = new StringBuilder();
    b.append("# Benchmark results\n\n")
        .append("Written by `bin/kpi bench --tier <S|M|L> [--runs N] [--resume]`; each tier's section is replaced when that tier is run ")
        .append("again. Per tier: generated landing data (`bin/kpi generate`, seed ").append(Bench.SEED).append(", ").append(Bench.MONTHS)
        .append(" months from ").append(Bench.START).append(", usage feed limited to the last ").append(Bench.USAGE_DAYS)
        .append(" days so that it does not swamp the other feeds); a **full run**: `bin/kpi nightly` from an empty warehouse as of ")
        .append("the day before the last; an **incremental night**: on a copy of that warehouse, `bin/kpi nightly` as of the last day, ")
        .append("which ingests that day's deliveries plus late corrections to the previous month's invoice lines for ")
        .append(String.format(Locale.ROOT, "%.1f%%", 100 * Bench.LATE_SHARE)).append(" of the accounts. Every run is a new process ")
        .append("(`bin/kpi`, JVM start included, with the class-data archive `bin/kpi` keeps for the build, written by an untimed ")
        .append("warm-up run when missing), measured from outside: wall time, peak RSS (VmHWM), and what the run logs: ")
        .append("its steps and its Spark job count. Figures are medians over the runs, with the spread of the wall and ingest ")
        .append("times when there are several, and the machine's load average before each run (a busy machine shows there). ")
        .append("A tier still running or cut off is marked **Partial** (`--resume` goes on from its finished runs).\n\n")
        .append("Versions: ").append(versions).append(".\n\n");
    for (String s : sections.values()) {
      b.append(s);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, b.toString());
  }

  private static String section(TierResult r, String machine) {
    StringBuilder b = new StringBuilder();
    b.append("<!-- tier ").append(r.tier().name()).append(" begin -->\n");
    b.append("## Tier ").append(r.tier().name()).append(": ").append(String.format(Locale.ROOT, "%,d", r.tier().accounts))
        .append(" accounts x ").append(Bench.MONTHS).append(" months\n\n");
    b.append("Measured ").append(LocalDate.now(java.time.ZoneOffset.UTC)).append(" on ").append(machine).append("; ")
        .append(r.full().size()).append(" run(s). Data: ").append(r.generated().isBlank() ? "see bench logs" : r.generated())
        .append(". Late corrections in the incremental night: ").append(r.lateCorrections()).append(".\n\n");
    if (r.partial() != null) {
      partial(b, r);
    }
    b.append("| measure | full run (empty warehouse) | incremental night |\n|---|---:|---:|\n");
    row(b, r, "wall time, JVM start included", x -> x.wallSeconds(), "%.0f s");
    if (r.full().size() > 1) {
      spread(b, r, "wall time: spread over the runs (min - max)", ChildRun::wallSeconds, "%.0f s");
      spread(b, r, "ingest (all feeds): spread over the runs (min - max)", ChildRun::ingestSeconds, "%.0f s");
    }
    spread(b, r, "machine load before the run (1-minute average; the machine has "
        + Runtime.getRuntime().availableProcessors() + " cores, including the tail of the run before), min - max",
        ChildRun::loadBefore, "%.1f");
    row(b, r, "JVM start to first Spark job", x -> x.secondsToFirstJob(), "%.1f s");
    row(b, r, "peak RSS", x -> x.peakRssBytes() / 1e9, "%.1f GB");
    row(b, r, "Spark jobs", x -> x.sparkJobs(), "%.0f");
    row(b, r, "ingest (all feeds)", ChildRun::ingestSeconds, "%.0f s");
    row(b, r, "ingest (all feeds): Spark jobs", ChildRun::ingestJobs, "%.0f");
    for (String step : STEPS) {
      row(b, r, "step: " + step, x -> x.step(step), "%.0f s");
      row(b, r, "step: " + step + ": Spark jobs", x -> x.jobs(step), "%.0f");
    }
    double full = r.median(r.full(), ChildRun::wallSeconds);
    double inc = r.median(r.incremental(), ChildRun::wallSeconds);
    if (!Double.isNaN(full / inc)) {
      b.append("\nIncremental night vs full run: ").append(String.format(Locale.ROOT, "%.1fx", full / inc)).append(" faster.\n");
    }
    b.append('\n');
    peer(b, r);
    b.append("<!-- tier ").append(r.tier().name()).append(" end -->\n");
    return b.toString();
  }

  /**
   * What a tier still being measured (or cut off) has: the finished runs (the table below holds
   * their medians) and the steps the run under way had finished when this was written.
   */
  static void partial(StringBuilder b, TierResult r) {
    Bench.Partial p = r.partial();
    b.append(String.format(Locale.ROOT, "**Partial**: %d of %d full run(s) and %d of %d incremental night(s) finished, the DuckDB "
        + "peer not run yet (still running, or cut off). `bin/kpi bench --tier %s --runs %d --resume` goes on from here.",
        r.full().size(), p.runs(), r.incremental().size(), p.runs(), r.tier().name(), p.runs()));
    if (p.sofar() != null) {
      b.append(String.format(Locale.ROOT, " Under way when this was written: %s, %.0f s in; its finished steps:", p.current(),
          p.sofar().wallSeconds()));
      b.append("\n\n| step of the run under way | time | Spark jobs |\n|---|---:|---:|\n");
      p.sofar().steps().forEach((step, secs) -> {
        Long jobs = p.sofar().stepJobs().get(step);
        b.append("| ").append(step).append(" | ").append(String.format(Locale.ROOT, "%.1f s", secs)).append(" | ")
            .append(jobs == null ? "n/a" : jobs).append(" |\n");
      });
    }
    b.append("\n");
  }

  /**
   * The DuckDB peer next to the full run: reading the feeds it needs vs Spark's ingest of the same
   * feeds, its revenue core vs the {@code revenue kpis} step, and the row-for-row comparison.
   */
  static void peer(StringBuilder b, TierResult r) {
    if (r.peer().isEmpty()) {
      return;
    }
    double load = Bench.median(r.peer().stream().mapToDouble(DuckDbPeer.Timing::loadSeconds).toArray());
    double compute = Bench.median(r.peer().stream().mapToDouble(DuckDbPeer.Timing::computeSeconds).toArray());
    double ingest = r.median(r.full(), x -> x.stepsSeconds(Bench.PEER_FEEDS.stream().map(f -> "ingest " + f).toList()));
    double revenue = r.median(r.full(), x -> x.step("revenue kpis"));
    b.append("### DuckDB peer (revenue core: `account_mrr_monthly` with movements and churn type, 1/3/12-month retention ")
        .append("components, churn split), same landing files and as-of date as the full run\n\n")
        .append("| work | Spark full run | DuckDB peer | Spark / DuckDB |\n|---|---:|---:|---:|\n");
    ratioRow(b, "read and validate " + String.join(", ", Bench.PEER_FEEDS) + " (Spark: their ingest steps)", ingest, load);
    ratioRow(b, "revenue core (Spark: step `revenue kpis`)", revenue, compute);
    ratioRow(b, "both", ingest + revenue, load + compute);
    DuckDbPeer.Comparison c = r.comparison();
    b.append("\n`account_mrr_monthly`, all contract columns, row for row: DuckDB ").append(String.format(Locale.ROOT, "%,d", c.peerRows()))
        .append(" rows, Spark ").append(String.format(Locale.ROOT, "%,d", c.sparkRows())).append(" rows: ");
    if (c.identical()) {
      b.append("**identical**.\n\n");
    } else {
      b.append("**").append(c.onlyInPeer()).append(" rows only in DuckDB, ").append(c.onlyInSpark()).append(" only in Spark**:\n\n");
      for (String e : c.examples()) {
        b.append("    ").append(e).append('\n');
      }
      b.append('\n');
    }
  }

  private static void ratioRow(StringBuilder b, String what, double spark, double duck) {
    b.append("| ").append(what).append(" | ").append(String.format(Locale.ROOT, "%.1f s", spark)).append(" | ")
        .append(String.format(Locale.ROOT, "%.1f s", duck)).append(" | ")
        .append(duck > 0 ? String.format(Locale.ROOT, "%.0fx", spark / duck) : "n/a").append(" |\n");
  }

  /** A row of each column's smallest and largest value over the runs. */
  private static void spread(StringBuilder b, TierResult r, String name, ToDoubleFunction<ChildRun> f, String fmt) {
    List<String> cells = new ArrayList<>();
    for (List<ChildRun> runs : List.of(r.full(), r.incremental())) {
      double[] v = runs.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray();
      cells.add(v.length == 0 ? "n/a" : String.format(Locale.ROOT, fmt, v[0]) + " - " + String.format(Locale.ROOT, fmt, v[v.length - 1]));
    }
    b.append("| ").append(name).append(" | ").append(cells.get(0)).append(" | ").append(cells.get(1)).append(" |\n");
  }

  private static void row(StringBuilder b, TierResult r, String name, ToDoubleFunction<ChildRun> f, String fmt) {
    List<String> cells = new ArrayList<>();
    for (List<ChildRun> runs : List.of(r.full(), r.incremental())) {
      double v = r.median(runs, f);
      cells.add(Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, fmt, v));
    }
    b.append("| ").append(name).append(" | ").append(cells.get(0)).append(" | ").append(cells.get(1)).append(" |\n");
  }
}
