package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The KPI gates of kpi.quality.gates, checked on the computed results before anything is
 * published: mrr-bridge, negative-mrr, invariants, accounts-covered and row-count-drop. Each
 * returns findings; their gate's level decides whether the run fails ({@link QualityGates}).
 */
public final class KpiGates {
  private KpiGates() {}

  /** mrr-bridge, negative-mrr and invariants, in three small Spark jobs. */
  public static List<Finding> invariants(Map<KpiTable, Dataset<Row>> results) {
    List<Finding> f = new ArrayList<>();
    Row a = results.get(KpiTables.ACCOUNT_MRR_MONTHLY).agg(
        expr("count_if(mrr <> prev_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr + fx_impact_mrr)"),
        expr("count_if(mrr < 0)"),
        expr("count_if(movement IS NULL)"),
        expr("count(*) - count(DISTINCT account_id, month)")).first();
    QualityGates.count(f, QualitySettings.MRR_BRIDGE, a.getLong(0), "account-months break the MRR bridge");
    QualityGates.count(f, QualitySettings.NEGATIVE_MRR, a.getLong(1), "account-months have negative MRR");
    QualityGates.count(f, QualitySettings.INVARIANTS, a.getLong(2), "account-months have no movement");
    QualityGates.count(f, QualitySettings.INVARIANTS, a.getLong(3), "duplicate account-months");
    Row m = results.get(KpiTables.MRR_MOVEMENTS_MONTHLY).agg(expr("count_if(start_mrr + new_mrr + expansion_mrr "
        + "+ reactivation_mrr - contraction_mrr - churned_mrr + fx_impact_mrr <> end_mrr)")).first();
    QualityGates.count(f, QualitySettings.MRR_BRIDGE, m.getLong(0), "month-segments break the MRR bridge");
    Row r = results.get(KpiTables.RETENTION).agg(expr("count_if(abs(nrr - CAST(end_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE)) > 1e-9)"),
        expr("count_if(grr < 0 OR grr > 1 OR grr > nrr + 1e-9)")).first();
    QualityGates.count(f, QualitySettings.INVARIANTS, r.getLong(0), "retention rows where nrr <> end_mrr / start_mrr");
    QualityGates.count(f, QualitySettings.INVARIANTS, r.getLong(1), "retention rows where grr is outside [0, 1] or above nrr");
    Row h = results.get(AccountKpiTables.ACCOUNT_HEALTH).agg(
        expr("count(*) - count(DISTINCT account_id, snapshot_date)"),
        expr("count_if(health_score < 0 OR health_score > 100 OR (bucket = 'unknown') <> (health_score IS NULL))")).first();
    QualityGates.count(f, QualitySettings.INVARIANTS, h.getLong(0), "duplicate account health snapshots");
    QualityGates.count(f, QualitySettings.INVARIANTS, h.getLong(1),
        "account health rows with a score outside 0..100 or a bucket that does not match it");
    return f;
  }

  /**
   * accounts-covered: nothing lost between the silver lines and the curated tables. Every account
   * whose account-month revenue (from the priced silver MRR lines) is above zero in some month up
   * to D is in kpi.account_mrr_monthly,
   * and every account with MRR in month(D) has a health snapshot on D.
   */
  public static List<Finding> accountsCovered(Dataset<Row> accountMonthRevenue, LocalDate asOf,
      Map<KpiTable, Dataset<Row>> results) {
    List<Finding> f = new ArrayList<>();
    Dataset<Row> months = results.get(KpiTables.ACCOUNT_MRR_MONTHLY);
    Dataset<Row> withRevenue = accountMonthRevenue.filter(col("mrr").gt(0)).select("account_id").distinct();
    long lost = withRevenue.join(months.select("account_id").distinct(), new String[] {"account_id"}, "left_anti").count();
    QualityGates.count(f, QualitySettings.ACCOUNTS_COVERED, lost,
        "account(s) with MRR in the silver invoice lines are missing from kpi.account_mrr_monthly");
    Dataset<Row> activeAtD = months.filter(expr("mrr > 0 AND month = trunc(date'" + asOf + "', 'MM')")).select("account_id");
    Dataset<Row> snapshots = results.get(AccountKpiTables.ACCOUNT_HEALTH)
        .filter(expr("snapshot_date = date'" + asOf + "'")).select("account_id");
    long unscored = activeAtD.join(snapshots, new String[] {"account_id"}, "left_anti").count();
    QualityGates.count(f, QualitySettings.ACCOUNTS_COVERED, unscored,
        "account(s) with MRR in the as-of month have no health snapshot on " + asOf);
    return f;
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
