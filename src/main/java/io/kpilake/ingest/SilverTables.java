package io.kpilake.ingest;

import static io.kpilake.spark.Schemas.optional;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
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

  /** Creates the feed's silver table if it does not exist; returns its latest version (0: created empty). */
  public static long ensure(Warehouse wh, FeedSpec feed) {
    wh.createIfNotExists("silver", feed.tableName(), schema(feed),
        "Typed and validated " + feed.name() + " records, every version: " + feed.comment(), Map.of(), List.of());
    return wh.version("silver", feed.tableName());
  }

  /**
   * The (key, {@code _hash}) pairs silver holds at {@code version}, for {@link
   * SilverTransforms#classify}; empty at version 0 (the empty table {@link #ensure} created: a
   * first load compares with nothing and reads nothing). Pinned to the version, so a batch whose
   * classification is computed again (a lost cached block) compares with the same silver, whatever
   * this run has merged since. With {@code batchKeys} (a night's small batch) silver is filtered to
   * those keys by a broadcast semi-join, instead of shuffling all of silver to meet a few rows.
   */
  public static java.util.Optional<Dataset<Row>> known(Warehouse wh, FeedSpec feed, long version, Dataset<Row> batchKeys) {
    if (version == 0) {
      return java.util.Optional.empty();
    }
    List<String> keyAndHash = new ArrayList<>(feed.key());
    keyAndHash.add("_hash");
    Dataset<Row> known = wh.spark().read().format("delta").option("versionAsOf", version).load(wh.path("silver", feed.tableName()))
        .select(keyAndHash.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
    if (batchKeys != null) {
      known = broadcast(known.join(broadcast(batchKeys), Cols.seq(feed.key()), "left_semi"));
    }
    return java.util.Optional.of(known);
  }

  /** The distinct keys of {@code rows}. */
  public static Dataset<Row> keysOf(FeedSpec feed, Dataset<Row> rows) {
    return rows.select(feed.key().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new)).distinct();
  }

  /** The accepted rows of a classified batch in silver's base columns (history columns come from the merge). */
  public static Dataset<Row> versionsOf(FeedSpec feed, Dataset<Row> classified, String runId) {
    List<Column> cols = new ArrayList<>();
    feed.columnNames().forEach(c -> cols.add(col(c)));
    cols.add(col("_source_file"));
    cols.add(col("_file_order"));
    cols.add(col("_row_number"));
    cols.add(lit(runId).as("_run_id"));
    cols.add(col("_ingested_at"));
    cols.add(col("_hash"));
    return classified.filter(col("_outcome").equalTo(SilverTransforms.ACCEPTED)).select(cols.toArray(Column[]::new));
  }

  /**
   * MERGEs the accepted versions into silver, re-deriving the history (valid_to, is_current) of
   * every key they touch. The source is unique on (key, _hash), as MERGE requires. Into the empty
   * table of a first load ({@code firstLoad}: silver at version 0), the versions are appended.
   */
  public static void mergeNewVersions(Warehouse wh, FeedSpec feed, Dataset<Row> accepted, boolean smallBatch, boolean firstLoad) {
    List<String> base = new ArrayList<>(feed.columnNames());
    base.addAll(List.of("_source_file", "_file_order", "_row_number", "_run_id", "_ingested_at", "_hash"));
    Column[] baseCols = base.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    Dataset<Row> fresh = accepted.select(baseCols);
    Column[] silverCols = java.util.Arrays.stream(schema(feed).fieldNames()).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    if (firstLoad) {
      // The empty table ensure() created: nothing to match and no history to read; an append is
      // one Spark job where a MERGE takes six.
      SilverTransforms.orderVersions(feed).apply(fresh).select(silverCols)
          .write().format("delta").mode("append").save(wh.path("silver", feed.tableName()));
      return;
    }
    DeltaTable silver = wh.table("silver", feed.tableName());
    Dataset<Row> touchedKeys = keysOf(feed, fresh);
    Dataset<Row> previous = silver.toDF().join(smallBatch ? broadcast(touchedKeys) : touchedKeys, Cols.seq(feed.key()), "left_semi")
        .select(baseCols);
    Dataset<Row> versions = SilverTransforms.orderVersions(feed).apply(previous.unionByName(fresh));
    String on = feed.key().stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND ")) + " AND t._hash = s._hash";
    silver.as("t").merge(versions.as("s"), on)
        .whenMatched("NOT (t._is_current <=> s._is_current) OR NOT (t._valid_to <=> s._valid_to)")
        .updateExpr(Map.of("_valid_to", "s._valid_to", "_is_current", "s._is_current"))
        .whenNotMatched().insertAll()
        .execute();
  }
}
