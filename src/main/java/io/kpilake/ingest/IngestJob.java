package io.kpilake.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.kpilake.contract.FeedSpec;
import io.kpilake.contract.Feeds;
import io.kpilake.config.KpiConfig;
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

  /**
   * Result of one feed's ingest; {@code ledgerRows} are its files' rows for ops.ingested_files,
   * {@code heldQuarantine} its rejected records held for the run's quarantine commit
   * ({@link QuarantineWriter#hold}; empty when there were none, when they were appended already, and
   * in the results {@link IngestJob#run} returns, which outlive the quarantine commit).
   */
  public record FeedResult(FeedSpec feed, int files, long read, long accepted, long quarantined, long duplicate,
      List<String> refusals, List<Row> ledgerRows, List<Row> heldQuarantine) {
    /** The same result without the held records: the run's results outlive its quarantine commit. */
    FeedResult withoutHeldQuarantine() {
      return new FeedResult(feed, files, read, accepted, quarantined, duplicate, refusals, ledgerRows, List.of());
    }
  }

  /** Ingests every feed; the ops tables exist already ({@link OpsTables#ensure}, once per run by the caller). */
  public List<FeedResult> run() {
    Ledger ledger = new Ledger(wh);
    Ledger.Snapshot known = ledger.read();
    LandingScanner scanner = new LandingScanner(cfg.landingPath(), spark.sparkContext().hadoopConfiguration());
    List<FeedResult> results = new ArrayList<>();
    List<Row> ledgerRows = new ArrayList<>();
    List<Row> held = new ArrayList<>();
    try {
      ingestFeeds(scanner, known, ledgerRows, held, results);
    } catch (Exception e) {
      try {
        writeLedger(ledger, known, ledgerRows, held);
      } catch (Exception l) {
        e.addSuppressed(l);
      }
      throw e;
    }
    writeLedger(ledger, known, ledgerRows, held);
    List<String> refusals = results.stream().flatMap(r -> r.refusals().stream()).toList();
    if (!refusals.isEmpty()) {
      throw new QualityGateFailure(refusals.size() + " landing file(s) refused, nothing published: " + refusals.get(0)
          + (refusals.size() > 1 ? " (and " + (refusals.size() - 1) + " more, see ops.pipeline_runs)" : ""));
    }
    return results;
  }

  /**
   * The rejected records the feeds held, in one ops.quarantine commit, then the ledger rows of every
   * feed ingested in this run, in one commit. A run stopped before the ledger commit (a crash)
   * leaves its files out of the ledger: the next run ingests them again, and the bronze and
   * quarantine appends of that batch are skipped as already committed (same txnVersion), silver
   * takes no version twice. The held records come first: a file in the ledger has its rejected
   * records in ops.quarantine.
   */
  private void writeLedger(Ledger ledger, Ledger.Snapshot known, List<Row> rows, List<Row> held) {
    if (rows.isEmpty()) {
      return;
    }
    StepLog.Step step = steps.start("ingest ledger");
    spark.sparkContext().setJobGroup("ingest ledger", "record " + rows.size() + " ingested file(s) in ops.ingested_files", false);
    try {
      retry.run("quarantine the rejected records", () -> QuarantineWriter.appendHeld(wh, held, known.fileCount() + rows.size()));
      retry.run("record the ingested files", () -> ledger.append(rows));
      step.succeeded(null, (long) rows.size(), null, rows.size() + " files recorded in ops.ingested_files"
          + (held.isEmpty() ? "" : ", " + held.size() + " rejected records in ops.quarantine"));
    } catch (Exception e) {
      step.failed(e.getMessage());
      throw e;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /**
   * Every feed, {@code kpi.ingest.parallel-feeds} at a time, the feeds with the most new bytes
   * first: feeds write different tables (and idempotent appends, under their own txnAppId, to
   * ops.quarantine), so they need no order, and a night's small feeds spend most of their time
   * waiting on per-job latency, which overlaps. The results come in {@link Feeds#ALL} order. When
   * a feed fails, the others still finish (their files are recorded in the ledger) before the first
   * failure, in feed order, is thrown.
   */
  private void ingestFeeds(LandingScanner scanner, Ledger.Snapshot known, List<Row> ledgerRows, List<Row> held,
      List<FeedResult> results) {
    Map<FeedSpec, Listing> listings = new java.util.LinkedHashMap<>();
    Map<FeedSpec, Long> newBytesOf = new java.util.HashMap<>();
    long bytes = 0;
    for (FeedSpec feed : Feeds.ALL) {
      Listing l = Listing.of(() -> retry.call("listing " + feed.name(), () -> scanner.list(feed, run.asOf())));
      listings.put(feed, l);
      long newBytes = l.newFiles(known).stream().mapToLong(LandingFile::size).sum();
      newBytesOf.put(feed, newBytes);
      // A night's batch reads only its keys' rows of silver (Delta skips the other files); a bigger
      // batch (first load, backfill) is joined with all of its silver table.
      long read = isNight(newBytes) ? 0 : wh.sizeInBytes("silver", List.of(feed.tableName()));
      bytes = Warehouse.saturatingAdd(bytes, Warehouse.saturatingAdd(newBytes, read));
    }
    // What the night reads decides whether it runs as small data (interpreted, one shuffle partition, no broadcasts).
    io.kpilake.spark.SmallData.configure(spark, cfg.spark(), bytes, "ingest");
    smallIngest = io.kpilake.spark.SmallData.isSmall(cfg.spark(), bytes);
    // The feeds with the most new bytes start first: the run does not wait at its end on a large
    // feed started last while the other threads have nothing left to do.
    io.kpilake.ops.Parallel.forEach(Feeds.ALL, java.util.Comparator.comparing((FeedSpec f) -> newBytesOf.get(f)).reversed(),
        cfg.ingest().parallelFeeds(), "kpi-ingest", feed -> ingestFeed(feed, listings.get(feed), known), r -> {
      results.add(r.withoutHeldQuarantine());
      ledgerRows.addAll(r.ledgerRows());
      held.addAll(r.heldQuarantine());
    });
  }

  /** Whether this run's ingest runs as small data ({@link #ingestFeeds}, before any feed starts). */
  private boolean smallIngest;
  /** The session for the MERGEs into large silver tables during a small ingest ({@link #rewriter}), made once per run. */
  private Warehouse largeRewriter;

  /**
   * Where a feed's silver MERGE runs. It reads and writes again every silver file that holds one of
   * the night's keys (most of a large table), so it is sized by the table, not by the night's
   * batch: a small ingest merges into a table of {@code kpi.spark.small-data-bytes} or more through
   * a second session of the application with the large-data settings (code generation, shuffle
   * partitions by size); a small table, or an ingest that is large anyway, uses the run's session.
   * Tier M night: the four MERGEs had been one interpreted task each over the touched files, 20-33 s
   * (docs/design.md). The second session's shuffle partitions follow the size of all silver tables
   * (a bound on any one MERGE's, and the KPI step's measure): 2 at tier S, 8 at tier M.
   */
  private synchronized Warehouse rewriter(FeedSpec feed) {
    if (!smallIngest || io.kpilake.spark.SmallData.isSmall(cfg.spark(), wh.sizeInBytes("silver", List.of(feed.tableName())))) {
      return wh;
    }
    if (largeRewriter == null) {
      SparkSession large = spark.newSession();
      long silver = wh.sizeInBytes("silver", Feeds.ALL.stream().map(FeedSpec::tableName).toList());
      io.kpilake.spark.SmallData.configure(large, cfg.spark(), silver, "silver merges into large tables");
      largeRewriter = wh.withSession(large);
    }
    return largeRewriter;
  }

  /**
   * A feed's landing files, listed before any feed is ingested (the batch's size is known up front),
   * or the listing's failure, which the feed's own step reports.
   */
  private record Listing(List<LandingFile> files, RuntimeException error) {
    static Listing of(java.util.function.Supplier<List<LandingFile>> list) {
      try {
        return new Listing(list.get(), null);
      } catch (RuntimeException e) {
        return new Listing(List.of(), e);
      }
    }

    List<LandingFile> newFiles(Ledger.Snapshot known) {
      return files.stream().filter(f -> !known.contains(f)).toList();
    }
  }

  private FeedResult ingestFeed(FeedSpec feed, Listing listing, Ledger.Snapshot known) {
    StepLog.Step step = steps.start("ingest " + feed.name(), jobGroup(feed));
    try {
      if (listing.error() != null) {
        throw listing.error();
      }
      List<LandingFile> listed = listing.files();
      List<LandingFile> files = listing.newFiles(known);
      // A retried batch is safe: bronze and quarantine appends are idempotent commits, silver keeps
      // one row per version, and the ledger is written last.
      FeedResult r = files.isEmpty() ? new FeedResult(feed, 0, 0, 0, 0, 0, List.of(), List.of(), List.of())
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

  /**
   * A batch of at most {@code kpi.ingest.broadcast-batch-max-bytes} landing bytes is a night's: it
   * reads only its keys' silver rows ({@link SilverTables.NightKeys}); a bigger one is joined with all of silver.
   */
  private boolean isNight(long batchBytes) {
    return batchBytes <= cfg.ingest().broadcastBatchMaxBytes();
  }

  private static String jobGroup(FeedSpec feed) {
    return "ingest " + feed.name();
  }

  /**
   * One feed's new files in one pass: parsed, typed, validated, hashed and classified in one plan,
   * materialized once (persisted) by the per-file outcome counts, then written from that one
   * batch: bronze (every row), silver (the accepted versions) and ops.quarantine (the rejected
   * rows). The counts and the refusals come before any write, so a file that does not reconcile
   * stops the feed with nothing written. When a file is refused, the batch is classified again
   * without it (its rows must not rank first among duplicates they would then hide).
   */
  private FeedResult ingest(FeedSpec feed, List<LandingFile> files, long filesBefore) {
    spark.sparkContext().setJobGroup(jobGroup(feed), "ingest " + files.size() + " file(s) of " + feed.name(), false);
    long silverVersion = SilverTables.ensure(wh, feed, cfg.ingest().silverDeletionVectors());
    BronzeTables.ensure(wh, feed);
    boolean night = isNight(files.stream().mapToLong(LandingFile::size).sum());
    Dataset<Row> typed = typedBatch(feed, files);
    // A night's batch: its keys, collected, select the silver rows it can affect (Delta skips the other files).
    SilverTables.NightKeys nightKeys = night && silverVersion > 0 ? SilverTables.collectKeys(feed, typed.filter(col("reason").isNull())) : null;
    var affected = SilverTables.affected(wh, feed, silverVersion, nightKeys);
    Dataset<Row> batch = classify(feed, typed, affected);
    try {
      Map<String, FileCounts> perFile = timed(feed, "classify", () -> countPerFile(batch));
      List<String> refusals = new ArrayList<>();
      List<LandingFile> kept = new ArrayList<>();
      for (LandingFile f : files) {
        FileCounts c = perFile.get(f.path());
        if (c != null && c.fileError() != null) {
          refusals.add(f.path() + ": " + c.fileError());
        } else {
          kept.add(f);
        }
      }
      if (!refusals.isEmpty()) {
        batch.unpersist();
        if (kept.isEmpty()) {
          return new FeedResult(feed, files.size(), 0, 0, 0, 0, refusals, List.of(), List.of());
        }
        // The version counts the files this batch writes, which the ledger then holds: the next
        // batch's version is higher. Counting the refused files too (they stay out of the ledger)
        // gave the next batch the same version when it was just the refused file, corrected: Delta
        // skipped its bronze and quarantine appends as already committed.
        return ingestClassified(feed, kept, files.size(), filesBefore + kept.size(), refusals,
            classify(feed, typedBatch(feed, kept), affected), affected, nightKeys, null);
      }
      return ingestClassified(feed, files, files.size(), filesBefore + files.size(), refusals, batch, affected, nightKeys, perFile);
    } finally {
      batch.unpersist();
      SilverTables.release(affected);
      spark.sparkContext().clearJobGroup();
    }
  }

  /** The files parsed, typed and validated, with their lineage columns (a plan, not computed). */
  private Dataset<Row> typedBatch(FeedSpec feed, List<LandingFile> files) {
    Map<String, String> renames = cfg.renamesFor(feed.source(), feed.entity());
    return SilverTransforms.typeAndValidate(feed).apply(
        Parsing.parse(spark, feed, files, renames, cfg.ingest().maxCharsPerCell(), cfg.ingest().minPartitions(), cfg.ingest().taskBytes()))
        .withColumnRenamed("source_file", "_source_file").withColumnRenamed("row_number", "_row_number")
        .withColumn("_file_order", LandingFile.fileOrder(col("_source_file")))
        .withColumn("_ingested_at", current_timestamp());
  }

  /** Every row of a typed batch with its {@code _outcome}, against the affected silver rows; persisted for the writes that read it. */
  private static Dataset<Row> classify(FeedSpec feed, Dataset<Row> typed, java.util.Optional<Dataset<Row>> affected) {
    return SilverTransforms.classify(feed, SilverTables.known(feed, affected)).apply(typed).persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** One file's counts in a classified batch, and why it is refused whole (null when it is not). */
  private record FileCounts(long read, long accepted, long quarantined, long duplicate, String fileError, long quarantinedChars) {}

  /** Per file: rows read, accepted, quarantined, duplicate and the file's error: one Spark job, which materializes the batch. */
  private static Map<String, FileCounts> countPerFile(Dataset<Row> batch) {
    Map<String, FileCounts> perFile = new HashMap<>();
    Column rejectedChars = sum(when(col("_outcome").equalTo(SilverTransforms.QUARANTINED), coalesce(length(col("raw_record")), lit(0)))
        .otherwise(0)).cast("long");
    for (Row r : batch.groupBy("_source_file").agg(count(lit(1)), countIf(SilverTransforms.ACCEPTED),
        countIf(SilverTransforms.QUARANTINED), countIf(SilverTransforms.DUPLICATE), max(col("file_error")), rejectedChars).collectAsList()) {
      perFile.put(r.getString(0), new FileCounts(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getString(5), r.getLong(6)));
    }
    return perFile;
  }

  /**
   * Writes a classified batch of {@code files} (none refused): bronze, silver, quarantine, after
   * checking that every file reconciles (read = accepted + quarantined + duplicate). {@code perFile}
   * is the batch's counts when already taken, else null.
   */
  private FeedResult ingestClassified(FeedSpec feed, List<LandingFile> files, int listed, long txnVersion, List<String> refusals,
      Dataset<Row> batch, java.util.Optional<Dataset<Row>> affected, SilverTables.NightKeys nightKeys, Map<String, FileCounts> counted) {
    try {
      Map<String, FileCounts> perFile = counted != null ? counted : timed(feed, "classify", () -> countPerFile(batch));
      List<Row> ledgerRows = new ArrayList<>();
      long[] total = new long[4];
      long rejectedChars = 0;
      for (LandingFile f : files) {
        FileCounts c = perFile.getOrDefault(f.path(), new FileCounts(0, 0, 0, 0, null, 0));
        if (c.read() != c.accepted() + c.quarantined() + c.duplicate()) {
          throw new IllegalStateException("reconciliation failed for " + f.path() + ": read " + c.read() + " != "
              + c.accepted() + " + " + c.quarantined() + " + " + c.duplicate());
        }
        long[] n = {c.read(), c.accepted(), c.quarantined(), c.duplicate()};
        for (int i = 0; i < 4; i++) {
          total[i] += n[i];
        }
        rejectedChars += c.quarantinedChars();
        ledgerRows.add(Ledger.row(f, run, n, Date.valueOf(f.dt())));
      }
      Set<String> paths = files.stream().map(LandingFile::path).collect(Collectors.toSet());
      List<String> unmatched = perFile.keySet().stream().filter(p -> !paths.contains(p)).sorted().toList();
      if (!unmatched.isEmpty()) {
        throw new IllegalStateException("parsed records from " + unmatched.size() + " file(s) not in the listing of " + feed.name()
            + ": " + String.join(", ", unmatched));
      }
      // Idempotent commits: a rerun of the same batch after a crash before the ledger write reuses
      // this version, and Delta skips the bronze/quarantine appends it already has.
      Dataset<Row> bronze = batch.select(lit(run.runId()).as("run_id"), col("_source_file").as("source_file"),
          LandingFile.deliveryDate(col("_source_file")).cast("date").as("file_dt"),
          col("_row_number").as("row_number"), col("raw_record"), col("record"), col("row_error"), col("_ingested_at").as("ingested_at"));
      timed(feed, "bronze", () -> { BronzeTables.append(wh, feed, bronze, txnVersion); return null; });
      // Nothing accepted (a redelivered file, a batch of duplicates or bad records): silver takes no
      // commit, so the KPIs see unchanged inputs and are not recomputed for it.
      if (total[1] > 0) {
        timed(feed, "silver", () -> {
          SilverTables.mergeNewVersions(wh, feed, SilverTables.versionsOf(batch, run.runId()), affected, nightKeys, () -> rewriter(feed));
          return null;
        });
      }
      // A few rejected records are held for the run's one quarantine commit (each append is a Delta
      // commit and a check of the table's transactions); many are appended now.
      Dataset<Row> rejected = batch.filter(col("_outcome").equalTo(SilverTransforms.QUARANTINED));
      List<Row> held = total[2] == 0 ? List.of() : QuarantineWriter.holds(total[2], rejectedChars)
          ? timed(feed, "quarantine held", () -> QuarantineWriter.hold(feed, rejected, run))
          : timed(feed, "quarantine", () -> {
            QuarantineWriter.append(wh, feed, rejected, run, txnVersion);
            return List.of();
          });
      return new FeedResult(feed, listed, total[0], total[1], total[2], total[3], refusals, List.copyOf(ledgerRows), held);
    } finally {
      batch.unpersist();
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
