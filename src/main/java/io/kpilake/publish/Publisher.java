package io.kpilake.publish;

import static org.apache.spark.sql.functions.col;

import io.kpilake.contract.KpiTable;
import io.kpilake.ops.RunContext;
import io.kpilake.spark.Warehouse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Publishes curated tables: created once with comments, NOT NULL and CHECK constraints; each run
 * replaces the content in one Delta commit and stamps the provenance properties kpi.as_of_date,
 * kpi.run_id, kpi.app_version, kpi.policy_hash and kpi.inputs (what the run read). A run's tables
 * become visible through the catalog together, when {@link #recordPublication} commits their
 * versions to ops.published_versions ({@link PublishedCatalog#registerAll} pins {@code kpi.*} to them).
 */
public final class Publisher {
  private final Warehouse wh;
  private final RunContext run;
  private final String inputs;

  public Publisher(Warehouse wh, RunContext run, String inputs) {
    this.wh = wh;
    this.run = run;
    this.inputs = inputs;
  }

  public static void ensure(Warehouse wh, KpiTable t) {
    if (!wh.exists("kpi", t.name())) {
      // CHECK constraints live in the table metadata as delta.constraints.<name> (what ALTER TABLE ADD
      // CONSTRAINT writes): set at creation, they cost no commit and no scan of their own.
      Map<String, String> constraints = new LinkedHashMap<>();
      t.checks().forEach((name, expr) -> constraints.put("delta.constraints." + name, expr));
      wh.createIfNotExists("kpi", t.name(), t.schema(), t.comment(), constraints, List.of());
    } else {
      wh.register("kpi", t.name());
    }
  }

  /** Table property: the rows the latest publish wrote (absent on tables published before it existed). */
  public static final String ROW_COUNT = "kpi.row_count";

  /**
   * Table property of a table that keeps one row set per as-of date ({@link KpiTable#historyColumn}):
   * the column; {@link #ROW_COUNT} and {@link #rowCount} then count the publication's own date.
   */
  public static final String HISTORY_COLUMN = "kpi.history_column";

  /** Table property: the Delta version whose rows {@link #ROW_COUNT} counts. */
  public static final String ROW_COUNT_VERSION = "kpi.row_count_version";

  /**
   * Rows of the table at {@code version}: {@link #ROW_COUNT} from the Delta log (no Spark job) when
   * that version is the commit in which a publish stamped it, else counted at that version. A publish
   * writes the data at v and stamps v in the properties commit v + 1, the version it returns and
   * {@link #recordPublication} lists; any other version (an out-of-band write, DELETE or OPTIMIZE
   * after it) is counted.
   */
  public static long rowCount(Warehouse wh, String table, long version) {
    Map<String, String> props = wh.propertiesAt("kpi", table, version);
    String stamped = props.get(ROW_COUNT);
    String countedAt = props.get(ROW_COUNT_VERSION);
    boolean current = stamped != null && countedAt != null && Long.parseLong(countedAt) + 1 == version;
    if (current) {
      return Long.parseLong(stamped);
    }
    Dataset<Row> rows = wh.spark().read().format("delta").option("versionAsOf", version).load(wh.path("kpi", table));
    String history = props.get(HISTORY_COLUMN);
    String asOf = props.get("kpi.as_of_date");
    // A history table's publication is its as-of date's rows (what that run wrote and stamped).
    return (history == null || asOf == null ? rows : rows.filter(col(history).equalTo(java.sql.Date.valueOf(asOf)))).count();
  }

  /** {@code rows} as the table stores them: its declared columns, in order, cast to their declared types. */
  public static Dataset<Row> shaped(KpiTable t, Dataset<Row> rows) {
    return rows.select(t.columns().stream().map(c -> col(c.name()).cast(c.type()).as(c.name())).toArray(Column[]::new));
  }

  /** The provenance of a published table, or null when it was never published. */
  public static String inputsOf(Warehouse wh, KpiTable t) {
    if (!wh.exists("kpi", t.name())) {
      return null;
    }
    return wh.properties("kpi", t.name()).get("kpi.inputs");
  }

  /** {@code delta.`<path>`}: DDL goes to the table itself, whatever {@code kpi.<name>} points at. */
  private static String byPath(Warehouse wh, KpiTable t) {
    return "delta.`" + wh.path("kpi", t.name()).replace("`", "``") + "`";
  }

  /**
   * Replaces the table's content with {@code rows} (columns selected and cast as declared) and
   * returns the Delta version that holds it. Readers through the catalog keep seeing the previous
   * publication until {@link #recordPublication} lists the new versions.
   */
  public long publish(KpiTable t, Dataset<Row> rows) {
    return publish(t, rows, null);
  }

  /**
   * {@link #publish(KpiTable, Dataset)} of {@code rowCount} rows, counted by the caller: the count is
   * stamped as table property {@code kpi.row_count}, which the next run's row-count-drop gate reads
   * from the Delta log instead of counting the table ({@link #rowCount}).
   */
  public long publish(KpiTable t, Dataset<Row> rows, Long rowCount) {
    return publish(t, rows, rowCount, null);
  }

  /**
   * Part of a table's publication: the published rows that match {@code condition} (a SQL
   * predicate) are replaced with {@code rows}, the others stay. Valid only while the table is at
   * version {@code basedOn}, the one the kept rows were read from: at any other version (a write
   * no publication recorded, a crashed run's) the table is replaced whole.
   */
  public record Replacement(String condition, Dataset<Row> rows, long basedOn) {}

  /**
   * {@link #publish(KpiTable, Dataset, Long)}, where {@code part} (null: none) lets the publish
   * write only the replaced rows: one commit that removes the published rows matching its
   * condition (Delta rewrites the files holding them, skipping the others by their statistics)
   * and adds the new ones, so that the table then holds {@code rows}. Used when the table is still
   * at {@code part.basedOn()}; otherwise {@code rows} replace the table whole.
   */
  public long publish(KpiTable t, Dataset<Row> rows, Long rowCount, Replacement part) {
    ensure(wh, t);
    // Into an empty table (a first run) an append is the same replacement without the overwrite's
    // read of the table's state (a Spark job a table).
    boolean empty = wh.isEmpty("kpi", t.name());
    boolean partial = part != null && !empty && wh.version("kpi", t.name()) == part.basedOn();
    if (partial && t.keepsHistory()) {
      throw new IllegalArgumentException("kpi." + t.name() + " keeps a row set per " + t.historyColumn() + ": no other replacement");
    }
    Dataset<Row> out = shaped(t, partial ? part.rows() : rows);
    if (t.layoutColumn() != null) {
      out = out.repartitionByRange(col(t.layoutColumn()));
    }
    String meta = "{\"run_id\":\"" + run.runId() + "\",\"as_of_date\":\"" + run.asOf() + "\",\"policy_hash\":\"" + run.policyHash() + "\"}";
    org.apache.spark.sql.DataFrameWriter<Row> w = out.write().format("delta").mode(empty ? "append" : "overwrite")
        .option("userMetadata", meta);
    if (t.keepsHistory() && !empty) {
      // One row set per as-of date: this run replaces its own date's rows only, in one commit
      // (Delta checks that every row written matches the condition).
      w = w.option("replaceWhere", t.historyColumn() + " = DATE'" + run.asOf() + "'");
    } else if (partial) {
      w = w.option("replaceWhere", part.condition());
    }
    w.save(wh.path("kpi", t.name()));
    Map<String, String> props = new LinkedHashMap<>();
    props.put("kpi.as_of_date", run.asOf().toString());
    props.put("kpi.run_id", run.runId());
    props.put("kpi.app_version", run.appVersion());
    props.put("kpi.policy_hash", run.policyHash());
    props.put("kpi.inputs", inputs);
    if (t.keepsHistory()) {
      props.put(HISTORY_COLUMN, t.historyColumn());
    }
    if (rowCount != null) {
      props.put(ROW_COUNT, Long.toString(rowCount));
      props.put(ROW_COUNT_VERSION, Long.toString(wh.version("kpi", t.name())));
    }
    StringBuilder sb = new StringBuilder();
    props.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append("'").append(k).append("' = '").append(v.replace("'", "")).append("'"));
    wh.spark().sql("ALTER TABLE " + byPath(wh, t) + " SET TBLPROPERTIES (" + sb + ")");
    return wh.version("kpi", t.name());
  }

  /**
   * Completes a publication: one commit to ops.published_versions lists the version of every table
   * of the run. Until it lands, {@code kpi.*} in the catalog still read the previous publication, so
   * a reader sees either all of the previous results or all of the new ones.
   */
  public void recordPublication(Map<String, Long> versions) {
    // Microseconds, what the table's TIMESTAMP keeps: the commit's copy below is the same instant.
    java.time.Instant at = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    java.sql.Timestamp now = java.sql.Timestamp.from(at);
    List<Row> rows = versions.entrySet().stream().map(e -> org.apache.spark.sql.RowFactory.create(
        run.runId(), java.sql.Date.valueOf(run.asOf()), e.getKey(), e.getValue(), now)).toList();
    wh.spark().createDataFrame(rows, io.kpilake.ops.OpsTables.PUBLISHED_VERSIONS_SCHEMA).write().format("delta")
        .mode("append").option("userMetadata", commitMetadata(new Publication(run.runId(), run.asOf(), versions, now)))
        .save(wh.path("ops", io.kpilake.ops.OpsTables.PUBLISHED_VERSIONS));
  }

  /** Thread-safe once configured: one for the publication's commit metadata, written and read. */
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** Key of the publication in the {@code userMetadata} of its ops.published_versions commit. */
  static final String PUBLICATION_KEY = "kpi_publication";

  /**
   * The publication as JSON for its commit's {@code userMetadata}: the same facts as the rows the
   * commit appends, so that {@link #latest} can read them from the Delta log without a Spark job.
   */
  static String commitMetadata(Publication p) {
    com.fasterxml.jackson.databind.node.ObjectNode pub = JSON.createObjectNode()
        .put("run_id", p.runId()).put("as_of_date", p.asOf().toString()).put("published_at", p.publishedAt().toInstant().toString());
    com.fasterxml.jackson.databind.node.ObjectNode versions = pub.putObject("versions");
    new java.util.TreeMap<>(p.versions()).forEach(versions::put);
    return JSON.createObjectNode().set(PUBLICATION_KEY, pub).toString();
  }

  /**
   * The publication a commit's {@code userMetadata} holds ({@link #commitMetadata}), or null when it
   * holds none (another kind of commit, a warehouse published before the metadata existed).
   */
  static Publication fromCommitMetadata(java.util.Optional<String> userMetadata) {
    if (userMetadata.isEmpty()) {
      return null;
    }
    try {
      com.fasterxml.jackson.databind.JsonNode p = JSON.readTree(userMetadata.get()).get(PUBLICATION_KEY);
      if (p == null || p.get("versions") == null || p.get("versions").isEmpty()) {
        return null;
      }
      Map<String, Long> versions = new LinkedHashMap<>();
      p.get("versions").fields().forEachRemaining(e -> versions.put(e.getKey(), e.getValue().asLong()));
      return new Publication(p.get("run_id").asText(), java.time.LocalDate.parse(p.get("as_of_date").asText()), Map.copyOf(versions),
          java.sql.Timestamp.from(java.time.Instant.parse(p.get("published_at").asText())));
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A complete publication: the run that made it, its as-of date, the Delta version of every table,
   * and when it was recorded (every silver row ingested after it has a later {@code _ingested_at}).
   */
  public record Publication(String runId, java.time.LocalDate asOf, Map<String, Long> versions, java.sql.Timestamp publishedAt) {}

  /**
   * The latest complete publication (the rows of {@code ops.published_versions} with the greatest
   * {@code published_at}), or null when nothing was published: one read serves the run id, the
   * as-of date and the versions. The answer is kept per table version: a run asks several times
   * (the rewind check, the KPI gates, the catalog's pinning, the report), and each read was a Delta
   * scan and a Spark job; the table's id and version, from the log, tell whether it changed since.
   */
  public static Publication latest(Warehouse wh) {
    String table = io.kpilake.ops.OpsTables.PUBLISHED_VERSIONS;
    if (!wh.exists("ops", table)) {
      return null;
    }
    // One read of the log for the emptiness check and the memo's key.
    Warehouse.Content content = wh.content("ops", table);
    if (content.empty()) {
      return null;
    }
    String path = wh.path("ops", table);
    Latest known = LATEST.get(path);
    if (known != null && known.content().equals(content)) {
      return known.publication();
    }
    // The latest commit is a publication's own append (recordPublication): its userMetadata holds
    // the publication, read from the log without a Spark job (the first job of a night otherwise).
    Publication recorded = fromCommitMetadata(wh.commitUserMetadata("ops", table, content.version()));
    if (recorded != null) {
      LATEST.put(path, new Latest(content, recorded));
      return recorded;
    }
    // Otherwise (a warehouse published before that, or a later maintenance commit): its rows.
    Publication p = readLatest(wh, content.version());
    LATEST.put(path, new Latest(content, p));
    return p;
  }

  /**
   * The latest publication in the rows of ops.published_versions at {@code version}: one Spark job,
   * the latest published_at as a window over the whole (small) table, not a separate max() query
   * first. Null when the table has no rows.
   */
  static Publication readLatest(Warehouse wh, long version) {
    List<Row> rows = wh.spark().read().format("delta").option("versionAsOf", version)
        .load(wh.path("ops", io.kpilake.ops.OpsTables.PUBLISHED_VERSIONS))
        .withColumn("_latest", org.apache.spark.sql.functions.max("published_at").over(org.apache.spark.sql.expressions.Window.partitionBy()))
        .filter(col("published_at").equalTo(col("_latest")))
        .select("table_name", "version", "run_id", "as_of_date", "published_at").collectAsList();
    if (rows.isEmpty()) {
      return null;
    }
    Map<String, Long> versions = new LinkedHashMap<>();
    for (Row r : rows) {
      versions.put(r.getString(0), r.getLong(1));
    }
    return new Publication(rows.get(0).getString(2), rows.get(0).getDate(3).toLocalDate(), Map.copyOf(versions), rows.get(0).getTimestamp(4));
  }

  /** The latest publication read from a content of ops.published_versions (null: none). */
  private record Latest(Warehouse.Content content, Publication publication) {}

  /** Per ops.published_versions path, the content last read and the publication it holds. */
  private static final Map<String, Latest> LATEST = new java.util.concurrent.ConcurrentHashMap<>();

  /** Table name -> Delta version of the latest complete publication (empty when none). */
  public static Map<String, Long> latestPublication(Warehouse wh) {
    Publication p = latest(wh);
    return p == null ? Map.of() : p.versions();
  }

  /** The as-of date of the latest complete publication, or null when nothing was published. */
  public static java.time.LocalDate publishedAsOf(Warehouse wh) {
    Publication p = latest(wh);
    return p == null ? null : p.asOf();
  }

  /** The latest Delta version of every published table (empty for tables never created). */
  public static Map<String, Long> currentVersions(Warehouse wh, List<KpiTable> tables) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (KpiTable t : tables) {
      if (wh.exists("kpi", t.name())) {
        out.put(t.name(), wh.version("kpi", t.name()));
      }
    }
    return out;
  }
}
