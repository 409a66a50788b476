package io.kpilake.publish.report;

import io.kpilake.contract.KpiTable;
import io.kpilake.ops.Parallel;
import io.kpilake.publish.Publisher;
import io.kpilake.spark.Warehouse;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What the HTML report shows, read from the latest complete publication (the table versions listed
 * in {@code ops.published_versions}, so a report never mixes two runs). Small: a few hundred rows.
 */
public record ReportData(
    LocalDate asOf,
    String runId,
    List<Bridge> bridges,
    int retentionWindow,
    List<RetentionPoint> retention,
    List<CohortCell> cohorts,
    List<ChurnPoint> churn,
    LocalDate healthSnapshot,
    List<BucketCount> buckets,
    LocalDate backtestSnapshot,
    List<BacktestRow> backtest,
    List<HorizonRow> horizons,
    List<AtRisk> atRisk) {

  /** One month of the MRR bridge, all segments. */
  public record Bridge(String month, BigDecimal start, BigDecimal newMrr, BigDecimal expansion, BigDecimal reactivation,
      BigDecimal contraction, BigDecimal churned, BigDecimal fx, BigDecimal end, long endAccounts) {}

  /** NRR and GRR of the retention window ending in {@code month}; segment "all" is the roll-up. */
  public record RetentionPoint(String month, String segment, double nrr, double grr) {}

  /** Revenue and logo retention of a cohort (all segments) {@code k} months after its start. */
  public record CohortCell(String cohort, int k, long cohortAccounts, Double revenueRetention, Double logoRetention) {}

  public record ChurnPoint(String month, long voluntaryAccounts, BigDecimal voluntaryMrr, long involuntaryAccounts,
      BigDecimal involuntaryMrr) {}

  public record BucketCount(String bucket, long accounts, BigDecimal mrr) {}

  public record BacktestRow(String bucket, long accounts, long churned, Double churnRate, Double auc) {}

  public record HorizonRow(int horizonDays, long accountsDue, BigDecimal arrDue, long accountsAtRisk, BigDecimal arrAtRisk) {}

  public record AtRisk(String accountId, String owner, String segment, LocalDate renewalDate, int daysToRenewal,
      BigDecimal arr, Double healthScore, String bucket) {}

  static final int MONTHS = 12;
  static final int COHORTS = 12;
  static final int TOP_AT_RISK = 10;
  /** The published tables the report reads (each as the temporary view {@code report_<table>}). */
  static final List<String> TABLES = List.of("mrr_movements_monthly", "retention", "cohort_matrix", "churn_monthly",
      "account_health", "health_backtest", "value_at_risk", "value_at_risk_summary");

  /**
   * Reads the report's figures from the latest publication of {@code wh}; null when nothing is
   * published yet.
   */
  public static ReportData load(Warehouse wh) {
    Publisher.Publication published = Publisher.latest(wh);
    if (published == null || !published.versions().keySet().containsAll(TABLES)) {
      return null;
    }
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    for (String table : TABLES) {
      tables.put(table, wh.spark().read().format("delta").option("versionAsOf", published.versions().get(table)).load(wh.path("kpi", table)));
    }
    return from(wh.spark(), tables, published.asOf(), published.runId());
  }

  /**
   * The report's figures from the tables a run has just computed and published (the rows it
   * wrote, held by the run: no table is read back). {@code tables} holds at least {@link #TABLES}.
   */
  public static ReportData of(SparkSession spark, Map<KpiTable, Dataset<Row>> tables, LocalDate asOf, String runId) {
    Map<String, Dataset<Row>> byName = new LinkedHashMap<>();
    tables.forEach((t, rows) -> byName.put(t.name(), Publisher.shaped(t, rows)));
    return from(spark, byName, asOf, runId);
  }

  private static ReportData from(SparkSession spark, Map<String, Dataset<Row>> tables, LocalDate asOf, String runId) {
    for (String table : TABLES) {
      tables.get(table).createOrReplaceTempView("report_" + table);
    }
    spark.sparkContext().setJobGroup("report", "HTML report as of " + asOf, false);
    try {
      return read(spark, asOf, runId);
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /** How many of the report's queries run at once: each is a small job, mostly scheduling latency. */
  static final int PARALLEL_QUERIES = 4;

  private static ReportData read(SparkSession spark, LocalDate asOf, String runId) {
    String lastMonth = "add_months(trunc(date'" + asOf + "', 'MM'), " + (1 - MONTHS) + ")";
    // Nine small queries over the run's results, by name, independent of each other (the retention rows come
    // for every window, and the window is picked below), run a few at a time: each is one or two
    // Spark jobs of a few milliseconds of work, so one after another the report is mostly latency.
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put("bridge", "SELECT string(month), sum(start_mrr), sum(new_mrr), sum(expansion_mrr), sum(reactivation_mrr), "
        + "sum(contraction_mrr), sum(churned_mrr), sum(fx_impact_mrr), sum(end_mrr), sum(end_accounts) "
        + "FROM report_mrr_movements_monthly WHERE month >= " + lastMonth + " GROUP BY month ORDER BY month");
    // The longest window (12, 3, 1 months) with at least two months of rows, so short histories still get a trend.
    queries.put("window", "SELECT window_months FROM report_retention GROUP BY window_months "
        + "HAVING count(DISTINCT month) >= 2 ORDER BY window_months DESC LIMIT 1");
    queries.put("retention", "SELECT string(month), coalesce(segment, 'all'), "
        + "CAST(sum(end_mrr) AS DOUBLE) / CAST(sum(start_mrr) AS DOUBLE), "
        + "CAST(sum(start_mrr) - sum(contraction_mrr) - sum(churned_mrr) AS DOUBLE) / CAST(sum(start_mrr) AS DOUBLE), window_months "
        + "FROM report_retention WHERE month >= " + lastMonth
        + " GROUP BY window_months, month, ROLLUP(segment) HAVING sum(start_mrr) > 0 ORDER BY 2, 1");
    queries.put("cohorts", "SELECT string(cohort_month), months_since_start, sum(cohort_accounts), "
        + "CAST(sum(mrr) AS DOUBLE) / CAST(nullif(sum(cohort_start_mrr), 0) AS DOUBLE), "
        + "CAST(sum(active_accounts) AS DOUBLE) / nullif(sum(cohort_accounts), 0) FROM report_cohort_matrix "
        + "WHERE cohort_month >= add_months(trunc(date'" + asOf + "', 'MM'), " + (1 - COHORTS) + ") AND months_since_start < "
        + COHORTS + " GROUP BY cohort_month, months_since_start ORDER BY 1, 2");
    queries.put("churn", "SELECT string(month), "
        + "sum(CASE WHEN churn_type = 'voluntary' THEN churned_accounts ELSE 0 END), "
        + "sum(CASE WHEN churn_type = 'voluntary' THEN churned_mrr ELSE 0 END), "
        + "sum(CASE WHEN churn_type = 'involuntary' THEN churned_accounts ELSE 0 END), "
        + "sum(CASE WHEN churn_type = 'involuntary' THEN churned_mrr ELSE 0 END) "
        + "FROM report_churn_monthly WHERE month >= " + lastMonth + " GROUP BY month ORDER BY month");
    queries.put("buckets", "SELECT snapshot_date, bucket, count(*), sum(mrr) FROM report_account_health "
        + "WHERE snapshot_date = (SELECT max(snapshot_date) FROM report_account_health) GROUP BY 1, 2");
    queries.put("backtest", "SELECT snapshot_date, bucket, accounts, churned_within_90d, churn_rate, auc FROM report_health_backtest "
        + "WHERE snapshot_date = (SELECT max(snapshot_date) FROM report_health_backtest)");
    queries.put("horizons", "SELECT horizon_days, sum(accounts_due), sum(arr_due), sum(accounts_at_risk), sum(arr_at_risk) "
        + "FROM report_value_at_risk_summary WHERE as_of_date = date'" + asOf + "' GROUP BY 1 ORDER BY 1");
    queries.put("atRisk", "SELECT account_id, owner, segment, renewal_date, days_to_renewal, arr, health_score, bucket "
        + "FROM report_value_at_risk WHERE at_risk AND as_of_date = date'" + asOf + "' "
        + "ORDER BY arr DESC, account_id LIMIT " + TOP_AT_RISK);
    List<String> names = List.copyOf(queries.keySet());
    List<List<Row>> answers = Parallel.map(names, PARALLEL_QUERIES, "kpi-report", name -> rows(spark, queries.get(name)));
    Map<String, List<Row>> results = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      results.put(names.get(i), answers.get(i));
    }

    List<Bridge> bridges = new ArrayList<>();
    for (Row r : results.get("bridge")) {
      bridges.add(new Bridge(r.getString(0), r.getDecimal(1), r.getDecimal(2), r.getDecimal(3), r.getDecimal(4),
          r.getDecimal(5), r.getDecimal(6), r.getDecimal(7), r.getDecimal(8), r.getLong(9)));
    }

    int window = 1;
    for (Row r : results.get("window")) {
      window = r.getInt(0);
    }
    List<RetentionPoint> retention = new ArrayList<>();
    for (Row r : results.get("retention")) {
      if (r.getInt(4) == window) {
        retention.add(new RetentionPoint(r.getString(0), r.getString(1), r.getDouble(2), r.getDouble(3)));
      }
    }

    List<CohortCell> cohorts = new ArrayList<>();
    for (Row r : results.get("cohorts")) {
      cohorts.add(new CohortCell(r.getString(0), r.getInt(1), r.getLong(2), nullableDouble(r, 3), nullableDouble(r, 4)));
    }

    List<ChurnPoint> churn = new ArrayList<>();
    for (Row r : results.get("churn")) {
      churn.add(new ChurnPoint(r.getString(0), r.getLong(1), r.getDecimal(2), r.getLong(3), r.getDecimal(4)));
    }

    LocalDate healthSnapshot = null;
    List<BucketCount> buckets = new ArrayList<>();
    for (Row r : results.get("buckets")) {
      healthSnapshot = r.getDate(0).toLocalDate();
      buckets.add(new BucketCount(r.getString(1), r.getLong(2), r.getDecimal(3)));
    }
    buckets.sort(java.util.Comparator.comparingInt(b -> HtmlReport.BUCKETS.indexOf(b.bucket())));

    LocalDate backtestSnapshot = null;
    List<BacktestRow> backtest = new ArrayList<>();
    for (Row r : results.get("backtest")) {
      backtestSnapshot = r.getDate(0).toLocalDate();
      backtest.add(new BacktestRow(r.getString(1), r.getLong(2), r.getLong(3), nullableDouble(r, 4), nullableDouble(r, 5)));
    }
    backtest.sort(java.util.Comparator.comparingInt(b -> HtmlReport.BUCKETS.indexOf(b.bucket())));

    List<HorizonRow> horizons = new ArrayList<>();
    for (Row r : results.get("horizons")) {
      horizons.add(new HorizonRow(r.getInt(0), r.getLong(1), r.getDecimal(2), r.getLong(3), r.getDecimal(4)));
    }

    List<AtRisk> atRisk = new ArrayList<>();
    for (Row r : results.get("atRisk")) {
      atRisk.add(new AtRisk(r.getString(0), r.getString(1), r.getString(2), r.getDate(3).toLocalDate(), r.getInt(4),
          r.getDecimal(5), nullableDouble(r, 6), r.getString(7)));
    }
    return new ReportData(asOf, runId, bridges, window, retention, cohorts, churn, healthSnapshot, buckets,
        backtestSnapshot, backtest, horizons, atRisk);
  }

  private static List<Row> rows(SparkSession spark, String sql) {
    return spark.sql(sql).collectAsList();
  }

  private static Double nullableDouble(Row r, int i) {
    return r.isNullAt(i) ? null : ((Number) r.get(i)).doubleValue();
  }
}
