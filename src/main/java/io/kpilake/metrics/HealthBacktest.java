package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.spark.Transform;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * kpi.health_backtest (kpis.md section 5): for every month-end snapshot S with S + H days on or
 * before D, churn within H days by bucket, and the snapshot's AUC: the probability that a random
 * churned account scored lower than a random retained one, ties counting one half (Mann-Whitney U
 * over score groups, no pairwise join).
 */
public final class HealthBacktest {
  private HealthBacktest() {}

  public static final String[] BUCKETS = {"green", "yellow", "red", "unknown"};

  /**
   * Input: kpi.account_health rows. {@code accountMonths} gives the outcome: an account churned
   * within H days when its MRR is 0 at some month end in (S, S + H] (no row at all counts as 0).
   */
  public static Transform backtest(Dataset<Row> accountMonths, LocalDate asOf, int horizonDays) {
    return health -> {
      Dataset<Row> snaps = health
          .filter(expr("snapshot_date = last_day(snapshot_date) AND date_add(snapshot_date, " + horizonDays + ") <= date'" + asOf + "'"))
          .select("snapshot_date", "account_id", "health_score", "bucket");
      Dataset<Row> outcome = accountMonths.select(col("account_id"), col("month").as("_m"), col("mrr").as("_mrr"));
      Dataset<Row> labeled = snaps
          .withColumn("_m", expr("explode(sequence(add_months(trunc(snapshot_date, 'MM'), 1), trunc(date_add(snapshot_date, "
              + horizonDays + "), 'MM'), interval 1 month))"))
          .filter(expr("last_day(_m) <= date_add(snapshot_date, " + horizonDays + ")"))
          .join(outcome, new String[] {"account_id", "_m"}, "left")
          .groupBy("snapshot_date", "account_id", "health_score", "bucket")
          .agg(expr("max(coalesce(_mrr, 0) = 0)").as("churned"));
      Dataset<Row> counts = labeled.groupBy("snapshot_date", "bucket")
          .agg(expr("count(*)").as("accounts"), expr("count_if(churned)").as("churned_within_90d"));
      Dataset<Row> grid = snaps.select("snapshot_date").distinct()
          .withColumn("bucket", expr("explode(array('green', 'yellow', 'red', 'unknown'))"));
      return grid.join(counts, new String[] {"snapshot_date", "bucket"}, "left")
          .withColumn("accounts", expr("coalesce(accounts, 0L)"))
          .withColumn("churned_within_90d", expr("coalesce(churned_within_90d, 0L)"))
          .withColumn("churn_rate", expr("CASE WHEN accounts > 0 THEN CAST(churned_within_90d AS DOUBLE) / accounts END"))
          .join(auc().apply(labeled), new String[] {"snapshot_date"}, "left")
          .withColumn("horizon_days", expr("CAST(" + horizonDays + " AS INT)"));
    };
  }

  /**
   * Labeled scores ({@code snapshot_date, health_score, churned}) -> {@code snapshot_date, auc}:
   * U = sum over churned accounts of (retained with a higher score + half the retained with the
   * same score); auc = U / (churned x retained), null when either group is empty.
   */
  public static Transform auc() {
    return labeled -> labeled.filter(col("health_score").isNotNull())
        .groupBy("snapshot_date", "health_score")
        .agg(expr("count_if(churned)").as("_c"), expr("count_if(NOT churned)").as("_r"))
        .withColumn("_r_at_or_below", expr("sum(_r) OVER (PARTITION BY snapshot_date ORDER BY health_score "
            + "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"))
        .withColumn("_r_total", expr("sum(_r) OVER (PARTITION BY snapshot_date)"))
        .groupBy("snapshot_date")
        .agg(expr("sum(_c * (_r_total - _r_at_or_below + 0.5D * _r))").as("_u"), expr("sum(_c)").as("_c_total"),
            expr("max(_r_total)").as("_r_total"))
        .withColumn("auc", expr("CASE WHEN _c_total > 0 AND _r_total > 0 THEN _u / (_c_total * _r_total) END"))
        .select("snapshot_date", "auc");
  }
}
