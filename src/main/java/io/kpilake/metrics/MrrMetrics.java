package io.kpilake.metrics;

import static org.apache.spark.sql.functions.expr;

import io.kpilake.spark.Transform;

/** kpi.mrr_movements_monthly: the MRR bridge by month and segment, summed from account_mrr_monthly. */
public final class MrrMetrics {
  private MrrMetrics() {}

  public static Transform movementsMonthly() {
    return accountMonths -> accountMonths.groupBy("month", "segment").agg(
        expr("count_if(prev_mrr > 0)").as("start_accounts"),
        expr("CAST(sum(prev_mrr) AS DECIMAL(18,2))").as("start_mrr"),
        expr("CAST(sum(new_mrr) AS DECIMAL(18,2))").as("new_mrr"),
        expr("CAST(sum(expansion_mrr) AS DECIMAL(18,2))").as("expansion_mrr"),
        expr("CAST(sum(contraction_mrr) AS DECIMAL(18,2))").as("contraction_mrr"),
        expr("CAST(sum(churned_mrr) AS DECIMAL(18,2))").as("churned_mrr"),
        expr("CAST(sum(reactivation_mrr) AS DECIMAL(18,2))").as("reactivation_mrr"),
        expr("CAST(sum(fx_impact_mrr) AS DECIMAL(18,2))").as("fx_impact_mrr"),
        expr("CAST(sum(mrr) AS DECIMAL(18,2))").as("end_mrr"),
        expr("count_if(mrr > 0)").as("end_accounts"),
        expr("count_if(movement = 'new')").as("new_accounts"),
        expr("count_if(movement = 'churn')").as("churned_accounts"),
        expr("count_if(movement = 'reactivation')").as("reactivated_accounts"));
  }
}
