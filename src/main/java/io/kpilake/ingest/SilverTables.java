package io.kpilake.ingest;

import static io.kpilake.spark.Schemas.optional;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import io.kpilake.ops.RunContext;
import io.kpilake.spark.Cols;
import io.kpilake.spark.Schemas;
import io.kpilake.spark.Warehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Silver: typed, validated records, every distinct version of every key, with
 * {@code _valid_from}/{@code _valid_to}/{@code _is_current} so any step can read the state as of a
 * past date; {@code _is_current} gives the latest version (greatest updated_at, then later file,
 * then later row).
 */
public final class SilverTables {
  private SilverTables() {}

  public static StructType schema(FeedSpec feed) {
    List<StructField> fields = new ArrayList<>();
    for (FeedSpec.Column c : feed.columns()) {
      fields.add(Schemas.col(c.name(), c.type().sparkType, !c.required(), c.comment()));
    }
    fields.add(optional("_source_file", DataTypes.StringType, "Landing file of this version"));
    fields.add(optional("_file_order", DataTypes.StringType, "Delivery date/file name: orders versions with equal updated_at"));
    fields.add(optional("_row_number", DataTypes.LongType, "Row of this version in its file"));
    fields.add(optional("_run_id", DataTypes.StringType, "Run that ingested this version"));
    fields.add(optional("_ingested_at", DataTypes.TimestampType, "When this version was ingested (UTC)"));
    fields.add(optional("_hash", DataTypes.StringType, "SHA-256 of the contract columns: same key and hash = same record"));
    fields.add(optional("_valid_from", DataTypes.TimestampType, "This version's updated_at (null for feeds without one)"));
    fields.add(optional("_valid_to", DataTypes.TimestampType, "The next version's updated_at; null while current"));
    fields.add(optional("_is_current", DataTypes.BooleanType, "True for the latest version of the key"));
    return new StructType(fields.toArray(StructField[]::new));
  }

  public static void ensure(Warehouse wh, FeedSpec feed) {
    wh.createIfNotExists("silver", feed.tableName(), schema(feed),
        "Typed and validated " + feed.name() + " records, every version: " + feed.comment(), Map.of(), List.of());
  }

  /**
   * Valid typed rows -> the same rows with {@code _hash} and {@code _outcome}: {@code accepted}
   * (a version silver does not have yet, first in the batch) or {@code duplicate}. With
   * {@code smallBatch} (a night's deliveries) the batch's keys are broadcast: silver is filtered to
   * the keys the batch touches in the scan, instead of shuffling all of silver to meet a few rows.
   */
  public static Dataset<Row> classify(Warehouse wh, FeedSpec feed, Dataset<Row> valid, RunContext run, boolean smallBatch) {
    ensure(wh, feed);
    List<Column> cols = new ArrayList<>();
    feed.columnNames().forEach(c -> cols.add(col(c)));
    cols.add(col("_source_file"));
    cols.add(col("_file_order"));
    cols.add(col("_row_number"));
    cols.add(lit(run.runId()).as("_run_id"));
    cols.add(current_timestamp().as("_ingested_at"));
    Dataset<Row> selected = valid.select(cols.toArray(Column[]::new));
    Dataset<Row> ranked = SilverTransforms.contentHash(feed)
        .andThen(SilverTransforms.rankDuplicates(feed))
        .apply(selected);
    List<String> keyAndHash = new ArrayList<>(feed.key());
    keyAndHash.add("_hash");
    Dataset<Row> known = wh.table("silver", feed.tableName()).toDF()
        .select(keyAndHash.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new))
        .withColumn("_known", lit(true));
    if (smallBatch) {
      // The batch's keys from before the hash and the duplicate ranking: the keys need neither, and
      // taking them from {@code ranked} would run its window a second time.
      known = broadcast(known.join(broadcast(keysOf(feed, selected)), Cols.seq(feed.key()), "left_semi"));
    }
    return ranked.join(known, Cols.seq(keyAndHash), "left")
        .withColumn("_outcome", when(col("_dup_rank").gt(1).or(col("_known").isNotNull()), lit("duplicate"))
            .otherwise(lit("accepted")))
        .drop("_known", "_dup_rank");
  }

  private static Dataset<Row> keysOf(FeedSpec feed, Dataset<Row> rows) {
    return rows.select(feed.key().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new)).distinct();
  }

  /**
   * MERGEs the accepted versions into silver, re-deriving the history (valid_to, is_current) of
   * every key they touch. The source is unique on (key, _hash), as MERGE requires. Into the empty
   * table of a first load, the versions are appended.
   */
  public static void mergeNewVersions(Warehouse wh, FeedSpec feed, Dataset<Row> accepted, boolean smallBatch) {
    DeltaTable silver = wh.table("silver", feed.tableName());
    List<String> base = new ArrayList<>(feed.columnNames());
    base.addAll(List.of("_source_file", "_file_order", "_row_number", "_run_id", "_ingested_at", "_hash"));
    Column[] baseCols = base.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    Dataset<Row> fresh = accepted.select(baseCols);
    Dataset<Row> touchedKeys = keysOf(feed, fresh);
    Dataset<Row> previous = silver.toDF().join(smallBatch ? broadcast(touchedKeys) : touchedKeys, Cols.seq(feed.key()), "left_semi")
        .select(baseCols);
    Dataset<Row> versions = SilverTransforms.orderVersions(feed).apply(previous.unionByName(fresh));
    if (wh.version("silver", feed.tableName()) == 0) {
      // Version 0 is the empty table ensure() created: a first load has nothing to match, and an
      // append is one Spark job where a MERGE takes six.
      versions.select(java.util.Arrays.stream(schema(feed).fieldNames()).map(org.apache.spark.sql.functions::col).toArray(Column[]::new))
          .write().format("delta").mode("append").save(wh.path("silver", feed.tableName()));
      return;
    }
    String on = feed.key().stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND ")) + " AND t._hash = s._hash";
    silver.as("t").merge(versions.as("s"), on)
        .whenMatched("NOT (t._is_current <=> s._is_current) OR NOT (t._valid_to <=> s._valid_to)")
        .updateExpr(Map.of("_valid_to", "s._valid_to", "_is_current", "s._is_current"))
        .whenNotMatched().insertAll()
        .execute();
  }
}
