package io.kpilake.ops;

import static io.kpilake.spark.Schemas.optional;
import static io.kpilake.spark.Schemas.required;
import static io.kpilake.spark.Schemas.struct;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import io.kpilake.spark.Warehouse;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructType;

/** The operational tables in {@code ops}: runs, the file ledger, quarantine and publications. */
public final class OpsTables {
  private OpsTables() {}

  public static final String PIPELINE_RUNS = "pipeline_runs";
  public static final String INGESTED_FILES = "ingested_files";
  public static final String QUARANTINE = "quarantine";
  public static final String PUBLISHED_VERSIONS = "published_versions";

  public static final StructType PIPELINE_RUNS_SCHEMA = struct(
      required("run_id", StringType, "Run identifier (UTC start time + random suffix)"),
      required("as_of_date", DateType, "The run's as-of date D"),
      required("step", StringType, "Pipeline step, e.g. ingest:billing/invoice_lines, publish"),
      required("status", StringType, "succeeded, failed, skipped or refused"),
      required("started_at", TimestampType, "Step start (UTC)"),
      optional("finished_at", TimestampType, "Step end (UTC)"),
      optional("rows_in", LongType, "Rows read by the step"),
      optional("rows_out", LongType, "Rows written or accepted by the step"),
      optional("rows_quarantined", LongType, "Rows sent to ops.quarantine by the step"),
      optional("policy_hash", StringType, "Hash of the KPI-definition configuration"),
      optional("message", StringType, "What happened, or why the step failed"));

  public static final StructType INGESTED_FILES_SCHEMA = struct(
      required("path", StringType, "Full path or URI of the landing file"),
      required("size_bytes", LongType, "File size at ingestion; part of the ledger key"),
      required("modification_time", LongType, "File modification time (epoch ms); part of the ledger key"),
      required("source", StringType, "Feed source, e.g. billing"),
      required("entity", StringType, "Feed entity, e.g. invoice_lines"),
      required("dt", DateType, "Delivery date from the dt= folder"),
      required("run_id", StringType, "Run that ingested the file"),
      required("rows_read", LongType, "Records read from the file"),
      required("rows_accepted", LongType, "Records accepted into silver as new versions"),
      required("rows_quarantined", LongType, "Records sent to ops.quarantine"),
      required("rows_duplicate", LongType, "Records already known (same key and content): not counted again"),
      required("ingested_at", TimestampType, "When the file was ingested (UTC)"));

  public static final StructType QUARANTINE_SCHEMA = struct(
      required("run_id", StringType, "Run that read the record"),
      required("source", StringType, "Feed source"),
      required("entity", StringType, "Feed entity"),
      required("file", StringType, "Landing file the record came from"),
      required("row_number", LongType, "Row in the file: CSV data record number after the header, JSON line number, Parquet row index + 1"),
      optional("raw_record", StringType, "The record as it was in the file"),
      required("reason", StringType, "Why the record was rejected (every failed rule, '; '-separated)"),
      required("quarantined_at", TimestampType, "When it was quarantined (UTC)"));

  public static final StructType PUBLISHED_VERSIONS_SCHEMA = struct(
      required("run_id", StringType, "Run that published the tables"),
      required("as_of_date", DateType, "The run's as-of date D"),
      required("table_name", StringType, "Curated table, e.g. account_mrr_monthly (in database kpi)"),
      required("version", LongType, "Delta version of the table holding that run's results"),
      required("published_at", TimestampType, "When the run's publication completed (UTC); same on every row of a run"));

  /**
   * Creates the ops tables that do not exist yet, all four at once: on a first run each creation is
   * a Delta commit of its own, mostly latency, and nothing orders them.
   */
  public static void ensure(Warehouse wh) {
    List<Runnable> creations = List.of(
        () -> wh.createIfNotExists("ops", PIPELINE_RUNS, PIPELINE_RUNS_SCHEMA,
            "One row per pipeline run and step, success or failure", Map.of(), List.of()),
        () -> wh.createIfNotExists("ops", INGESTED_FILES, INGESTED_FILES_SCHEMA,
            "File ledger: every landing file ingested exactly once, with its reconciliation counts "
                + "(rows_read = rows_accepted + rows_quarantined + rows_duplicate)", Map.of(), List.of()),
        () -> wh.createIfNotExists("ops", QUARANTINE, QUARANTINE_SCHEMA,
            "Rejected records with file, row number, raw text and reason", Map.of(), List.of()),
        () -> wh.createIfNotExists("ops", PUBLISHED_VERSIONS, PUBLISHED_VERSIONS_SCHEMA,
            "Complete publications: one commit per run lists the Delta version of every kpi table it published; "
                + "kpi.* in the catalog read the versions of the latest publication", Map.of(), List.of()));
    Parallel.map(creations, creations.size(), "kpi-ops-tables", c -> {
      c.run();
      return null;
    });
  }
}
