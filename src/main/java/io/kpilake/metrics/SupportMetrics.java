package io.kpilake.metrics;

import io.kpilake.model.SqlModel;
import io.kpilake.spark.Transform;
import java.time.LocalDate;
import java.util.Map;

/**
 * kpi.support_monthly (kpis.md section 7): tickets by month of created_at and segment (latest CRM
 * value), escalations, exact median first-response and resolution hours, mean CSAT
 * ({@code models/support_monthly.sql}).
 */
public final class SupportMetrics {
  private SupportMetrics() {}

  /** Input: current tickets with {@code segment} ({@code RevenueModel.withCrmAttributes}). */
  public static Transform supportMonthly(LocalDate asOf) {
    SqlModel model = SqlModel.of("support_monthly");
    return tickets -> model.run(Map.of("tickets", tickets), Map.of("as_of", asOf));
  }
}
