package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.spark.Transform;
import java.time.LocalDate;

/**
 * kpi.support_monthly (kpis.md section 7): tickets by month of created_at and segment (latest CRM
 * value), escalations, exact median first-response and resolution hours, mean CSAT.
 */
public final class SupportMetrics {
  private SupportMetrics() {}

  /** Input: current tickets with {@code segment} ({@code RevenueModel.withCrmAttributes}). */
  public static Transform supportMonthly(LocalDate asOf) {
    return tickets -> tickets.filter(col("_is_current").and(expr("to_date(created_at) <= date'" + asOf + "'")))
        .withColumn("month", expr("trunc(to_date(created_at), 'MM')"))
        .withColumn("_response_h", expr("(unix_micros(first_response_at) - unix_micros(created_at)) / 3600000000D"))
        .withColumn("_resolution_h", expr("(unix_micros(solved_at) - unix_micros(created_at)) / 3600000000D"))
        .groupBy("month", "segment").agg(
            expr("count(*)").as("tickets"),
            expr("count_if(escalated)").as("escalated"),
            expr("percentile(_response_h, 0.5)").as("median_first_response_hours"),
            expr("percentile(_resolution_h, 0.5)").as("median_resolution_hours"),
            expr("avg(csat_score)").as("avg_csat"),
            expr("count(csat_score)").as("csat_responses"))
        .withColumn("escalation_rate", expr("CAST(escalated AS DOUBLE) / tickets"));
  }
}
