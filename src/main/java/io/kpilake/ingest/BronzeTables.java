package io.kpilake.ingest;

import static io.kpilake.spark.Schemas.optional;
import static io.kpilake.spark.Schemas.required;
import static io.kpilake.spark.Schemas.struct;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import io.kpilake.contract.FeedSpec;
import io.kpilake.spark.Warehouse;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Bronze: every record as delivered, with its file, row number and run (append-only). */
public final class BronzeTables {
  private BronzeTables() {}

  public static final StructType SCHEMA = struct(
      required("run_id", StringType, "Run that ingested the record"),
      required("source_file", StringType, "Landing file"),
      optional("file_dt", DateType, "Delivery date (dt= folder)"),
      required("row_number", LongType, "Row in the file (CSV data record number, JSON line, Parquet row index + 1)"),
      optional("raw_record", StringType, "The record as it was in the file"),
      required("record", DataTypes.createMapType(StringType, StringType, true),
          "All fields by contract name (after configured renames), unknown extra columns included, as text"),
      optional("row_error", StringType, "Why the row could not be split into fields, if so"),
      required("ingested_at", TimestampType, "When it was ingested (UTC)"));

  /** Creates the feed's bronze table if it does not exist. */
  public static void ensure(Warehouse wh, FeedSpec feed) {
    wh.createIfNotExists("bronze", feed.tableName(), SCHEMA, "Raw records of feed " + feed.name() + ": " + feed.comment(),
        Map.of(), List.of());
  }

  /**
   * Appends a batch. The commit is idempotent per (feed, txnVersion): a rerun after a crash between
   * this append and the ledger write does not append the same batch twice. The table exists
   * ({@link #ensure}, once per feed and run).
   */
  public static void append(Warehouse wh, FeedSpec feed, Dataset<Row> rows, long txnVersion) {
    rows.write().format("delta").mode("append")
        .option("txnAppId", "kpi-lake:bronze:" + feed.name())
        .option("txnVersion", txnVersion)
        .save(wh.path("bronze", feed.tableName()));
  }
}
