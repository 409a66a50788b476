package io.kpilake.metrics;

import io.kpilake.model.FxRates;
import io.kpilake.model.SqlModel;
import io.kpilake.spark.Transform;
import java.time.LocalDate;
import java.util.Map;

/**
 * kpi.payments_monthly (kpis.md section 7): charge approval by month of occurred_at and processor,
 * and invoice recovery: invoices whose first failed charge is in the month, recovered by a later
 * succeeded charge on the same invoice within the recovery window. Medians are exact
 * ({@code models/payments_monthly.sql}).
 */
public final class PaymentMetrics {
  private PaymentMetrics() {}

  /** Input: payment events (priceable currencies, every version). */
  public static Transform paymentsMonthly(FxRates fx, LocalDate asOf, int recoveryWindowDays) {
    SqlModel model = SqlModel.of("payments_monthly");
    return payments -> model.run(Map.of("payments", payments), Map.of("as_of", asOf, "recovery_window_days", recoveryWindowDays), fx);
  }
}
