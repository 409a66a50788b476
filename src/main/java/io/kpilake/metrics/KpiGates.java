package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.kpilake.config.KpiConfig.QualitySettings;
import io.kpilake.ops.QualityGates;
import io.kpilake.ops.QualityGates.Finding;
import io.kpilake.contract.AccountKpiTables;
import io.kpilake.contract.KpiTable;
import io.kpilake.contract.KpiTables;
import io.kpilake.spark.Warehouse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The KPI gates of kpi.quality.gates, checked on the computed results before anything is
 * published: mrr-bridge, negative-mrr, invariants, accounts-covered and row-count-drop. Each
 * returns findings; their gate's level decides whether the run fails ({@link QualityGates}).
 */
public final class KpiGates {
  private KpiGates() {}

  /** mrr-bridge, negative-mrr and invariants: four aggregates, one Spark job (their union). */
  public static List<Finding> invariants(Map<KpiTable, Dataset<Row>> results) {
    return invariants(results, results.get(AccountKpiTables.ACCOUNT_HEALTH));
  }

  /**
   * {@link #invariants(Map)}, with the health snapshots' uniqueness checked over {@code newHealth}:
   * the rows this run computed. A night that keeps part of the health history
   * ({@link HealthHistory.Reuse}) checks its computed snapshots only: the kept ones come from the
   * published table, which passed this gate, and none shares a key with a computed one (kept: month
   * ends up to P of accounts without changes; computed: after P, or of an account with changes), so
   * the union is unique when the computed part is. Tier M: 52,540 rows shuffled instead of 1.6 million.
   */
  public static List<Finding> invariants(Map<KpiTable, Dataset<Row>> results, Dataset<Row> newHealth) {
    Map<String, long[]> n = counts(List.of(
        counted("months", results.get(KpiTables.ACCOUNT_MRR_MONTHLY),
            "count_if(mrr <> prev_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr + fx_impact_mrr)",
            "count_if(mrr < 0)",
            "count_if(movement IS NULL)",
            "count(*) - count(DISTINCT account_id, month)"),
        counted("movements", results.get(KpiTables.MRR_MOVEMENTS_MONTHLY), "count_if(start_mrr + new_mrr + expansion_mrr "
            + "+ reactivation_mrr - contraction_mrr - churned_mrr + fx_impact_mrr <> end_mrr)"),
        counted("retention", results.get(KpiTables.RETENTION),
            "count_if(abs(nrr - CAST(end_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE)) > 1e-9)",
            "count_if(grr < 0 OR grr > 1 OR grr > nrr + 1e-9)"),
        counted("health", results.get(AccountKpiTables.ACCOUNT_HEALTH),
            "count_if(health_score < 0 OR health_score > 100 OR (bucket = 'unknown') <> (health_score IS NULL))"),
        counted("health keys", newHealth, "count(*) - count(DISTINCT account_id, snapshot_date)")));
    List<Finding> f = new ArrayList<>();
    long[] a = n.get("months");
    QualityGates.count(f, QualitySettings.MRR_BRIDGE, a[0], "account-months break the MRR bridge");
    QualityGates.count(f, QualitySettings.NEGATIVE_MRR, a[1], "account-months have negative MRR");
    QualityGates.count(f, QualitySettings.INVARIANTS, a[2], "account-months have no movement");
    QualityGates.count(f, QualitySettings.INVARIANTS, a[3], "duplicate account-months");
    QualityGates.count(f, QualitySettings.MRR_BRIDGE, n.get("movements")[0], "month-segments break the MRR bridge");
    long[] r = n.get("retention");
    QualityGates.count(f, QualitySettings.INVARIANTS, r[0], "retention rows where nrr <> end_mrr / start_mrr");
    QualityGates.count(f, QualitySettings.INVARIANTS, r[1], "retention rows where grr is outside [0, 1] or above nrr");
    QualityGates.count(f, QualitySettings.INVARIANTS, n.get("health keys")[0], "duplicate account health snapshots");
    QualityGates.count(f, QualitySettings.INVARIANTS, n.get("health")[0],
        "account health rows with a score outside 0..100 or a bucket that does not match it");
    return f;
  }

