package io.kpilake.model;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.kpilake.spark.Transform;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DecimalType;

/**
 * Section 1 of the KPI contract: MRR-eligible lines, account-month revenue computed once (periods
 * expanded into months, no range join), the account-month grid with movements and churn type.
 * Each step is an SQL model ({@link SqlModel}); the CRM attributes other tables share stay here.
 */
public final class RevenueModel {
  public static final DecimalType MONEY = io.kpilake.contract.KpiTables.MONEY;

  private RevenueModel() {}

  /**
   * Current invoice lines that count for MRR (recurring, not void or draft, at least 27 days) with
   * {@code months} (= max(1, round(days / 30.4375))), {@code monthly_amount} in the line's
   * currency and {@code service_end}: the exclusive end of coverage, {@code least(period_end,
   * date(ended_at))} of its subscription ({@code models/mrr_lines.sql}).
   */
  public static Transform mrrLines(Dataset<Row> subscriptions) {
    SqlModel model = SqlModel.of("mrr_lines");
    return lines -> model.run(Map.of("invoice_lines", lines, "subscriptions", subscriptions), Map.of());
  }

  /**
   * Account-month revenue from MRR lines, computed once: each line expanded into the months whose
   * snapshot day it covers, {@code mrr} at the rates of the month's snapshot day and
   * {@code mrr_at_prev_rates} at the rates of the previous month's ({@code models/account_month_revenue.sql}).
   */
  public static Transform accountMonthRevenue(FxRates fx, LocalDate asOf) {
    SqlModel model = SqlModel.of("account_month_revenue");
    return mrrLines -> model.run(Map.of("mrr_lines", mrrLines), Map.of("as_of", asOf), fx);
  }

  /**
   * kpi.account_mrr_monthly from account-month revenue: every account from its cohort month to
   * month(D), movements, churn type and CRM attributes ({@code models/account_mrr_monthly.sql}).
   */
  public static Transform accountMonths(Dataset<Row> subscriptions, Dataset<Row> payments, Dataset<Row> accounts, LocalDate asOf,
      int involuntaryWindowDays) {
    SqlModel model = SqlModel.of("account_mrr_monthly");
    return revenue -> model.run(
        Map.of("account_month_revenue", revenue, "subscriptions", subscriptions, "payments", payments, "accounts", accounts),
        Map.of("as_of", asOf, "involuntary_window_days", involuntaryWindowDays));
  }

  /**
   * Segment, region and owner: the latest CRM values; {@code unknown}/{@code unassigned} when the
   * account is not in the CRM.
   */
  public static Transform withCrmAttributes(Dataset<Row> accounts) {
    Dataset<Row> current = accounts.filter(col("_is_current"))
        .select(col("account_id").as("_crm_id"), col("segment").as("_seg"), col("region").as("_region"), col("owner").as("_owner"));
    return df -> df.join(current, col("account_id").equalTo(col("_crm_id")), "left")
        .withColumn("segment", coalesce(col("_seg"), lit("unknown")))
        .withColumn("region", col("_region"))
        .withColumn("owner", coalesce(col("_owner"), lit("unassigned")))
        .drop("_crm_id", "_seg", "_region", "_owner");
  }
}
