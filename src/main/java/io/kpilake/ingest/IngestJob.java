package io.kpilake.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.kpilake.config.KpiConfig;
import io.kpilake.ops.Ledger;
import io.kpilake.ops.OpsTables;
import io.kpilake.ops.QualityGateFailure;
import io.kpilake.ops.Retry;
import io.kpilake.ops.RunContext;
import io.kpilake.ops.StepLog;
import io.kpilake.spark.Warehouse;
import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Ingests the new landing files of every feed: parse, append to bronze, type and validate,
 * quarantine bad records, merge new versions into silver (with history), and write the file
 * ledger with each file's reconciliation (read = accepted + quarantined + duplicate): one ledger
 * commit per run, after the last feed, also when a feed fails (the feeds before it stay recorded). Files that
 * cannot be ingested at all are refused: their records are not loaded, they stay out of the ledger
 * (the next run sees them again) and the run ends with a {@link QualityGateFailure}.
 */
public final class IngestJob {
  private final Warehouse wh;
  private final KpiConfig cfg;
  private final RunContext run;
  private final StepLog steps;
  private final SparkSession spark;
  private final Retry retry;

  public IngestJob(Warehouse wh, KpiConfig cfg, RunContext run, StepLog steps) {
    this.wh = wh;
    this.cfg = cfg;
    this.run = run;
    this.steps = steps;
    this.spark = wh.spark();
    this.retry = Retry.of(cfg.ops());
  }

  /** Result of one feed's ingest; {@code ledgerRows} are its files' rows for ops.ingested_files. */
  public record FeedResult(FeedSpec feed, int files, long read, long accepted, long quarantined, long duplicate,
      List<String> refusals, List<Row> ledgerRows) {}

  public List<FeedResult> run() {
    OpsTables.ensure(wh);
    Ledger ledger = new Ledger(wh);
    Ledger.Snapshot known = ledger.read();
    LandingScanner scanner = new LandingScanner(cfg.landingPath(), spark.sparkContext().hadoopConfiguration());
    List<FeedResult> results = new ArrayList<>();
    List<Row> ledgerRows = new ArrayList<>();
    try {
      ingestFeeds(scanner, known, ledgerRows, results);
    } catch (Exception e) {
      try {
        writeLedger(ledger, ledgerRows);
      } catch (Exception l) {
        e.addSuppressed(l);
      }
      throw e;
    }
    writeLedger(ledger, ledgerRows);
    List<String> refusals = results.stream().flatMap(r -> r.refusals().stream()).toList();
    if (!refusals.isEmpty()) {
      throw new QualityGateFailure(refusals.size() + " landing file(s) refused, nothing published: " + refusals.get(0)
          + (refusals.size() > 1 ? " (and " + (refusals.size() - 1) + " more, see ops.pipeline_runs)" : ""));
    }
    return results;
  }

