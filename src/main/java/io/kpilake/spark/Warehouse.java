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

  public Warehouse(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
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
   * Registers every Delta table found under the warehouse root, forgets catalog entries that point
   * elsewhere (another warehouse used earlier in this process), and creates the roll-up views.
   */
  public List<String> registerAll() {
    List<String> registered = new ArrayList<>();
    var catalog = spark.sessionState().catalog();
    try {
      Path rootPath = new Path(root);
      FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (String db : DATABASES) {
        spark.sql("CREATE DATABASE IF NOT EXISTS " + db);
        for (var id : scala.jdk.javaapi.CollectionConverters.asJava(catalog.listTables(db))) {
          String name = db + "." + id.table();
          String at = REGISTERED.get(name);
          if (at == null || !at.equals(path(db, id.table())) || !fs.exists(new Path(at, "_delta_log"))) {
            // Only catalog entries are dropped (external tables and views): data is never touched.
            catalog.dropTable(id, true, false);
            REGISTERED.remove(name);
          }
        }
        Path dbPath = new Path(root + "/" + db);
        if (!fs.exists(dbPath)) {
          continue;
        }
        for (FileStatus t : fs.listStatus(dbPath)) {
          if (t.isDirectory() && fs.exists(new Path(t.getPath(), "_delta_log"))) {
            register(db, t.getPath().getName());
            registered.add(db + "." + t.getPath().getName());
          }
        }
      }
      io.kpilake.publish.Views.register(spark, registered);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list warehouse " + root + ": " + e.getMessage(), e);
    }
    return registered;
  }

  /** (Re)points {@code database.table} at its location in this warehouse. */
  public void register(String database, String table) {
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
