package io.kpilake.metrics;

import io.kpilake.model.SqlModel;
import io.kpilake.spark.Transform;
import java.util.Map;

/** kpi.mrr_movements_monthly: the MRR bridge by month and segment, summed from account_mrr_monthly ({@code models/mrr_movements_monthly.sql}). */
public final class MrrMetrics {
  private MrrMetrics() {}

  public static Transform movementsMonthly() {
    SqlModel model = SqlModel.of("mrr_movements_monthly");
    return accountMonths -> model.run(Map.of("account_mrr_monthly", accountMonths), Map.of());
  }
}
