package io.kpilake.cli;

import io.kpilake.config.ConfigLoader;
import io.kpilake.config.KpiConfig;
import io.kpilake.publish.PublishedCatalog;
import io.kpilake.spark.Sessions;
import io.kpilake.spark.Warehouse;
import java.io.File;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every command needs: the validated configuration, a SparkSession and the warehouse. */
public final class AppContext {
  private static final Logger LOG = LoggerFactory.getLogger(AppContext.class);
  public final KpiConfig config;
  private SparkSession spark;
  private Warehouse warehouse;

  private AppContext(KpiConfig config) {
    this.config = config;
  }

  /**
   * Loads and validates the configuration (exit 2 on any problem); logs its policy hash, and under
   * {@code --verbose} the whole configuration once, sorted and masked.
   */
  public static AppContext load(File confFile, Map<String, String> env, boolean logConfig) {
    var tree = ConfigLoader.layered(confFile, env);
    KpiConfig cfg = ConfigLoader.load(confFile, env);
    if (logConfig) {
      // The full listing is a hundred lines: a newcomer's demo or a scheduler's log gets one line,
      // --verbose (DEBUG for KPI Lake's own logger) the listing.
      if (LOG.isDebugEnabled()) {
        LOG.debug("effective configuration (policy hash {}):\n{}", cfg.policyHash(), ConfigLoader.toSortedMaskedString(tree).stripTrailing());
      } else {
        LOG.info("configuration: policy hash {} (--verbose lists the effective configuration)", cfg.policyHash());
      }
    }
    return new AppContext(cfg);
  }

  public static AppContext of(KpiConfig cfg) {
    return new AppContext(cfg);
  }

  public SparkSession spark() {
    if (spark == null) {
      spark = Sessions.create(config);
    }
    return spark;
  }

  /** The warehouse with every existing table registered in the catalog. */
  public Warehouse warehouse() {
    if (warehouse == null) {
      Warehouse wh = new Warehouse(spark(), config.warehousePath());
      io.kpilake.ops.Retry.of(config.ops()).call("reading the warehouse " + wh.root(), () -> PublishedCatalog.registerAll(wh));
      warehouse = wh;
    }
    return warehouse;
  }

  /** The warehouse with the tables {@code sql} names registered ({@link PublishedCatalog#registerFor}). */
  public Warehouse warehouseFor(String sql) {
    Warehouse wh = new Warehouse(spark(), config.warehousePath());
    java.util.List<String> tables = io.kpilake.ops.Retry.of(config.ops()).call("reading the warehouse " + wh.root(), () -> PublishedCatalog.registerFor(wh, sql));
    // A query over small tables runs as a small step does (interpreted, no broadcasts: a new
    // process read the 15 kpi tables of a 40-account warehouse in 35.2 / 35.5 s instead of
    // 37.2 / 38.6 s); the sizes come from the tables' checksum files, no Spark job.
    long bytes = 0;
    for (String t : tables) {
      int dot = t.indexOf('.');
      bytes = Warehouse.saturatingAdd(bytes, wh.sizeInBytes(t.substring(0, dot), t.substring(dot + 1)));
    }
    io.kpilake.spark.SmallData.configure(spark(), config.spark(), bytes, "sql");
    return wh;
  }

  /** The warehouse for a batch writer (nightly, backfill): nothing is registered in the catalog. */
  public Warehouse writer() {
    return new Warehouse(spark(), config.warehousePath()).withoutCatalog();
  }
}
