package io.kpilake.ingest;

import static io.kpilake.spark.Schemas.optional;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.kpilake.contract.FeedSpec;
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

  /** Table property that lets a table take deletion vectors. */
  static final String DELETION_VECTORS = "delta.enableDeletionVectors";

  /**
   * Creates the feed's silver table if it does not exist; returns its latest version (0: created
   * empty). With {@code deletionVectors} ({@code kpi.ingest.silver-deletion-vectors}) the table
   * takes deletion vectors: created with them, or, made without them by an earlier release, upgraded
   * by one properties commit (the next version is returned). A night's MERGE then marks the
   * versions whose history it re-derives as deleted instead of rewriting every file that holds one
   * (docs/design.md). Without, a new table is created without them and an existing one is left as it is.
   */
  public static long ensure(Warehouse wh, FeedSpec feed, boolean deletionVectors) {
    Map<String, String> properties = deletionVectors ? Map.of(DELETION_VECTORS, "true") : Map.of();
    wh.createIfNotExists("silver", feed.tableName(), schema(feed),
        "Typed and validated " + feed.name() + " records, every version: " + feed.comment(), properties, List.of());
    if (deletionVectors && !"true".equals(wh.properties("silver", feed.tableName()).get(DELETION_VECTORS))) {
      wh.spark().sql("ALTER TABLE delta.`" + wh.path("silver", feed.tableName()).replace("`", "``")
          + "` SET TBLPROPERTIES ('" + DELETION_VECTORS + "' = 'true')");
    }
    return wh.version("silver", feed.tableName());
  }

  /**
   * The silver rows a batch can affect, read once at {@code version} for both the duplicate check
   * ({@link #known}) and the version history the merge re-derives: empty at version 0 (the empty
   * table {@link #ensure} created: a first load reads nothing). With {@code nightKeys} (a night's
   * batch, its keys collected by {@link #collectKeys}) only the rows of those keys, selected by a
   * filter Delta skips files by and Parquet pushes into its reader, persisted (the check and the
   * merge share one scan; release it with {@link #release}); without, all of silver, not
   * persisted. Pinned to the version, so a batch classified again (a lost cached block) compares
   * with the same silver, whatever this run has merged since.
   */
  public static java.util.Optional<Dataset<Row>> affected(Warehouse wh, FeedSpec feed, long version, NightKeys nightKeys) {
    if (version == 0) {
      return java.util.Optional.empty();
    }
    Dataset<Row> silver = wh.spark().read().format("delta").option("versionAsOf", version).load(wh.path("silver", feed.tableName()));
    if (nightKeys == null) {
      return java.util.Optional.of(silver);
    }
    Dataset<Row> rows = silver.filter(nightKeys.filter(""));
    if (feed.key().size() > 1) {
      // The cluster column's IN list selects a superset of the keys: the exact keys by a semi-join.
      rows = rows.join(wh.spark().createDataFrame(nightKeys.keys(), nightKeys.schema()), Cols.seq(feed.key()), "left_semi");
    }
    return java.util.Optional.of(rows.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK()));
  }

  /**
   * The distinct keys of a night's batch (its valid rows), on the driver ({@link #collectKeys}),
   * with the distinct values of the key's cluster column, taken once for {@link #filter}.
   */
  public record NightKeys(FeedSpec feed, List<Row> keys, StructType schema, Object[] clusterValues) {
    NightKeys(FeedSpec feed, List<Row> keys, StructType schema) {
      this(feed, keys, schema, distinctValues(keys, feed.key().indexOf(feed.clusterColumn())));
    }

    private static Object[] distinctValues(List<Row> keys, int column) {
      return keys.stream().map(r -> r.get(column)).distinct().toArray();
    }

    /**
     * A predicate (columns prefixed, e.g. {@code "t."}) that holds for every row of these keys, for
     * Delta to skip the files whose min/max statistics exclude it: the IN list of the key's cluster
     * column ({@link FeedSpec#clusterColumn}, which silver is laid out by). For a one-column key
     * that is the key itself (exact); for a wider key a superset. A night of usage holds one or two
     * days and, at tier M, some 60,000 accounts: an IN list of every account skipped no file (each
     * file spans all accounts) and cost the driver seconds to plan.
     */
    public Column filter(String prefix) {
      return col(prefix + feed.clusterColumn()).isin(clusterValues);
    }
  }

  /** Most keys a night's batch is filtered by (an IN list); more are joined with silver. */
  public static final int MAX_NIGHT_KEYS = 100_000;

  /** The night's keys of {@code rows} (one Spark job), or null when there are more than {@link #MAX_NIGHT_KEYS}. */
  public static NightKeys collectKeys(FeedSpec feed, Dataset<Row> rows) {
    Dataset<Row> keys = keysOf(feed, rows);
    // One job (a limit would take several): a night's batch is small, and so are its keys.
    List<Row> collected = keys.collectAsList();
    return collected.size() > MAX_NIGHT_KEYS ? null : new NightKeys(feed, collected, keys.schema());
  }

  /** Releases what {@link #affected} persisted. */
  public static void release(java.util.Optional<Dataset<Row>> affected) {
    affected.ifPresent(Dataset::unpersist);
  }

  /** The (key, {@code _hash}) pairs of the affected silver rows, for {@link SilverTransforms#classify}. */
  public static java.util.Optional<Dataset<Row>> known(FeedSpec feed, java.util.Optional<Dataset<Row>> affected) {
    List<String> keyAndHash = new ArrayList<>(feed.key());
    keyAndHash.add("_hash");
    return affected.map(a -> a.select(keyAndHash.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new)));
  }

  /** The distinct keys of {@code rows}. */
  public static Dataset<Row> keysOf(FeedSpec feed, Dataset<Row> rows) {
    return rows.select(feed.key().stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new)).distinct();
  }

  /**
   * The accepted rows of a classified batch, stamped with the run: {@link #mergeNewVersions} takes
   * silver's base columns from them (the history columns come from the merge).
   */
  public static Dataset<Row> versionsOf(Dataset<Row> classified, String runId) {
    return classified.filter(col("_outcome").equalTo(SilverTransforms.ACCEPTED)).withColumn("_run_id", lit(runId));
  }

  /**
   * MERGEs the accepted versions into silver, re-deriving the history (valid_to, is_current) of
   * every key they touch. The source is unique on (key, _hash), as MERGE requires. Into the empty
   * table of a first load (nothing {@link #affected}), and for a night none of whose keys silver
   * has yet, the versions are appended; otherwise the history comes from the affected rows,
   * restricted to the keys that have a new version. The MERGE runs through the session
   * {@code rewriter} gives ({@code wh} itself, or the same warehouse through another session), asked
   * for only when there is a MERGE: it rewrites every silver file that holds one of the night's keys,
   * which on a large table is most of it, whatever the batch's size, so the caller gives a session
   * sized by the table ({@link IngestJob}).
   */
  public static void mergeNewVersions(Warehouse wh, FeedSpec feed, Dataset<Row> accepted, java.util.Optional<Dataset<Row>> affected,
      NightKeys nightKeys, java.util.function.Supplier<Warehouse> rewriter) {
    List<String> base = new ArrayList<>(feed.columnNames());
    base.addAll(List.of("_source_file", "_file_order", "_row_number", "_run_id", "_ingested_at", "_hash"));
    Column[] baseCols = base.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    Dataset<Row> fresh = accepted.select(baseCols);
    Column[] silverCols = java.util.Arrays.stream(schema(feed).fieldNames()).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    boolean firstLoad = affected.isEmpty();
    // A night whose keys silver has none of (a new day of usage or rates, new ids): every accepted
    // row is a new key, so the MERGE would only insert; appending is the same rows for one Spark job
    // instead of a checkpoint and a MERGE's scan and write. (Checked on the night's few cached rows.)
    if (firstLoad || (nightKeys != null && affected.get().isEmpty())) {
      // A first load goes into the empty table ensure() created, range-partitioned by the cluster
      // column (which also groups each key's versions for the window): each file holds one range
      // of it, so a night's keys fall in few files' min/max statistics.
      Dataset<Row> rows = firstLoad ? fresh.repartitionByRange(col(feed.clusterColumn())) : fresh;
      SilverTransforms.orderVersions(feed).apply(rows).select(silverCols)
          .write().format("delta").mode("append").save(wh.path("silver", feed.tableName()));
      return;
    }
    DeltaTable silver = rewriter.get().table("silver", feed.tableName());
    Dataset<Row> touchedKeys = keysOf(feed, fresh);
    // A night's affected rows are few and cached: a plain join in the same job beats a broadcast
    // job of its own. All of silver (a large batch) meets the batch's keys by a shuffle.
    Dataset<Row> previous = affected.get().join(touchedKeys, Cols.seq(feed.key()), "left_semi").select(baseCols);
    // Computed once, before the MERGE reads it twice (its scan for matches, then its write);
    // Delta's own copy of the source is off (spark.databricks.delta.merge.materializeSource).
    Dataset<Row> versions = SilverTransforms.orderVersions(feed).apply(previous.unionByName(fresh)).localCheckpoint(true);
    String on = feed.key().stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND ")) + " AND t._hash = s._hash";
    // The night's keys (a superset of those in the source) let Delta skip the files that cannot match.
    Column condition = nightKeys == null ? expr(on) : expr(on).and(nightKeys.filter("t."));
    silver.as("t").merge(versions.as("s"), condition)
        .whenMatched("NOT (t._is_current <=> s._is_current) OR NOT (t._valid_to <=> s._valid_to)")
        .updateExpr(Map.of("_valid_to", "s._valid_to", "_is_current", "s._is_current"))
        .whenNotMatched().insertAll()
        .execute();
  }
}
