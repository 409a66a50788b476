package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.kpilake.spark.Transform;
import io.kpilake.model.FxRates;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** kpi.ltv (formula LTV by segment and overall) and kpi.ltv_realized (cohort net revenue to date). */
public final class LtvMetrics {
  private LtvMetrics() {}

  /**
   * As of month(D): active accounts and ARPA; churn rate = churned / start accounts summed over the
   * 12 months ending at month(D); lifetime = min(1 / churn, cap) (the cap when churn is 0 or
   * unknown); ltv = arpa * gross margin * lifetime. One row per segment plus segment = 'all'.
   */
  public static Transform ltv(LocalDate asOf, double grossMargin, int maxLifetimeMonths) {
    String monthD = "trunc(date'" + asOf + "', 'MM')";
    return am -> {
      Dataset<Row> recent = am.filter(expr("month > add_months(" + monthD + ", -12) AND month <= " + monthD))
          .withColumn("is_current", expr("month = " + monthD));
      org.apache.spark.sql.Column[] p = parts();
      Dataset<Row> bySegment = recent.groupBy("segment").agg(p[0], java.util.Arrays.copyOfRange(p, 1, p.length));
      Dataset<Row> all = recent.agg(p[0], java.util.Arrays.copyOfRange(p, 1, p.length)).withColumn("segment", lit("all"));
      return bySegment.unionByName(all)
          .withColumn("arpa", expr("CAST(CASE WHEN active_accounts > 0 THEN round(active_mrr / active_accounts, 2) END AS DECIMAL(18,2))"))
          .withColumn("monthly_churn_rate", expr("CASE WHEN start_sum > 0 THEN CAST(churned_sum AS DOUBLE) / start_sum END"))
          .withColumn("gross_margin", lit(grossMargin))
          .withColumn("expected_lifetime_months", expr("CASE WHEN monthly_churn_rate IS NULL OR monthly_churn_rate = 0 THEN "
              + maxLifetimeMonths + "D ELSE least(1 / monthly_churn_rate, " + maxLifetimeMonths + "D) END"))
          .withColumn("ltv", expr("CAST(round(CAST(arpa AS DOUBLE) * gross_margin * expected_lifetime_months, 2) AS DECIMAL(18,2))"))
          .withColumn("as_of_month", expr(monthD))
          .drop("active_mrr", "start_sum", "churned_sum");
    };
  }

  private static org.apache.spark.sql.Column[] parts() {
    return new org.apache.spark.sql.Column[] {
        expr("count_if(is_current AND mrr > 0)").as("active_accounts"),
        expr("sum(CASE WHEN is_current AND mrr > 0 THEN mrr ELSE 0 END)").as("active_mrr"),
        expr("count_if(prev_mrr > 0)").as("start_sum"),
        expr("count_if(movement = 'churn')").as("churned_sum")};
  }

  /**
   * Net revenue (succeeded charges minus refunds and chargebacks, reporting currency at the
   * occurred_at day's rate) of each cohort by months since its cohort month (earlier payments in
   * month 0), for every month from the cohort month to month(D).
   */
  public static Transform ltvRealized(Dataset<Row> payments, FxRates fx, LocalDate asOf) {
    return am -> {
      Dataset<Row> cohorts = am.filter(expr("month = cohort_month")).select("account_id", "cohort_month", "segment");
      Dataset<Row> money = payments.filter(expr("_is_current AND status = 'succeeded' AND amount IS NOT NULL "
              + "AND to_date(occurred_at) <= date'" + asOf + "'"))
          .select(col("account_id"), col("currency"), col("amount"), col("event_type"), expr("to_date(occurred_at)").as("day"));
      money = fx.withRate(money, "currency", col("day"), "rate")
          // A succeeded event of no known type is neither a charge nor a refund: not counted (an ELSE
          // here used to subtract it as a refund).
          .withColumn("net", expr("CASE WHEN event_type = 'charge' THEN amount WHEN event_type IN ('refund', 'chargeback') "
              + "THEN -amount END * rate"));
      Dataset<Row> perAccount = money.join(cohorts, "account_id")
          .withColumn("months_since_start", expr("greatest(0, CAST(months_between(trunc(day, 'MM'), cohort_month) AS INT))"))
          .groupBy("cohort_month", "segment", "months_since_start").agg(expr("sum(net)").as("net_revenue"));
      Dataset<Row> grid = cohorts.groupBy("cohort_month", "segment").agg(expr("count(*)").as("cohort_accounts"))
          .withColumn("months_since_start", expr("explode(sequence(0, CAST(months_between(trunc(date'" + asOf
              + "', 'MM'), cohort_month) AS INT)))"));
      return grid.join(perAccount, new String[] {"cohort_month", "segment", "months_since_start"}, "left")
          .withColumn("net_revenue", expr("CAST(round(coalesce(net_revenue, 0), 2) AS DECIMAL(18,2))"))
          .withColumn("cumulative_net_revenue", expr("CAST(sum(net_revenue) OVER (PARTITION BY cohort_month, segment "
              + "ORDER BY months_since_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DECIMAL(18,2))"))
          .withColumn("ltv_to_date", expr("CAST(round(cumulative_net_revenue / cohort_accounts, 2) AS DECIMAL(18,2))"));
    };
  }
}
