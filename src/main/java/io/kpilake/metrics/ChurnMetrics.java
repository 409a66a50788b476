package io.kpilake.metrics;

import io.kpilake.model.SqlModel;
import io.kpilake.spark.Transform;
import java.util.Map;

/** kpi.churn_monthly: logo and revenue churn by month, segment and churn type, both types always ({@code models/churn_monthly.sql}). */
public final class ChurnMetrics {
  private ChurnMetrics() {}

  public static Transform churnMonthly() {
    SqlModel model = SqlModel.of("churn_monthly");
    return accountMonths -> model.run(Map.of("account_mrr_monthly", accountMonths), Map.of());
  }
}
