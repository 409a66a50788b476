package io.kpilake.metrics;

import io.kpilake.model.SqlModel;
import io.kpilake.spark.Transform;
import java.time.LocalDate;
import java.util.Map;
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

  /**
   * Input: kpi.account_health rows. {@code accountMonths} gives the outcome: an account churned
   * within H days when its MRR is 0 at some month end in (S, S + H] (no row at all counts as 0).
   * Three models: {@code health_backtest_labels.sql}, {@code health_auc.sql}, {@code health_backtest.sql}.
   */
  public static Transform backtest(Dataset<Row> accountMonths, LocalDate asOf, int horizonDays) {
    SqlModel labels = SqlModel.of("health_backtest_labels");
    SqlModel table = SqlModel.of("health_backtest");
    return health -> {
      Map<String, Object> params = Map.of("as_of", asOf, "horizon_days", horizonDays);
      // Read twice (bucket counts, AUC): held once (a lazy checkpoint, filled by the first reader),
      // so the join of the snapshots with the account months runs once (tier M: about 170,000 groups).
      Dataset<Row> labeled = labels.run(Map.of("account_health", health, "account_mrr_monthly", accountMonths), params)
          .localCheckpoint(false);
      return table.run(Map.of("account_health", health, "labels", labeled, "auc", auc().apply(labeled)), params);
    };
  }

  /**
   * Labeled score groups ({@code snapshot_date, health_score, churned, retained}: accounts per
   * snapshot and score, {@code health_backtest_labels.sql}) -> {@code snapshot_date, auc}:
   * U = sum over churned accounts of (retained with a higher score + half the retained with the
   * same score); auc = U / (churned x retained), null when either group is empty ({@code health_auc.sql}).
   */
  public static Transform auc() {
    SqlModel model = SqlModel.of("health_auc");
    return labeled -> model.run(Map.of("labels", labeled), Map.of());
  }
}
