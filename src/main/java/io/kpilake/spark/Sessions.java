package io.kpilake.spark;

import io.kpilake.config.KpiConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Builds the one SparkSession of a process from the configuration. */
public final class Sessions {
  private Sessions() {}

  public static SparkSession create(KpiConfig cfg) {
    SparkSession.Builder b = SparkSession.builder().appName(cfg.spark().appName());
    // Under spark-submit the launcher's --master wins: never hard-code one then.
    if (System.getProperty("spark.master") == null) {
      b = b.master(cfg.spark().master());
    }
    // Delta's SQL and catalog; then, in small steps only, one-partition shuffles become
    // concatenations (OnePartitionShuffles: fewer stages, the same rows); then a user's own extensions.
    b = b.config(EXTENSIONS, extensions(System.getProperty(EXTENSIONS), cfg.spark().conf().get(EXTENSIONS)))
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        // Tables are registered from the warehouse layout at start-up (Warehouse#registerTables, through publish.PublishedCatalog):
        // no metastore service or Derby lock files, works the same on a laptop, S3 and a cluster.
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.warehouse.dir", scratchWarehouseDir())
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", String.valueOf(cfg.spark().shufflePartitions()))
        // Adaptive execution off: it runs every shuffle stage as a Spark job of its own (a night had
        // 706 jobs with it, most of them tiny), and its coalescing has little to do at 8 shuffle
        // partitions. Measured in bench/RESULTS.md; kpi.spark.conf can turn it back on.
        .config("spark.sql.adaptive.enabled", "false")
        // A run plans a few hundred distinct queries; Spark's cache of compiled code keeps 100, so
        // plans that recur later in the run (the same silver reads and filters) would be compiled
        // again. Janino compiling showed high in a JFR profile of a night; the wall time saved by the
        // larger cache alone was not measured apart from the other changes of that commit. 2000
        // entries cost a few MB.
        .config("spark.sql.codegen.cache.maxEntries", "2000")
        .config("spark.ui.enabled", String.valueOf(cfg.spark().uiEnabled()))
        .config("spark.ui.showConsoleProgress", "false")
        // Delta's log replay (a table's state, a Spark job whenever a version is first read) defaults
        // to 50 partitions. Our tables have tens to a few thousand files: one partition replays them
        // in one task, and the state's file listings ("Filtering files for query") are one task each.
        // Tier S night, two interleaved pairs (docs/design.md): 37 state reconstructions 46.4 / 34.2 s
        // -> 31.0 / 26.2 s of job time with 4 partitions -> 1. Raise it for tables of 100,000s of files.
        .config("spark.databricks.delta.snapshotPartitions", "1")
        .config("spark.databricks.delta.schema.autoMerge.enabled", "false")
        // Delta 4.4 lists a small table's files in each version's checksum (.crc) by default, and
        // reads that list back only to check it. Writing it costs a Spark job on every CREATE TABLE
        // (it collects the new table's empty file list) and 10% of the driver's CPU on a
        // 40-account first night (JFR): 126 -> 91 Spark jobs, same rows (docs/design.md). The
        // checksum keeps its counts, sizes and transactions, which is what this project reads.
        .config("spark.databricks.delta.allFilesInCrc.enabled", "false")
        // MERGE copies its source first (four Spark jobs on a night's silver merge) when the source
        // reads anything but Delta, to be safe from a source that changes between MERGE's two
        // passes. Ours are local checkpoints already (SilverTables.mergeNewVersions, the
        // quarantine MERGE of KpiJob): one job each.
        .config("spark.databricks.delta.merge.materializeSource", "none")
        // The one Dataset cache of a run that matters is an ingest's classified batch (IngestJob),
        // built once and read three or four times soon after (counts, bronze, silver, quarantine).
        // Compressing it (dictionary and run-length encoding chosen per column of every batch) was
        // two thirds of the stage that builds it (JFR, tier S tickets first load); without it a
        // tier M first load's ingest took 842 instead of 954 s of task time, 443 instead of 500 s
        // wall (docs/design.md). A cache that does not fit spills to disk.
        .config("spark.sql.inMemoryColumnarStorage.compressed", "false")
        // Files of at most 50,000 rows (about 5 MB of silver). A night's MERGE rewrites every file
        // that holds one of its keys, and a partial publish every file that holds a replaced row:
        // silver is laid out by key ranges (FeedSpec.clusterColumn), so the night's recent keys fall
        // in one or two small files instead of one of a few large ones (tier M tickets: a file of
        // 535,000 rows for 5,180 new records). Scans pack small files into tasks as before.
        // docs/design.md, "Silver files of at most 50,000 rows".
        .config("spark.sql.files.maxRecordsPerFile", String.valueOf(MAX_ROWS_PER_FILE))
        // Parameter markers (the SQL models' :as_of, :windows) bound by the analyzer: since Spark 4.1
        // binds them in a pre-parser that Delta's SQL parser does not forward (delta-io/delta#7640),
        // spark.sql(text, args) otherwise fails with UNBOUND_SQL_PARAMETER on a session with Delta.
        .config("spark.sql.legacy.parameterSubstitution.constantsOnly", "true")
        // Keep secrets out of the Spark UI's environment page.
        .config("spark.redaction.regex", "(?i)secret|password|token|credential|access\\.key|session\\.key");
    if (isLocal(cfg)) {
      // file: without Hadoop's shell commands (a chmod or readlink process per file created or
      // renamed; io.kpilake.spark.fs). Local mode only: a cluster's executors keep Hadoop's own.
      b = b.config("spark.hadoop.fs.file.impl", io.kpilake.spark.fs.ShellFreeLocalFileSystem.class.getName())
          .config("spark.hadoop.fs.AbstractFileSystem.file.impl", io.kpilake.spark.fs.ShellFreeLocalFs.class.getName())
          // The executor is this JVM: its heartbeat tells the driver nothing. In Spark 4.2 the
          // heartbeat can also kill itself: it reads accumulators of tasks still being deserialized
          // (a NullPointerException in PartitionKeyedAccumulator.isZero, seen on a 40-account
          // night; SPARK-59451, unfixed), its thread stops, and 120 s later the driver would declare
          // its own executor lost, with the cached and checkpointed blocks of the run. First
          // heartbeat after an hour, declared lost after three (spark.network.timeout must exceed
          // the interval; in local mode nothing else here waits on it).
          .config("spark.executor.heartbeatInterval", "1h")
          .config("spark.network.timeout", "3h");
    }
    for (Map.Entry<String, String> e : cfg.spark().conf().entrySet()) {
      if (!e.getKey().equals(EXTENSIONS)) {
        b = b.config(e.getKey(), e.getValue());
      }
    }
    SparkSession spark = b.getOrCreate();
    JobCounter.install(spark);
    return spark;
  }

