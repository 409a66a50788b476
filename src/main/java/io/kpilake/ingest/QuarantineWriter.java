package io.kpilake.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import io.kpilake.contract.FeedSpec;
import io.kpilake.ops.OpsTables;
import io.kpilake.ops.RunContext;
import io.kpilake.spark.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Appends rejected records to {@code ops.quarantine} (idempotent per feed batch, like bronze). */
public final class QuarantineWriter {
  private QuarantineWriter() {}

  public static void append(Warehouse wh, FeedSpec feed, Dataset<Row> rejected, RunContext run, long txnVersion) {
    rejected.select(lit(run.runId()).as("run_id"), lit(feed.source()).as("source"), lit(feed.entity()).as("entity"),
            col("_source_file").as("file"), col("_row_number").as("row_number"), col("raw_record"), col("reason"),
            current_timestamp().as("quarantined_at"))
        .write().format("delta").mode("append")
        .option("txnAppId", "kpi-lake:quarantine:" + feed.name())
        .option("txnVersion", txnVersion)
        .save(wh.path("ops", OpsTables.QUARANTINE));
  }
}
