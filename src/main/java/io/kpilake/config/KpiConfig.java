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
    String policyHash) {

  public record SparkSettings(
      String master, String appName, int shufflePartitions, boolean uiEnabled, Map<String, String> conf) {}

  public record IngestSettings(int minPartitions, int maxCharsPerCell) {}

  public record QualitySettings(double maxQuarantineRate) {}

  public record MetricSettings(
      int involuntaryWindowDays, double grossMargin, int maxLifetimeMonths, int recoveryWindowDays) {}

  /** Renames for one feed: contract column name -> column name in the user's export. */
  public Map<String, String> renamesFor(String source, String entity) {
    return feedRenames.getOrDefault(source + "." + entity, Map.of());
  }

  public KpiConfig withPaths(String landing, String warehouse) {
    return new KpiConfig(landing, warehouse, reportingCurrency, spark, ingest, feedRenames, quality, metrics,
        policyHash);
  }
}