  /**
   * accounts-covered: nothing lost between the silver lines and the curated tables. Every account
   * whose account-month revenue (from the priced silver MRR lines) is above zero in some month up
   * to D is in kpi.account_mrr_monthly,
   * and every account with MRR in month(D) has a health snapshot on D. Both counts in one Spark job.
   */
  public static List<Finding> accountsCovered(Dataset<Row> accountMonthRevenue, LocalDate asOf,
      Map<KpiTable, Dataset<Row>> results) {
    Dataset<Row> months = results.get(KpiTables.ACCOUNT_MRR_MONTHLY);
    Dataset<Row> withRevenue = accountMonthRevenue.filter(col("mrr").gt(0)).select("account_id").distinct();
    Dataset<Row> lost = withRevenue.join(months.select("account_id").distinct(), new String[] {"account_id"}, "left_anti");
    Dataset<Row> activeAtD = months.filter(expr("mrr > 0 AND month = trunc(date'" + asOf + "', 'MM')")).select("account_id");
    Dataset<Row> snapshots = results.get(AccountKpiTables.ACCOUNT_HEALTH)
        .filter(expr("snapshot_date = date'" + asOf + "'")).select("account_id");
    Dataset<Row> unscored = activeAtD.join(snapshots, new String[] {"account_id"}, "left_anti");
    Map<String, long[]> n = counts(List.of(counted("lost", lost, "count(*)"), counted("unscored", unscored, "count(*)")));
    List<Finding> f = new ArrayList<>();
    QualityGates.count(f, QualitySettings.ACCOUNTS_COVERED, n.get("lost")[0],
        "account(s) with MRR in the silver invoice lines are missing from kpi.account_mrr_monthly");
    QualityGates.count(f, QualitySettings.ACCOUNTS_COVERED, n.get("unscored")[0],
        "account(s) with MRR in the as-of month have no health snapshot on " + asOf);
    return f;
  }

  /** Up to {@link #COUNTS} counts of one table, as one row {@code (k, c0 .. c3)} named {@code name}. */
  private static Dataset<Row> counted(String name, Dataset<Row> table, String... counts) {
    Column[] cols = new Column[COUNTS];
    for (int i = 0; i < COUNTS; i++) {
      cols[i] = (i < counts.length ? expr(counts[i]) : lit(null)).cast("long").as("c" + i);
    }
    return table.agg(lit(name).as("k"), cols);
  }

  private static final int COUNTS = 4;

  /** The rows of {@link #counted} aggregates by name, read in one Spark job (their union). */
  private static Map<String, long[]> counts(List<Dataset<Row>> aggregates) {
    Dataset<Row> all = aggregates.stream().reduce(Dataset::unionByName).orElseThrow();
    Map<String, long[]> out = new java.util.HashMap<>();
    for (Row r : all.collectAsList()) {
      long[] v = new long[COUNTS];
      for (int i = 0; i < COUNTS; i++) {
        v[i] = r.isNullAt(i + 1) ? 0 : r.getLong(i + 1);
      }
      out.put(r.getString(0), v);
    }
    return out;
  }

  /**
   * row-count-drop: a table's new row count is at least {@code (1 - max)} of the rows of the version
   * it replaces, the one the latest complete publication lists ({@code publishedVersions}; what
   * {@code kpi.*} readers see). A table in no publication yet passes, whatever an unrecorded write
   * (a run that crashed before recording its publication) left in it.
   */
  public static List<Finding> rowCountDrop(Warehouse wh, Map<String, Long> newCounts, Map<String, Long> publishedVersions,
      double maxDrop) {
    List<Finding> f = new ArrayList<>();
    for (Map.Entry<String, Long> e : newCounts.entrySet()) {
      Long version = publishedVersions.get(e.getKey());
      if (version == null) {
        continue;
      }
      long before = io.kpilake.publish.Publisher.rowCount(wh, e.getKey(), version);
      if (before > 0 && e.getValue() < (1 - maxDrop) * before) {
        f.add(new Finding(QualitySettings.ROW_COUNT_DROP, String.format(Locale.ROOT,
            "kpi.%s would have %,d rows, %.0f%% fewer than the %,d published (kpi.quality.gates.row-count-drop.max = %.0f%%)",
            e.getKey(), e.getValue(), 100.0 * (before - e.getValue()) / before, before, 100 * maxDrop)));
      }
    }
    return f;
  }
}
