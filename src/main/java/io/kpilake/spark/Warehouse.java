package io.kpilake.spark;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Delta warehouse: {@code <root>/<database>/<table>} for the databases bronze, silver, kpi and
 * ops. Tables are addressed by path for writes; for SQL every table is registered in Spark's
 * in-memory catalog as {@code <database>.<table>} at start-up, from the layout itself.
 */
public final class Warehouse {
  public static final List<String> DATABASES = List.of("bronze", "silver", "kpi", "ops");

  /** What this process registered: the in-memory catalog lives as long as the process. */
  private static final Map<String, String> REGISTERED = new java.util.concurrent.ConcurrentHashMap<>();

  private final SparkSession spark;
  private final String root;
  private final boolean catalog;

  public Warehouse(SparkSession spark, String root) {
    this(spark, root, true);
  }

  private Warehouse(SparkSession spark, String root, boolean catalog) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.catalog = catalog;
  }

  /**
   * The same warehouse for a batch writer that never reads through the catalog ({@code bin/kpi
   * nightly}, {@code backfill}): registration is skipped, saving a snapshot load per table at start
   * and after publishing. Tables are still written and read by path.
   */
  public Warehouse withoutCatalog() {
    return new Warehouse(spark, root, false);
  }

  /**
   * The same warehouse (tables, paths, catalog registration) through another session of the same
   * Spark application: a step whose data size calls for other Spark settings than the run's
   * ({@link SmallData}) runs its queries there, with its own SQL configuration.
   */
  public Warehouse withSession(SparkSession session) {
    return new Warehouse(session, root, catalog);
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  public String path(String database, String table) {
    return root + "/" + database + "/" + table;
  }

  public boolean exists(String database, String table) {
    return DeltaTable.isDeltaTable(spark, path(database, table));
  }

  public DeltaTable table(String database, String table) {
    return DeltaTable.forPath(spark, path(database, table));
  }

  /**
   * The table's latest snapshot as its Delta log states it. Version, properties and comment come
   * from the log's protocol, metadata and checksum files on the driver: unlike {@code history(1)}
   * or {@code detail()}, no Spark job and no state reconstruction (Delta's internal
   * {@code DeltaLog} API, the one place this project uses it).
   */
  private org.apache.spark.sql.delta.Snapshot snapshot(String database, String table) {
    return org.apache.spark.sql.delta.DeltaLog.forTable(spark, path(database, table))
        .update(false, scala.Option.empty(), scala.Option.empty());
  }

  /**
   * True when the table's latest version has no data files, from the log's checksum (no Spark job;
   * a table without a checksum has its state computed). A read of an empty table is still a Spark
   * job, the table's state reconstruction: a first run skips it.
   */
  public boolean isEmpty(String database, String table) {
    return isEmpty(snapshot(database, table));
  }

  private static boolean isEmpty(org.apache.spark.sql.delta.Snapshot s) {
    // In Delta 4.4 Snapshot.numOfFiles() (and numOfFilesIfKnown()) always reconstruct the state:
    // a Spark job, 0.3-4.7 s each on a first run (18 of them). The version's checksum has the count.
    scala.Option<org.apache.spark.sql.delta.VersionChecksum> crc = s.checksumOpt();
    return (crc.isDefined() ? crc.get().numFiles() : s.numOfFiles()) == 0;
  }

  /**
   * The bytes of the table's data files at its latest version, from the version's checksum (no
   * Spark job); {@code Long.MAX_VALUE} when the log has no checksum (the caller then assumes large).
   */
  public long sizeInBytes(String database, String table) {
    scala.Option<org.apache.spark.sql.delta.VersionChecksum> crc = snapshot(database, table).checksumOpt();
    return crc.isDefined() ? crc.get().tableSizeBytes() : Long.MAX_VALUE;
  }

  /**
   * The bytes of the data files of {@code tables} of {@code database}, as {@link #sizeInBytes(String, String)}
   * gives them; a table that does not exist yet counts 0, an unknown size makes the sum {@code Long.MAX_VALUE}.
   */
  public long sizeInBytes(String database, java.util.Collection<String> tables) {
    long total = 0;
    for (String t : tables) {
      total = saturatingAdd(total, exists(database, t) ? sizeInBytes(database, t) : 0);
    }
    return total;
  }

  /** {@code a + b} for non-negative sizes, {@code Long.MAX_VALUE} (unknown or too large) instead of overflowing. */
  public static long saturatingAdd(long a, long b) {
    return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
  }

  /** The table's latest Delta version. */
  public long version(String database, String table) {
    return snapshot(database, table).version();
  }

  /**
   * A table's latest content: its Delta table id (new when a table is created again at the same
   * path), version, and whether that version has no data files ({@link #isEmpty}).
   */
  public record Content(String tableId, long version, boolean empty) {}

  /** The table's latest {@link Content}, from one read of the log (no Spark job). */
  public Content content(String database, String table) {
    org.apache.spark.sql.delta.Snapshot s = snapshot(database, table);
    return new Content(s.metadata().id(), s.version(), isEmpty(s));
  }

  /** Reads commit files' lines; an ObjectMapper is thread-safe once configured, and costly to build per call. */
  private static final com.fasterxml.jackson.databind.ObjectMapper COMMIT_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * The {@code userMetadata} of the commit that made {@code version} (Delta's {@code commitInfo}),
   * read from that version's JSON commit file on the driver (no Spark job); empty when the commit
   * has none or its file cannot be read (the caller then reads the table).
   */
  public java.util.Optional<String> commitUserMetadata(String database, String table, long version) {
    Path commit = new Path(path(database, table) + "/_delta_log/" + String.format(java.util.Locale.ROOT, "%020d.json", version));
    try {
      FileSystem fs = commit.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(fs.open(commit), java.nio.charset.StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          com.fasterxml.jackson.databind.JsonNode info = COMMIT_JSON.readTree(line).get("commitInfo");
          if (info != null) {
            com.fasterxml.jackson.databind.JsonNode meta = info.get("userMetadata");
            return meta == null || !meta.isTextual() ? java.util.Optional.empty() : java.util.Optional.of(meta.asText());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // A missing (cleaned-up) or unreadable commit file: the caller falls back to reading the table.
    }
    return java.util.Optional.empty();
  }

  /**
   * The table's properties (TBLPROPERTIES) as of {@code version}, from the Delta log (no Spark job).
   * Fails when the version is not in the log any more (after log cleanup), like time travel does.
   */
  public Map<String, String> propertiesAt(String database, String table, long version) {
    org.apache.spark.sql.delta.DeltaLog log = org.apache.spark.sql.delta.DeltaLog.forTable(spark, path(database, table));
    return scala.jdk.javaapi.CollectionConverters.asJava(
        log.getSnapshotAt(version, scala.Option.empty(), scala.Option.empty(), false).metadata().configuration());
  }

  /** The table's properties (TBLPROPERTIES) at its latest version. */
  public Map<String, String> properties(String database, String table) {
    return scala.jdk.javaapi.CollectionConverters.asJava(snapshot(database, table).metadata().configuration());
  }

  /**
   * Creates the table if it does not exist, with a table comment, column comments (from the
   * schema's "comment" metadata) and properties, then registers it in the catalog.
   */
  public void createIfNotExists(String database, String table, StructType schema, String comment,
      Map<String, String> properties, List<String> partitionColumns) {
    String path = path(database, table);
    if (!DeltaTable.isDeltaTable(spark, path)) {
      var builder = DeltaTable.createIfNotExists(spark).location(path).comment(comment);
      for (StructField f : schema.fields()) {
        var col = DeltaTable.columnBuilder(spark, f.name()).dataType(f.dataType()).nullable(f.nullable());
        if (f.getComment().isDefined()) {
          col = col.comment(f.getComment().get());
        }
        builder = builder.addColumn(col.build());
      }
      for (Map.Entry<String, String> p : properties.entrySet()) {
        builder = builder.property(p.getKey(), p.getValue());
      }
      if (!partitionColumns.isEmpty()) {
        builder = builder.partitionedBy(partitionColumns.toArray(String[]::new));
      }
      builder.execute();
    }
    register(database, table);
  }

  /**
   * Registers the Delta tables under the warehouse root that {@code wanted} accepts (by
   * {@code <database>.<table>}) and forgets catalog entries that point elsewhere (another warehouse
   * used earlier in this process). A {@code kpi} table in {@code pinnedKpiVersions} is registered as
   * a view of that version ({@link #registerPinned}); the versions are asked for only when a wanted
   * {@code kpi} table exists. Nothing is registered for a warehouse {@link #withoutCatalog()}.
   * Which tables and versions a reader sees is the publisher's to say ({@code publish.PublishedCatalog}).
   */
  public List<String> registerTables(java.util.function.Predicate<String> wanted,
      java.util.function.Supplier<Map<String, Long>> pinnedKpiVersions) {
    List<String> registered = new ArrayList<>();
    if (!catalog) {
      return registered;
    }
    var catalog = spark.sessionState().catalog();
    try {
      Path rootPath = new Path(root);
      FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (String db : DATABASES) {
        spark.sql("CREATE DATABASE IF NOT EXISTS " + db);
        for (var id : scala.jdk.javaapi.CollectionConverters.asJava(catalog.listTables(db))) {
          String name = db + "." + id.table();
          String at = REGISTERED.get(name);
          String loc = at == null ? null : at.replaceFirst("@v\\d+$", "");
          if (loc == null || !loc.equals(path(db, id.table())) || !fs.exists(new Path(loc, "_delta_log"))) {
            // Only catalog entries are dropped (external tables and views): data is never touched.
            catalog.dropTable(id, true, false);
            REGISTERED.remove(name);
          }
        }
        Path dbPath = new Path(root + "/" + db);
        if (!fs.exists(dbPath)) {
          continue;
        }
        FileStatus[] tables = fs.listStatus(dbPath);
        boolean anyWanted = java.util.Arrays.stream(tables).anyMatch(t -> wanted.test(db + "." + t.getPath().getName()));
        Map<String, Long> pinned = "kpi".equals(db) && anyWanted ? pinnedKpiVersions.get() : Map.of();
        for (FileStatus t : tables) {
          if (t.isDirectory() && wanted.test(db + "." + t.getPath().getName()) && fs.exists(new Path(t.getPath(), "_delta_log"))) {
            String name = t.getPath().getName();
            if (pinned.containsKey(name)) {
              registerPinned(db, name, pinned.get(name));
            } else {
              register(db, name);
            }
            registered.add(db + "." + name);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list warehouse " + root + ": " + e.getMessage(), e);
    }
    return registered;
  }

  /**
   * {@code database.table} as a view of the table at {@code version}: the version of the latest
   * complete publication, so a reader never sees some tables of a run that is still publishing.
   * The view carries the table's comment and column comments.
   */
  public void registerPinned(String database, String table, long version) {
    if (!catalog) {
      return;
    }
    String name = database + "." + table;
    String location = path(database, table);
    String key = location + "@v" + version;
    var catalog = spark.sessionState().catalog();
    var id = new org.apache.spark.sql.catalyst.TableIdentifier(table, scala.Option.apply(database));
    if (catalog.tableExists(id)) {
      if (key.equals(REGISTERED.get(name))) {
        return;
      }
      catalog.dropTable(id, true, false);
    }
    String source = "delta.`" + location.replace("`", "``") + "` VERSION AS OF " + version;
    // Schema and comment of the pinned version itself, from its log entries, without analysing a
    // query (not a speed change: the same Spark jobs then run when a query reads the view).
    org.apache.spark.sql.delta.Snapshot at = org.apache.spark.sql.delta.DeltaLog.forTable(spark, location)
        .getSnapshotAt(version, scala.Option.empty(), scala.Option.empty(), false);
    StructType schema = at.schema();
    StringBuilder cols = new StringBuilder();
    StringBuilder select = new StringBuilder();
    for (StructField f : schema.fields()) {
      String col = "`" + f.name().replace("`", "``") + "`";
      cols.append(cols.length() == 0 ? "" : ", ").append(col);
      if (f.getComment().isDefined()) {
        cols.append(" COMMENT '").append(sqlString(f.getComment().get())).append("'");
      }
      select.append(select.length() == 0 ? "" : ", ").append(col);
    }
    String comment = at.metadata().description();
    spark.sql("CREATE DATABASE IF NOT EXISTS " + database);
    spark.sql("CREATE VIEW " + name + " (" + cols + ")"
        + (comment == null ? "" : " COMMENT '" + sqlString(comment) + "'")
        + " AS SELECT " + select + " FROM " + source);
    REGISTERED.put(name, key);
  }

  private static String sqlString(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }

  /** (Re)points {@code database.table} at its location in this warehouse. */
  public void register(String database, String table) {
    if (!catalog) {
      return;
    }
    String name = database + "." + table;
    String location = path(database, table);
    spark.sql("CREATE DATABASE IF NOT EXISTS " + database);
    // The session catalog itself, not Delta's: an entry may point at a location that is gone.
    var catalog = spark.sessionState().catalog();
    var id = new org.apache.spark.sql.catalyst.TableIdentifier(table, scala.Option.apply(database));
    if (catalog.tableExists(id)) {
      if (location.equals(REGISTERED.get(name))) {
        return;
      }
      // External table: dropping the catalog entry never touches the data.
      catalog.dropTable(id, true, false);
    }
    spark.sql("CREATE TABLE IF NOT EXISTS " + name + " USING delta LOCATION '" + location.replace("'", "\\'") + "'");
    REGISTERED.put(name, location);
  }
}
