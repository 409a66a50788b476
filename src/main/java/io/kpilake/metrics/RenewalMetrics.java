package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.spark.Transform;
import io.kpilake.model.FxRates;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * kpi.renewals_monthly: MRR lines of 12 months or longer whose period ends in month M (on or
 * before D) and whose subscription had not ended before period_end. Renewed when the account's
 * MRR on the day period_end is > 0.
 */
public final class RenewalMetrics {
  private RenewalMetrics() {}

  /** Input: MRR lines ({@code RevenueModel.mrrLines}) with segment. */
  public static Transform renewalsMonthly(FxRates fx, LocalDate asOf) {
    return lines -> {
      Dataset<Row> due = lines.filter(expr("months >= 12 AND period_end <= date'" + asOf + "' AND service_end >= period_end"))
          .select(col("line_id").as("due_line"), col("account_id").as("due_account"), col("segment"), col("currency").as("due_currency"),
              col("monthly_amount").as("due_monthly"), col("period_end").as("renewal_day"));
      due = fx.withRate(due, "due_currency", expr("date_sub(renewal_day, 1)"), "due_rate")
          .withColumn("arr_due", expr("CAST(round(12 * due_monthly * due_rate, 2) AS DECIMAL(18,2))"));
      // MRR of the account on the renewal day: its lines covering that day, at that day's rates.
      Dataset<Row> covering = lines.select(col("account_id").as("c_account"), col("currency").as("c_currency"),
          col("monthly_amount").as("c_monthly"), col("period_start").as("c_start"), col("service_end").as("c_end"));
      Dataset<Row> joined = due.join(covering, col("due_account").equalTo(col("c_account"))
          .and(col("c_start").leq(col("renewal_day"))).and(col("renewal_day").lt(col("c_end"))), "left");
      joined = fx.withRate(joined, "c_currency", col("renewal_day"), "c_rate");
      Dataset<Row> perLine = joined.groupBy("due_line", "segment", "renewal_day", "arr_due")
          .agg(expr("CAST(greatest(0, round(coalesce(sum(c_monthly * c_rate), 0), 2)) AS DECIMAL(18,2))").as("mrr_on_day"));
      return perLine.withColumn("month", expr("trunc(renewal_day, 'MM')"))
          .groupBy("month", "segment").agg(
              expr("count(*)").as("renewals_due"),
              expr("count_if(mrr_on_day > 0)").as("renewals_renewed"),
              expr("CAST(sum(arr_due) AS DECIMAL(18,2))").as("arr_due"),
              expr("CAST(sum(least(arr_due, 12 * mrr_on_day)) AS DECIMAL(18,2))").as("arr_renewed"))
          .withColumn("renewal_rate", expr("CAST(renewals_renewed AS DOUBLE) / renewals_due"))
          .withColumn("renewal_rate_value", expr("CASE WHEN arr_due > 0 THEN CAST(arr_renewed AS DOUBLE) / CAST(arr_due AS DOUBLE) END"));
    };
  }
}
