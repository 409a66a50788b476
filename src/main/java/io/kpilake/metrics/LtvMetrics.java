package io.kpilake.metrics;

import io.kpilake.model.FxRates;
import io.kpilake.model.SqlModel;
import io.kpilake.spark.Transform;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** kpi.ltv (formula LTV by segment and overall) and kpi.ltv_realized (cohort net revenue to date). */
public final class LtvMetrics {
  private LtvMetrics() {}

  /**
   * As of month(D): active accounts and ARPA; churn rate = churned / start accounts summed over the
   * 12 months ending at month(D); lifetime = min(1 / churn, cap) (the cap when churn is 0 or
   * unknown); ltv = arpa * gross margin * lifetime. One row per segment plus segment = 'all'
   * ({@code models/ltv.sql}).
   */
  public static Transform ltv(LocalDate asOf, double grossMargin, int maxLifetimeMonths) {
    SqlModel model = SqlModel.of("ltv");
    return am -> model.run(Map.of("account_mrr_monthly", am),
        Map.of("as_of", asOf, "gross_margin", grossMargin, "max_lifetime_months", (double) maxLifetimeMonths));
  }

  /**
   * Net revenue (succeeded charges minus refunds and chargebacks, reporting currency at the
   * occurred_at day's rate) of each cohort by months since its cohort month (earlier payments in
   * month 0), for every month from the cohort month to month(D) ({@code models/ltv_realized.sql}).
   */
  public static Transform ltvRealized(Dataset<Row> payments, FxRates fx, LocalDate asOf) {
    SqlModel model = SqlModel.of("ltv_realized");
    return am -> model.run(Map.of("account_mrr_monthly", am, "payments", payments), Map.of("as_of", asOf), fx);
  }
}
