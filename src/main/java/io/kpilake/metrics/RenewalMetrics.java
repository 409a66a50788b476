package io.kpilake.metrics;

import io.kpilake.model.FxRates;
import io.kpilake.model.SqlModel;
import io.kpilake.spark.Transform;
import java.time.LocalDate;
import java.util.Map;

/**
 * kpi.renewals_monthly: MRR lines of 12 months or longer whose period ends in month M (on or
 * before D) and whose subscription had not ended before period_end. Renewed when the account's
 * MRR on the day period_end is > 0 ({@code models/renewals_monthly.sql}).
 */
public final class RenewalMetrics {
  private RenewalMetrics() {}

  /** Input: MRR lines ({@code RevenueModel.mrrLines}) with segment. */
  public static Transform renewalsMonthly(FxRates fx, LocalDate asOf) {
    SqlModel model = SqlModel.of("renewals_monthly");
    return lines -> model.run(Map.of("mrr_lines", lines), Map.of("as_of", asOf), fx);
  }
}