  static final String EXTENSIONS = "spark.sql.extensions";

  /** Most rows a written file holds ({@code spark.sql.files.maxRecordsPerFile}; {@code kpi.spark.conf} overrides it). */
  static final int MAX_ROWS_PER_FILE = 50_000;

  /** The extensions this project needs, in the order Spark applies them. */
  static final List<String> OWN_EXTENSIONS = List.of("io.delta.sql.DeltaSparkSessionExtension", OnePartitionShuffles.Extension.class.getName());

  /**
   * {@code spark.sql.extensions} for the session: ours first, then those a user adds (spark-submit's
   * {@code --conf}, which reaches us as a system property, and {@code kpi.spark.conf}), each once.
   * A session option replaces the whole list, so a user's extension used to replace Delta's (every
   * Delta statement then failed) instead of joining it.
   */
  static String extensions(String... userValues) {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(OWN_EXTENSIONS);
    for (String v : userValues) {
      if (v != null) {
        for (String name : v.split(",")) {
          if (!name.isBlank()) {
            all.add(name.strip());
          }
        }
      }
    }
    return String.join(",", all);
  }

  /** Local mode: the driver is the only JVM (spark-submit's --master wins over the configuration). */
  static boolean isLocal(KpiConfig cfg) {
    String master = System.getProperty("spark.master", cfg.spark().master());
    return master.startsWith("local");
  }

  /** Spark wants a default warehouse dir for CREATE DATABASE; our data never lives there. */
  private static String scratchWarehouseDir() {
    try {
      Path p = Path.of(System.getProperty("java.io.tmpdir"), "kpi-lake-spark-catalog");
      Files.createDirectories(p);
      return p.toUri().toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
