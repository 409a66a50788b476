package io.kpilake.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's pieces that need no Spark: late corrections and the results file. */
class BenchPartsTest {
  @TempDir Path tmp;

  @Test
  void lateCorrectionsRepriceOneRecurringLinePerAccountOfThePreviousMonth() throws Exception {
    Path nov = tmp.resolve("billing/invoice_lines/dt=2026-11-30");
    Files.createDirectories(nov);
    Files.writeString(nov.resolve("part-2026-11-30.csv"), String.join("\n",
        "line_id,account_id,line_type,amount,updated_at",
        "L1,A1,recurring,100.00,2026-11-30T01:00:00Z",
        "L2,A1,recurring,50.00,2026-11-30T01:00:00Z", // A1 already picked
        "L3,A2,one_time,10.00,2026-11-30T01:00:00Z", // not recurring
        "L4,A3,recurring,20.00,2026-11-30T01:00:00Z") + "\n");
    // 400 accounts x 0.5% = 2 corrections; the candidates are L1 (A1) and L4 (A3).
    int n = NextNight.writeLateCorrections(tmp, LocalDate.parse("2026-12-31"), 400, 0.005, 42);
    assertEquals(2, n);
    List<String> lines = Files.readAllLines(tmp.resolve("billing/invoice_lines/dt=2026-12-31/late-corrections.csv"));
    assertEquals("line_id,account_id,line_type,amount,updated_at", lines.get(0));
    // 100.00 x 1.1 = 110.00 and 20.00 x 1.1 = 22.00, updated the morning of the night.
    assertEquals(List.of("L1,A1,recurring,110.00,2026-12-31T06:00:00Z", "L4,A3,recurring,22.00,2026-12-31T06:00:00Z"),
        lines.subList(1, 3).stream().sorted().toList());
  }

  @Test
  void aClassDataArchiveCountsWhenNewerThanTheProjectJar() throws Exception {
    Path target = Files.createDirectories(tmp.resolve("home/target/cds"));
    Path jar = Files.writeString(tmp.resolve("home/target/kpi-lake-0.1.0.jar"), "jar");
    Files.writeString(tmp.resolve("home/target/kpi-lake-0.1.0-job.jar"), "job jar, not the launcher's");
    java.nio.file.attribute.FileTime built = Files.getLastModifiedTime(jar);
    assertFalse(Bench.hasClassDataArchive(tmp.resolve("home")), "no archive");
    long later = built.toMillis() + 60_000;
    Path old = archive(target.resolve("kpi-123.jsa"), Bench.MIN_ARCHIVE_BYTES, built.toMillis() - 60_000);
    assertFalse(Bench.hasClassDataArchive(tmp.resolve("home")), "an archive of an earlier build");
    archive(target.resolve("notes.txt"), Bench.MIN_ARCHIVE_BYTES, later);
    assertFalse(Bench.hasClassDataArchive(tmp.resolve("home")), "not an archive");
    // 15 MB: what a run that stops at a usage error writes; bin/kpi deletes it.
    archive(target.resolve("kpi-456.788.jsa"), 15L << 20, later);
    assertFalse(Bench.hasClassDataArchive(tmp.resolve("home")), "an archive of a run that stopped before Spark started");
    archive(target.resolve("kpi-456.789.jsa"), Bench.MIN_ARCHIVE_BYTES, later);
    assertTrue(Bench.hasClassDataArchive(tmp.resolve("home")), "written by process 789 after the build");
    Files.delete(target.resolve("kpi-456.789.jsa"));
    archive(target.resolve("kpi-456.jsa"), 200L << 20, later);
    assertTrue(Bench.hasClassDataArchive(tmp.resolve("home")), "promoted after the build");
    assertTrue(Files.exists(old));
  }