  /**
   * The ledger rows of every feed ingested in this run, in one commit. A run stopped before it
   * (a crash) leaves its files out of the ledger: the next run ingests them again, and the bronze
   * and quarantine appends of that batch are skipped as already committed (same txnVersion), silver
   * takes no version twice.
   */
  private void writeLedger(Ledger ledger, List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    StepLog.Step step = steps.start("ingest ledger");
    spark.sparkContext().setJobGroup("ingest ledger", "record " + rows.size() + " ingested file(s) in ops.ingested_files", false);
    try {
      retry.run("record the ingested files", () -> ledger.append(rows));
      step.succeeded(null, (long) rows.size(), null, rows.size() + " files recorded in ops.ingested_files");
    } catch (Exception e) {
      step.failed(e.getMessage());
      throw e;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /**
   * Every feed, {@code kpi.ingest.parallel-feeds} at a time: feeds write different tables (and
   * idempotent appends, under their own txnAppId, to ops.quarantine), so they need no order, and a
   * night's small feeds spend most of their time waiting on per-job latency, which overlaps. The
   * results come in {@link Feeds#ALL} order. When a feed fails, the others still finish (their files
   * are recorded in the ledger) before the first failure, in feed order, is thrown.
   */
  private void ingestFeeds(LandingScanner scanner, Ledger.Snapshot known, List<Row> ledgerRows, List<FeedResult> results) {
    io.kpilake.ops.Parallel.forEach(Feeds.ALL, cfg.ingest().parallelFeeds(), "kpi-ingest", feed -> ingestFeed(feed, scanner, known), r -> {
      results.add(r);
      ledgerRows.addAll(r.ledgerRows());
    });
  }

  private FeedResult ingestFeed(FeedSpec feed, LandingScanner scanner, Ledger.Snapshot known) {
    StepLog.Step step = steps.start("ingest " + feed.name(), jobGroup(feed));
    try {
      List<LandingFile> listed = retry.call("listing " + feed.name(), () -> scanner.list(feed, run.asOf()));
      List<LandingFile> files = listed.stream().filter(f -> !known.contains(f)).toList();
      // A retried batch is safe: bronze and quarantine appends are idempotent commits, silver keeps
      // one row per version, and the ledger is written last.
      FeedResult r = files.isEmpty() ? new FeedResult(feed, 0, 0, 0, 0, 0, List.of(), List.of())
          : retry.call("ingest " + feed.name(), () -> ingest(feed, files, known.fileCount(feed)));
      String msg = files.isEmpty() ? (listed.isEmpty() ? "no files: feed is empty" : "no new files")
          : String.format("%d files, %s read = %s accepted + %s quarantined + %s duplicate", r.files(),
              StepLog.count(r.read()), StepLog.count(r.accepted()), StepLog.count(r.quarantined()), StepLog.count(r.duplicate()));
      if (!r.refusals().isEmpty()) {
        step.end("refused", r.read(), r.accepted(), r.quarantined(), msg + "; refused: " + String.join(" | ", r.refusals()));
      } else {
        step.succeeded(r.read(), r.accepted(), r.quarantined(), msg);
      }
      return r;
    } catch (Exception e) {
      step.failed(e.getMessage());
      throw e;
    }
  }

  private static String jobGroup(FeedSpec feed) {
    return "ingest " + feed.name();
  }

  private FeedResult ingest(FeedSpec feed, List<LandingFile> files, long filesBefore) {
    spark.sparkContext().setJobGroup(jobGroup(feed), "ingest " + files.size() + " file(s) of " + feed.name(), false);
    Map<String, String> renames = cfg.renamesFor(feed.source(), feed.entity());
    // Parsed, typed and validated once, kept for the steps below: bronze takes the raw columns,
    // classify the valid rows and quarantine the others (typing is the costly part of a first load;
    // computed per step, it ran three times).
    Dataset<Row> parsed = SilverTransforms.typeAndValidate(feed).apply(
        Parsing.parse(spark, feed, files, renames, cfg.ingest().maxCharsPerCell(), cfg.ingest().minPartitions(), cfg.ingest().taskBytes())
            .withColumn("_file_order", concat(regexp_extract(col("source_file"), "dt=(\\d{4}-\\d{2}-\\d{2})", 1), lit("/"),
                regexp_extract(col("source_file"), "([^/]+)$", 1))))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Row> fileErrors = timed(feed, "parse", () -> parsed.filter(col("file_error").isNotNull()).select("source_file", "file_error").collectAsList());
      List<String> refusals = fileErrors.stream().map(r -> r.getString(0) + ": " + r.getString(1)).toList();
      List<String> refusedPaths = fileErrors.stream().map(r -> r.getString(0)).distinct().toList();
      Dataset<Row> good = refusedPaths.isEmpty() ? parsed : parsed.filter(col("source_file").isin(refusedPaths.toArray()).unary_$bang());
      // Idempotent commits: a rerun of the same batch after a crash before the ledger write reuses
      // this version, and Delta skips the bronze/quarantine appends it already has.
      long txnVersion = filesBefore + files.size();

      Dataset<Row> bronze = good.select(lit(run.runId()).as("run_id"), col("source_file"),
          regexp_extract(col("source_file"), "dt=(\\d{4}-\\d{2}-\\d{2})", 1).cast("date").as("file_dt"),
          col("row_number"), col("raw_record"), col("record"), col("row_error"), current_timestamp().as("ingested_at"));
      timed(feed, "bronze", () -> { BronzeTables.append(wh, feed, bronze, txnVersion); return null; });

      Dataset<Row> typed = good
          .withColumnRenamed("source_file", "_source_file").withColumnRenamed("row_number", "_row_number");
      Dataset<Row> quarantined = typed.filter(col("reason").isNotNull());
      // Materialized once, before anything is written: the classification compares against silver
      // as it was before this batch, whatever the MERGE below does to it.
      boolean small = files.stream().mapToLong(LandingFile::size).sum() <= cfg.ingest().broadcastBatchMaxBytes();
      Dataset<Row> classified = timed(feed, "classify", () -> SilverTables.classify(wh, feed, typed.filter(col("reason").isNull()), run, small)
          .localCheckpoint(true));
      timed(feed, "merge", () -> { SilverTables.mergeNewVersions(wh, feed, classified.filter(col("_outcome").equalTo("accepted")), small); return null; });

      // Reconciliation per file: every parsed row has exactly one outcome.
      Dataset<Row> outcomes = classified.select(col("_source_file"), col("_outcome"))
          .unionByName(quarantined.select(col("_source_file"), lit("quarantined").as("_outcome")));
      Map<String, long[]> perFile = new HashMap<>();
      for (Row r : timed(feed, "outcomes", () -> outcomes.groupBy("_source_file").agg(count(lit(1)), countIf("accepted"), countIf("quarantined"),
          countIf("duplicate")).collectAsList())) {
        perFile.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4)});
      }
      List<Row> ledgerRows = new ArrayList<>();
      long[] total = new long[4];
      Set<String> refusedSet = Set.copyOf(refusedPaths);
      for (LandingFile f : files) {
        if (refusedSet.contains(f.path())) {
          continue;
        }
        long[] c = perFile.getOrDefault(f.path(), new long[4]);
        if (c[0] != c[1] + c[2] + c[3]) {
          throw new IllegalStateException("reconciliation failed for " + f.path() + ": read " + c[0] + " != "
              + c[1] + " + " + c[2] + " + " + c[3]);
        }
        for (int i = 0; i < 4; i++) {
          total[i] += c[i];
        }
        ledgerRows.add(Ledger.row(f, run, c, Date.valueOf(f.dt())));
      }
      long unmatched = perFile.keySet().stream().filter(p -> files.stream().noneMatch(f -> f.path().equals(p))).count();
      if (unmatched > 0) {
        throw new IllegalStateException("parsed records from " + unmatched + " file(s) not in the listing of " + feed.name()
            + ": " + perFile.keySet().stream().filter(p -> files.stream().noneMatch(f -> f.path().equals(p)))
                .collect(Collectors.joining(", ")));
      }
      if (total[2] > 0) {
        timed(feed, "quarantine", () -> { QuarantineWriter.append(wh, feed, quarantined, run, txnVersion); return null; });
      }
      return new FeedResult(feed, files.size(), total[0], total[1], total[2], total[3], refusals, List.copyOf(ledgerRows));
    } finally {
      parsed.unpersist();
      spark.sparkContext().clearJobGroup();
    }
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IngestJob.class);

  private static <T> T timed(FeedSpec feed, String what, java.util.function.Supplier<T> body) {
    long t0 = System.nanoTime();
    T r = body.get();
    LOG.debug("  {} {}: {} ms", feed.name(), what, (System.nanoTime() - t0) / 1_000_000);
    return r;
  }

  private static Column countIf(String outcome) {
    return sum(when(col("_outcome").equalTo(outcome), 1L).otherwise(0L)).cast("long");
  }
}
