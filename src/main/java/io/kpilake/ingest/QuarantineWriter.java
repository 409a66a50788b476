package io.kpilake.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import io.kpilake.contract.FeedSpec;
import io.kpilake.ops.OpsTables;
import io.kpilake.ops.RunContext;
import io.kpilake.spark.Warehouse;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Rejected records into {@code ops.quarantine}. A feed's few, short rejected records ({@link #holds})
 * are collected and held, and the run appends all feeds' held records in one commit before its
 * ledger commit ({@link #appendHeld}); a feed with more is appended on its own ({@link #append}).
 * Both appends are idempotent: a rerun of the same batches after a crash before the ledger commit
 * does not append them twice.
 */
public final class QuarantineWriter {
  /** The most rejected records of one feed's batch held in memory until the run's quarantine commit. */
  public static final long HOLD_MAX_ROWS = 20_000;
  /**
   * The most characters of raw text those records may have together (16 MB as Java strings): a
   * record can be as long as {@code kpi.ingest.max-chars-per-cell} allows, so a count alone does not
   * bound the memory.
   */
  public static final long HOLD_MAX_CHARS = 8L << 20;

  private QuarantineWriter() {}

  /** True when a batch's {@code rows} rejected records of {@code chars} characters of raw text are held, not appended now. */
  public static boolean holds(long rows, long chars) {
    return rows <= HOLD_MAX_ROWS && chars <= HOLD_MAX_CHARS;
  }

  /** The rejected records of a classified batch as {@code ops.quarantine} rows (a plan). */
  private static Dataset<Row> rows(FeedSpec feed, Dataset<Row> rejected, RunContext run) {
    return rejected.select(lit(run.runId()).as("run_id"), lit(feed.source()).as("source"), lit(feed.entity()).as("entity"),
        col("_source_file").as("file"), col("_row_number").as("row_number"), col("raw_record"), col("reason"),
        current_timestamp().as("quarantined_at"));
  }

  /** The rejected records of a batch, collected (one Spark job) to be appended by {@link #appendHeld}. */
  public static List<Row> hold(FeedSpec feed, Dataset<Row> rejected, RunContext run) {
    return rows(feed, rejected, run).collectAsList();
  }

  /** Appends one feed's batch of rejected records, idempotent per (feed, txnVersion). */
  public static void append(Warehouse wh, FeedSpec feed, Dataset<Row> rejected, RunContext run, long txnVersion) {
    rows(feed, rejected, run).write().format("delta").mode("append")
        .option("txnAppId", "kpi-lake:quarantine:" + feed.name())
        .option("txnVersion", txnVersion)
        .save(wh.path("ops", OpsTables.QUARANTINE));
  }

  /**
   * Appends the records every feed of a run held, in one commit, idempotent per
   * {@code txnVersion}: the number of files the ledger holds once this run's are recorded, which
   * grows with every run that ingests a file and is the same for a rerun of the same files.
   */
  public static void appendHeld(Warehouse wh, List<Row> rows, long txnVersion) {
    if (rows.isEmpty()) {
      return;
    }
    wh.spark().createDataFrame(rows, OpsTables.QUARANTINE_SCHEMA).write().format("delta").mode("append")
        .option("txnAppId", "kpi-lake:quarantine")
        .option("txnVersion", txnVersion)
        .save(wh.path("ops", OpsTables.QUARANTINE));
  }
}