  /** A sparse file of {@code bytes}, last modified at {@code millis}. */
  private static Path archive(Path p, long bytes, long millis) throws Exception {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(bytes);
    }
    Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(millis));
    return p;
  }

  @Test
  void aRunsStepsAndJobsAreReadFromItsLog() {
    String log = String.join("\n",
        "15:08:40 ingest crm/accounts                succeeded    5.1 s   28 jobs  1 files, 35 read = 35 accepted",
        "15:08:45 ingest fx/rates                    succeeded    4.4 s   27 jobs  1 files, 2 read = 2 accepted",
        "15:08:58 publish                            succeeded   18.2 s  150 jobs  published 15 tables",
        "15:09:08 nightly                            succeeded  135.1 s  712 jobs  run r finished (712 Spark jobs in this process; "
            + "the first 9.7 s after JVM start)");
    ChildRun r = ChildRun.parse(0, 140, 1, log);
    assertEquals(9.5, r.ingestSeconds(), 1e-9); // 5.1 + 4.4
    assertEquals(55, r.ingestJobs()); // 28 + 27
    assertEquals(150, r.jobs("publish"));
    assertEquals(712, r.sparkJobs());
    assertEquals(9.7, r.secondsToFirstJob());
  }

  @Test
  void resultsKeepOtherTiersAndReplaceTheMeasuredOne() throws Exception {
    Path file = tmp.resolve("RESULTS.md");
    Map<String, Double> steps = new LinkedHashMap<>();
    steps.put("ingest crm/accounts", 3.0);
    steps.put("ingest billing/invoice_lines", 5.0);
    steps.put("publish", 7.0);
    Map<String, Long> jobs = Map.of("ingest crm/accounts", 20L, "ingest billing/invoice_lines", 30L, "publish", 90L);
    ChildRun full = new ChildRun(0, 120, 4_000_000_000L, steps, jobs, 500, 4.2, "", 0.5);
    ChildRun inc = new ChildRun(0, 30, 3_000_000_000L, steps, jobs, 300, 4.0, "", 1.5);
    Results.write(file, new Bench.TierResult(Bench.Tier.M, LocalDate.parse("2026-12-31"), 500, "data M", List.of(full), List.of(inc), List.of(), null),
        "test machine", "v");
    Results.write(file, new Bench.TierResult(Bench.Tier.S, LocalDate.parse("2026-12-31"), 50, "data S", List.of(full), List.of(inc), List.of(), null),
        "test machine", "v");
    ChildRun slower = new ChildRun(0, 60, 3_000_000_000L, steps, jobs, 300, 4.0, "", 3.0);
    Results.write(file, new Bench.TierResult(Bench.Tier.S, LocalDate.parse("2026-12-31"), 50, "data S2", List.of(full, full, full),
        List.of(inc, slower, slower), List.of(), null), "test machine", "v");
    String md = Files.readString(file);
    assertTrue(md.contains("data M") && md.contains("data S2") && !md.contains("data S."), md);
    assertTrue(md.indexOf("## Tier S") < md.indexOf("## Tier M"), "tiers in order");
    assertTrue(md.contains("| ingest (all feeds) | 8 s | 8 s |"), md); // 3 + 5
    assertTrue(md.contains("| Spark jobs | 500 | 300 |"), md);
    assertTrue(md.contains("| ingest (all feeds): Spark jobs | 50 | 50 |"), md); // 20 + 30
    assertTrue(md.contains("| step: publish: Spark jobs | 90 | 90 |"), md);
    // S: median incremental of 30, 60, 60 = 60 s; 120 / 60 = 2.0x.
    assertTrue(md.contains("Incremental night vs full run: 2.0x faster."), md);
    // Three runs: the spread of the wall times (full 120, 120, 120; incremental 30, 60, 60) and the
    // machine's load before each run (full 0.5 each time; incremental 1.5, 3.0, 3.0).
    assertTrue(md.contains("| wall time: spread over the runs (min - max) | 120 s - 120 s | 30 s - 60 s |"), md);
    assertTrue(md.contains("min - max | 0.5 - 0.5 | 1.5 - 3.0 |"), md);
    // M was measured once: no spread row in its section.
    assertTrue(md.substring(md.indexOf("## Tier M")).indexOf("spread over the runs") < 0, md);
  }

  @Test
  void thePeerSectionGivesTheRatiosAndTheComparison() {
    Map<String, Double> steps = new LinkedHashMap<>();
    steps.put("ingest crm/accounts", 3.0);
    steps.put("ingest crm/activities", 50.0); // not a feed of the peer: left out
    steps.put("ingest billing/subscriptions", 2.0);
    steps.put("ingest billing/invoice_lines", 5.0);
    steps.put("ingest payments/payment_events", 4.0);
    steps.put("ingest fx/rates", 1.0);
    steps.put("revenue kpis", 13.0);
    ChildRun full = new ChildRun(0, 120, 1, steps, Map.of(), 500, 4.2, "", Double.NaN);
    List<DuckDbPeer.Timing> peer = List.of(new DuckDbPeer.Timing(1.0, 0.5, 10), new DuckDbPeer.Timing(2.0, 1.0, 10),
        new DuckDbPeer.Timing(1.5, 0.4, 10));
    StringBuilder b = new StringBuilder();
    Results.peer(b, new Bench.TierResult(Bench.Tier.S, LocalDate.parse("2026-12-31"), 0, "", List.of(full), List.of(full), peer,
        new DuckDbPeer.Comparison(10, 10, 0, 0, List.of())));
    String md = b.toString();
    // Spark reads the five feeds in 3 + 2 + 5 + 4 + 1 = 15 s; DuckDB's median load is 1.5 s: 10x.
    assertTrue(md.contains("(Spark: their ingest steps) | 15.0 s | 1.5 s | 10x |"), md);
    // Revenue core: 13 s vs the median compute of 0.5, 1.0, 0.4 = 0.5 s: 26x; both: 28 / 2.0 = 14x.
    assertTrue(md.contains("revenue kpis`) | 13.0 s | 0.5 s | 26x |"), md);
    assertTrue(md.contains("| both | 28.0 s | 2.0 s | 14x |"), md);
    assertTrue(md.contains("DuckDB 10 rows, Spark 10 rows: **identical**."), md);

    StringBuilder d = new StringBuilder();
    Results.peer(d, new Bench.TierResult(Bench.Tier.S, LocalDate.parse("2026-12-31"), 0, "", List.of(full), List.of(full), peer,
        new DuckDbPeer.Comparison(10, 9, 1, 0, List.of("only_in_peer: account_id=A1"))));
    assertTrue(d.toString().contains("**1 rows only in DuckDB, 0 only in Spark**") && d.toString().contains("only_in_peer: account_id=A1"),
        d.toString());
  }

  @Test
  void aCutOffBenchLeavesItsFinishedRunsAndResumes() throws Exception {
    // A stand-in for bin/kpi (a real process: the harness measures processes from outside): it
    // records each call, writes the warehouse, logs two steps, and exits 3 on the call numbered in fail-at.
    Path home = tmp.resolve("home");
    Files.createDirectories(home.resolve("bin"));
    Path kpi = home.resolve("bin/kpi");
    Files.writeString(kpi, String.join("\n", "#!/usr/bin/env bash",
        "echo \"$*\" >> \"$(dirname \"$0\")/../calls\"",
        "n=$(wc -l < \"$(dirname \"$0\")/../calls\")",
        "[[ -f \"$(dirname \"$0\")/../fail-at\" && $n == $(cat \"$(dirname \"$0\")/../fail-at\") ]] && { echo boom >&2; exit 3; }",
        "mkdir -p \"$KPI_WAREHOUSE\" && echo \"$*\" >> \"$KPI_WAREHOUSE/made-by\"",
        "echo '10:00:00 ingest crm/accounts                succeeded    2.0 s    3 jobs  1 files'",
        "echo '10:00:02 publish                            succeeded    1.0 s    4 jobs  published'",
        "echo '10:00:03 nightly succeeded 3.0 s 7 jobs run r finished (7 Spark jobs in this process; the first 1.5 s after JVM start)'",
        ""));
    assertTrue(kpi.toFile().setExecutable(true));
    Path work = tmp.resolve("work");
    Files.createDirectories(work.resolve("S"));
    Files.writeString(work.resolve("S/landing.summary"), "7\ngenerated data S");
    Files.writeString(home.resolve("fail-at"), "4"); // calls: full 1, incremental 1, full 2, incremental 2 (fails)
    Bench bench = new Bench(home, work, "1g");
    List<Bench.TierResult> written = new java.util.ArrayList<>();
    IllegalStateException cut = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> bench.measure(Bench.Tier.S, 2, false, written::add));
    assertTrue(cut.getMessage().contains("incremental nightly exited 3") && cut.getMessage().contains("boom"), cut.getMessage());
    // What it wrote last, before the cut: both full runs and the first incremental night, marked partial.
    Bench.TierResult last = written.get(written.size() - 1);
    assertEquals(2, last.full().size());
    assertEquals(1, last.incremental().size());
    Path file = tmp.resolve("RESULTS.md");
    Results.write(file, last, "test machine", "v");
    String md = Files.readString(file);
    assertTrue(md.contains("**Partial**: 2 of 2 full run(s) and 1 of 2 incremental night(s) finished"), md);
    assertTrue(md.contains("`bin/kpi bench --tier S --runs 2 --resume` goes on from here"), md);
    assertTrue(md.contains("| ingest (all feeds) | 2 s | 2 s |"), md);

    // Resumed: the kept runs are taken as they are; only the second incremental night runs, on run 2's warehouse.
    Files.delete(home.resolve("fail-at"));
    Bench.TierResult resumed = bench.measure(Bench.Tier.S, 2, true, r -> { });
    List<String> calls = Files.readAllLines(home.resolve("calls"));
    assertEquals(5, calls.size(), calls.toString());
    assertEquals("nightly --as-of 2026-12-31", calls.get(4));
    // The incremental night ran on a copy of the full run's warehouse, which is run 2's.
    assertEquals(List.of("nightly --as-of 2026-12-30", "nightly --as-of 2026-12-31"),
        Files.readAllLines(work.resolve("S/wh-incremental/made-by")));
    assertEquals("2", Files.readString(work.resolve("S/wh-full.run")));
    assertEquals(2, resumed.full().size());
    assertEquals(2, resumed.incremental().size());
    assertEquals(7, resumed.full().get(0).sparkJobs());
    assertEquals(7, resumed.lateCorrections());

    // Without --resume every run is measured anew.
    bench.measure(Bench.Tier.S, 2, false, r -> { });
    assertEquals(9, Files.readAllLines(home.resolve("calls")).size());
  }

  @Test
  void aPartialSectionShowsTheStepsOfTheRunUnderWay() throws Exception {
    Map<String, Double> steps = new LinkedHashMap<>();
    steps.put("ingest crm/accounts", 12.5);
    steps.put("ingest billing/invoice_lines", 30.0);
    ChildRun sofar = new ChildRun(-1, 61.4, 1, steps, Map.of("ingest crm/accounts", 3L), -1, 9.0, "", 0.2);
    Path file = tmp.resolve("RESULTS.md");
    Results.write(file, new Bench.TierResult(Bench.Tier.M, LocalDate.parse("2026-12-31"), 500, "data M", List.of(), List.of(),
        List.of(), null, new Bench.Partial(1, "full run 1/1", sofar)), "test machine", "v");
    String md = Files.readString(file);
    assertTrue(md.contains("**Partial**: 0 of 1 full run(s) and 0 of 1 incremental night(s) finished"), md);
    assertTrue(md.contains("Under way when this was written: full run 1/1, 61 s in; its finished steps:"), md);
    assertTrue(md.contains("| ingest crm/accounts | 12.5 s | 3 |") && md.contains("| ingest billing/invoice_lines | 30.0 s | n/a |"), md);
    assertTrue(md.contains("| wall time, JVM start included | n/a | n/a |") && !md.contains("faster"), md);
  }

  @Test
  void thePeerGetsTheSparkRunsMemory() {
    assertEquals("8GB", Bench.duckDbMemory("8g"));
    assertEquals("512MB", Bench.duckDbMemory("512M"));
    assertEquals("8GB", Bench.duckDbMemory("8GB"));
  }
}
