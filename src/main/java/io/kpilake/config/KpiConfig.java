package io.kpilake.config;

import java.util.Map;

/**
 * The effective configuration, parsed and validated once at the edge ({@link ConfigLoader}); the
 * rest of the code only sees these immutable records.
 */
public record KpiConfig(
    String landingPath,
    String warehousePath,
    String reportingCurrency,
    SparkSettings spark,
    IngestSettings ingest,
    Map<String, Map<String, String>> feedRenames,
    QualitySettings quality,
    MetricSettings metrics,
    OpsSettings ops,
    CatalogSettings catalog,
    String policyHash) {

  /** kpi.kpi_catalog: per table its data source, cadence and owner; per KPI ("table.column") overrides. */
  public record CatalogSettings(String defaultTarget, Map<String, CatalogTable> tables, Map<String, CatalogKpi> kpis) {}

  public record CatalogTable(String owner, String dataSource, String frequency) {}

  /** Overrides for one KPI; null fields fall back to the column comment or the table's entry. */
  public record CatalogKpi(String definition, String formula, String target, String owner) {
    public static final CatalogKpi NONE = new CatalogKpi(null, null, null, null);
  }

  /**
   * The session's settings; a step over less than {@code smallDataBytes} of data runs its plans
   * interpreted and without automatic broadcast joins, a larger one shuffles into one partition per
   * {@code shufflePartitionBytes}, at most {@code shufflePartitions} (the storage layer's
   * {@code SmallData}, which reads these settings).
   */
  public record SparkSettings(String master, String appName, int shufflePartitions, long shufflePartitionBytes, boolean uiEnabled,
      long smallDataBytes, Map<String, String> conf) {}

  /**
   * How landing files are read: {@code taskBytes} is about the landing bytes one parse task reads
   * (consecutive files packed together, at least {@code minPartitions} tasks); {@code parallelFeeds}
   * feeds are ingested at a time; a batch of at most {@code broadcastBatchMaxBytes} landing bytes
   * has its keys broadcast when it meets silver (larger ones are joined by shuffle);
   * {@code silverDeletionVectors}: silver tables take deletion vectors, so a night's MERGE marks the
   * replaced rows instead of rewriting every file they are in.
   */
  public record IngestSettings(int minPartitions, int maxCharsPerCell, long taskBytes, long broadcastBatchMaxBytes, int parallelFeeds,
      boolean silverDeletionVectors) {
    /**
     * The defaults of {@code conf/kpi-defaults.conf} for the two byte limits. Daily deliveries are
     * small: a full run reads thousands of them, so a parse task streams many, one after the other,
     * from the paths the landing scan found (docs/design.md).
     */
    public static final long DEFAULT_BYTES = 64L << 20;

    /** These settings with {@code minPartitions} replaced (tests run on two cores). */
    public IngestSettings withMinPartitions(int n) {
      return new IngestSettings(n, maxCharsPerCell, taskBytes, broadcastBatchMaxBytes, parallelFeeds, silverDeletionVectors);
    }
  }

  /** The quality gates by name (kpi.quality.gates). */
  public record QualitySettings(Map<String, Gate> gates) {
    public static final String QUARANTINE_RATE = "quarantine-rate";
    public static final String MRR_BRIDGE = "mrr-bridge";
    public static final String NEGATIVE_MRR = "negative-mrr";
    public static final String INVARIANTS = "invariants";
    public static final String ACCOUNTS_COVERED = "accounts-covered";
    public static final String ROW_COUNT_DROP = "row-count-drop";
    public static final java.util.List<String> GATES =
        java.util.List.of(QUARANTINE_RATE, MRR_BRIDGE, NEGATIVE_MRR, INVARIANTS, ACCOUNTS_COVERED, ROW_COUNT_DROP);

    public Gate gate(String name) {
      return gates.get(name);
    }

    /** The same gates with one replaced (tests, and callers that tighten a gate for one run). */
    public QualitySettings with(Gate g) {
      Map<String, Gate> m = new java.util.HashMap<>(gates);
      m.put(g.name(), g);
      return new QualitySettings(Map.copyOf(m));
    }
  }

  public enum GateLevel { ERROR, WARN, OFF }

  /** One gate: its level and, for gates with a threshold, the share it allows ({@code NaN} otherwise). */
  public record Gate(String name, GateLevel level, double max) {}

  /**
   * The warehouse writer lock: how long a second run waits for the first, and when a lock left by a
   * process on another host counts as abandoned (a dead process on this host is detected at once);
   * how often an idempotent storage step is tried before the run fails ({@code retryAttempts}, the
   * first included) and the wait before the first retry (doubled for each next one).
   */
  /** Run operations: the writer lock, retries of storage steps, and how many kpi tables are published at a time. */
  public record OpsSettings(int lockWaitSeconds, int lockStaleAfterMinutes, int retryAttempts, double retryBackoffSeconds,
      int parallelPublish, double incrementalMaxShare, long incrementalMinSilverBytes) {}

  public record MetricSettings(
      int involuntaryWindowDays, double grossMargin, int maxLifetimeMonths, int recoveryWindowDays, HealthSettings health,
      java.util.List<Integer> varHorizonsDays) {}

  /** The health model (kpis.md section 5): components in column order, every signal's bounds. */
  public record HealthSettings(
      java.util.List<Component> components, Map<String, Signal> signals, double green, double yellow, double alertBelow,
      double alertDrop, int backtestHorizonDays) {

    public Signal signal(String name) {
      return signals.get(name);
    }
  }

  /** A weighted group of signals; its score is the mean of its non-null signal scores. */
  public record Component(String name, double weight, java.util.List<String> signals) {}

  /** A signal's linear mapping to 0..100 (bad -> 0, good -> 100) and its window in days. */
  public record Signal(String name, double bad, double good, int windowDays) {}

  /** Renames for one feed: contract column name -> column name in the user's export. */
  public Map<String, String> renamesFor(String source, String entity) {
    return feedRenames.getOrDefault(source + "." + entity, Map.of());
  }

  public KpiConfig withOps(OpsSettings o) {
    return new KpiConfig(landingPath, warehousePath, reportingCurrency, spark, ingest, feedRenames, quality, metrics, o,
        catalog, policyHash);
  }

  public KpiConfig withPaths(String landing, String warehouse) {
    return new KpiConfig(landing, warehouse, reportingCurrency, spark, ingest, feedRenames, quality, metrics, ops,
        catalog, policyHash);
  }

  public KpiConfig withSpark(SparkSettings s, IngestSettings i) {
    return new KpiConfig(landingPath, warehousePath, reportingCurrency, s, i, feedRenames, quality, metrics, ops,
        catalog, policyHash);
  }

  /** The same configuration with more Spark settings (they win over configured ones) and a suffix to the app name. */
  public KpiConfig withSparkConf(String appNameSuffix, Map<String, String> more) {
    Map<String, String> conf = new java.util.LinkedHashMap<>(spark.conf());
    conf.putAll(more);
    return withSpark(new SparkSettings(spark.master(), spark.appName() + appNameSuffix, spark.shufflePartitions(), spark.shufflePartitionBytes(), spark.uiEnabled(), spark.smallDataBytes(),
        java.util.Collections.unmodifiableMap(conf)), ingest);
  }

  public KpiConfig withQuality(QualitySettings q) {
    return new KpiConfig(landingPath, warehousePath, reportingCurrency, spark, ingest, feedRenames, q, metrics, ops,
        catalog, policyHash);
  }

  public KpiConfig withFeedRenames(Map<String, Map<String, String>> renames) {
    return new KpiConfig(landingPath, warehousePath, reportingCurrency, spark, ingest, renames, quality, metrics, ops,
        catalog, policyHash);
  }
}
