package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.spark.Transform;
import io.kpilake.model.FxRates;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * kpi.payments_monthly (kpis.md section 7): charge approval by month of occurred_at and processor,
 * and invoice recovery: invoices whose first failed charge is in the month, recovered by a later
 * succeeded charge on the same invoice within the recovery window. Medians are exact.
 */
public final class PaymentMetrics {
  private PaymentMetrics() {}

  /** Input: current payment events (priceable currencies). */
  public static Transform paymentsMonthly(FxRates fx, LocalDate asOf, int recoveryWindowDays) {
    return payments -> {
      Dataset<Row> charges = payments.filter(col("_is_current").and(col("event_type").equalTo("charge")))
          .filter(expr("to_date(occurred_at) <= date'" + asOf + "'"))
          .withColumn("processor", expr("coalesce(processor, 'unknown')"))
          .withColumn("month", expr("trunc(to_date(occurred_at), 'MM')"));
      Dataset<Row> attempts = charges.groupBy("month", "processor").agg(
          expr("count(*)").as("charge_attempts"),
          expr("count_if(status = 'succeeded')").as("succeeded"),
          expr("count_if(status = 'failed')").as("failed"),
          expr("count_if(attempt_number = 1)").as("_first"),
          expr("count_if(attempt_number = 1 AND status = 'succeeded')").as("_first_ok"));
      Dataset<Row> firstFailure = charges.filter(col("invoice_id").isNotNull().and(col("status").equalTo("failed")))
          .groupBy("invoice_id")
          .agg(expr("min_by(struct(occurred_at, event_id, processor, month), struct(occurred_at, event_id))").as("_f"))
          .select(col("invoice_id"), col("_f.occurred_at").as("failed_at"), col("_f.processor").as("processor"), col("_f.month").as("month"));
      Dataset<Row> successes = charges.filter(col("invoice_id").isNotNull().and(col("status").equalTo("succeeded")))
          .select(col("invoice_id").as("_s_inv"), col("occurred_at").as("_s_at"), col("event_id").as("_s_id"), col("amount").as("_s_amount"),
              col("currency").as("_s_currency"));
      Dataset<Row> recovery = firstFailure
          .join(successes, col("invoice_id").equalTo(col("_s_inv")).and(col("_s_at").gt(col("failed_at")))
              .and(expr("_s_at <= failed_at + INTERVAL " + recoveryWindowDays + " DAYS")), "left")
          .groupBy("invoice_id", "failed_at", "processor", "month")
          .agg(expr("min_by(struct(_s_at, _s_amount, _s_currency), struct(_s_at, _s_id))").as("_r"))
          .select(col("invoice_id"), col("failed_at"), col("processor"), col("month"), col("_r._s_at").as("recovered_at"),
              col("_r._s_amount").as("recovered_amount_orig"), col("_r._s_currency").as("recovered_currency"));
      recovery = fx.withRate(recovery, "recovered_currency", expr("to_date(recovered_at)"), "_rate")
          .withColumn("_days", expr("(unix_micros(recovered_at) - unix_micros(failed_at)) / 86400000000D"))
          .groupBy("month", "processor").agg(
              expr("count(*)").as("failed_invoices"),
              expr("count(recovered_at)").as("recovered_invoices"),
              expr("CAST(coalesce(round(sum(recovered_amount_orig * _rate), 2), 0) AS DECIMAL(18,2))").as("recovered_amount"),
              expr("percentile(_days, 0.5)").as("median_days_to_recover"));
      return attempts.join(recovery, new String[] {"month", "processor"}, "left")
          .withColumn("failed_invoices", expr("coalesce(failed_invoices, 0L)"))
          .withColumn("recovered_invoices", expr("coalesce(recovered_invoices, 0L)"))
          .withColumn("recovered_amount", expr("coalesce(recovered_amount, CAST(0 AS DECIMAL(18,2)))"))
          .withColumn("approval_rate", expr("CAST(succeeded AS DOUBLE) / charge_attempts"))
          .withColumn("first_attempt_approval_rate", expr("CASE WHEN _first > 0 THEN CAST(_first_ok AS DOUBLE) / _first END"))
          .withColumn("recovery_rate", expr("CASE WHEN failed_invoices > 0 THEN CAST(recovered_invoices AS DOUBLE) / failed_invoices END"))
          .drop("_first", "_first_ok");
    };
  }
}
