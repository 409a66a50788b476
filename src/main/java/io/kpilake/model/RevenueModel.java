package io.kpilake.model;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.kpilake.spark.Transform;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/**
 * Section 1 of the KPI contract as small transformations: MRR-eligible lines, the months whose
 * snapshot day each line covers (periods expanded into months, no range join), account-month
 * revenue computed once, the account-month grid and its movements.
 */
public final class RevenueModel {
  public static final DecimalType MONEY = io.kpilake.contract.KpiTables.MONEY;
  /** Monthly amounts keep 8 decimals until the account-month sum is rounded to cents. */
  public static final DecimalType FINE = DataTypes.createDecimalType(24, 8);

  private RevenueModel() {}

  private static String d(LocalDate date) {
    return "date'" + date + "'";
  }

  /**
   * Current invoice lines that count for MRR (recurring, not void or draft, at least 27 days) with
   * {@code months} (= max(1, round(days / 30.4375))), {@code monthly_amount} in the line's
   * currency and {@code service_end}: the exclusive end of coverage, {@code least(period_end,
   * date(ended_at))} of its subscription.
   */
  public static Transform mrrLines(Dataset<Row> subscriptions) {
    Dataset<Row> ends = subscriptions.filter(col("_is_current"))
        .select(col("subscription_id").as("_sub_id"), expr("to_date(ended_at)").as("_sub_end"));
    return lines -> lines.filter(col("_is_current"))
        .filter("line_type = 'recurring' AND (invoice_status IS NULL OR invoice_status NOT IN ('void', 'draft')) AND datediff(period_end, period_start) >= 27")
        .withColumn("days", expr("datediff(period_end, period_start)"))
        .withColumn("months", expr("CAST(greatest(1, round(datediff(period_end, period_start) / 30.4375)) AS INT)"))
        .withColumn("monthly_amount", expr("CAST(coalesce(amount, 0) / months AS DECIMAL(24,8))"))
        .join(ends, col("subscription_id").equalTo(col("_sub_id")), "left")
        .withColumn("service_end", expr("least(period_end, _sub_end)"))
        .select("line_id", "account_id", "subscription_id", "currency", "period_start", "period_end", "days", "months",
            "monthly_amount", "service_end");
  }

  /**
   * One row per line and month M whose snapshot day {@code s = min(last_day(M), D)} the line
   * covers: {@code period_start <= s < service_end}, M up to month(D).
   */
  public static Transform lineMonths(LocalDate asOf) {
    // Lines starting after D, or cut by an end of service before they start, cover no snapshot day
    // (and would make a descending sequence).
    return lines -> lines
        .filter(expr("period_start <= " + d(asOf) + " AND period_start < service_end"))
        .withColumn("month", expr("explode(sequence(trunc(period_start, 'MM'), "
            + "least(trunc(date_sub(service_end, 1), 'MM'), trunc(" + d(asOf) + ", 'MM')), interval 1 month))"))
        .withColumn("snapshot_day", expr("least(last_day(month), " + d(asOf) + ")"))
        .filter("period_start <= snapshot_day AND snapshot_day < service_end");
  }

  /**
   * Account-month revenue, computed once: {@code mrr} at the rates of the month's snapshot day and
   * {@code mrr_at_prev_rates} at the rates of the previous month's snapshot day, both
   * {@code max(0, round(sum, 2))}.
   */
  public static Transform accountMonthRevenue(FxRates fx) {
    return lineMonths -> {
      Dataset<Row> withRates = fx.withRate(lineMonths, "currency", col("snapshot_day"), "rate");
      withRates = fx.withRate(withRates, "currency", expr("last_day(add_months(month, -1))"), "prev_rate");
      return withRates.groupBy("account_id", "month")
          .agg(expr("CAST(greatest(0, round(sum(monthly_amount * rate), 2)) AS DECIMAL(18,2))").as("mrr"),
              expr("CAST(greatest(0, round(sum(monthly_amount * prev_rate), 2)) AS DECIMAL(18,2))").as("mrr_at_prev_rates"));
    };
  }

  /**
   * Every account from its cohort month (first month with MRR > 0) to month(D), months without
   * revenue at 0; {@code mrr_at_prev_rates = mrr} in the first month of the data.
   */
  public static Transform accountMonthGrid(LocalDate asOf) {
    return revenue -> {
      Dataset<Row> cohorts = revenue.filter(col("mrr").gt(0)).groupBy("account_id").agg(expr("min(month)").as("cohort_month"));
      Dataset<Row> firstMonth = revenue.agg(expr("min(month)").as("first_data_month"));
      return cohorts
          .withColumn("month", expr("explode(sequence(cohort_month, trunc(" + d(asOf) + ", 'MM'), interval 1 month))"))
          .join(revenue, new String[] {"account_id", "month"}, "left")
          .crossJoin(broadcast(firstMonth))
          .withColumn("mrr", coalesce(col("mrr"), lit(0).cast(MONEY)))
          .withColumn("mrr_at_prev_rates", expr("CASE WHEN month = first_data_month THEN mrr "
              + "ELSE coalesce(mrr_at_prev_rates, CAST(0 AS DECIMAL(18,2))) END"))
          .drop("first_data_month");
    };
  }

  /** prev_mrr, movement, its amount columns and fx_impact_mrr (contract table in section 1). */
  public static Transform movements() {
    return grid -> grid
        .withColumn("prev_mrr", expr("coalesce(lag(mrr) OVER (PARTITION BY account_id ORDER BY month), CAST(0 AS DECIMAL(18,2)))"))
        .withColumn("movement", expr("CASE "
            + "WHEN prev_mrr = 0 AND mrr > 0 AND month = cohort_month THEN 'new' "
            + "WHEN prev_mrr = 0 AND mrr > 0 THEN 'reactivation' "
            + "WHEN prev_mrr = 0 THEN 'inactive' "
            + "WHEN mrr_at_prev_rates = 0 THEN 'churn' "
            + "WHEN mrr_at_prev_rates > prev_mrr THEN 'expansion' "
            + "WHEN mrr_at_prev_rates < prev_mrr THEN 'contraction' "
            + "ELSE 'flat' END"))
        .withColumn("new_mrr", amountIf("new", "mrr"))
        .withColumn("reactivation_mrr", amountIf("reactivation", "mrr"))
        .withColumn("expansion_mrr", amountIf("expansion", "mrr_at_prev_rates - prev_mrr"))
        .withColumn("contraction_mrr", amountIf("contraction", "prev_mrr - mrr_at_prev_rates"))
        .withColumn("churned_mrr", amountIf("churn", "prev_mrr"))
        .withColumn("fx_impact_mrr", expr("CAST(CASE WHEN prev_mrr > 0 THEN mrr - mrr_at_prev_rates ELSE 0 END AS DECIMAL(18,2))"))
        .withColumn("arr", expr("CAST(mrr * 12 AS DECIMAL(18,2))"));
  }

  private static org.apache.spark.sql.Column amountIf(String movement, String amount) {
    return expr("CAST(CASE WHEN movement = '" + movement + "' THEN " + amount + " ELSE 0 END AS DECIMAL(18,2))");
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

  /**
   * churn_type on churn rows: subscriptions ending in (S(M-1), S(M)] decide (payment_failed ->
   * involuntary; another reason -> voluntary); with no reason, the account's latest charge in the
   * window days up to the churn date decides (failed -> involuntary, else voluntary).
   */
  public static Transform churnType(Dataset<Row> subscriptions, Dataset<Row> payments, LocalDate asOf, int windowDays) {
    Dataset<Row> subs = subscriptions.filter(col("_is_current").and(col("ended_at").isNotNull()))
        .select(col("account_id").as("_s_acc"), expr("to_date(ended_at)").as("_s_end"), col("cancel_reason").as("_s_reason"));
    Dataset<Row> charges = payments.filter(col("_is_current").and(col("event_type").equalTo("charge")))
        .select(col("account_id").as("_p_acc"), col("occurred_at").as("_p_at"), col("event_id").as("_p_id"), col("status").as("_p_status"));
    return df -> {
      Dataset<Row> churns = df.filter(col("movement").equalTo("churn"))
          .select(col("account_id").as("_c_acc"), col("month").as("_c_month"),
              expr("least(last_day(month), " + d(asOf) + ")").as("_c_s"), expr("last_day(add_months(month, -1))").as("_c_prev_s"));
      Dataset<Row> ended = churns.join(subs, col("_c_acc").equalTo(col("_s_acc"))
              .and(col("_s_end").gt(col("_c_prev_s"))).and(col("_s_end").leq(col("_c_s"))), "left")
          .groupBy("_c_acc", "_c_month", "_c_s")
          .agg(expr("max(CASE WHEN _s_reason = 'payment_failed' THEN 1 ELSE 0 END)").as("_pf"),
              expr("max(CASE WHEN _s_reason IS NOT NULL THEN 1 ELSE 0 END)").as("_any_reason"),
              expr("coalesce(max(_s_end), _c_s)").as("_churn_date"));
      Dataset<Row> lastCharge = ended.join(charges, col("_c_acc").equalTo(col("_p_acc"))
              .and(expr("to_date(_p_at) > date_sub(_churn_date, " + windowDays + ")")).and(expr("to_date(_p_at) <= _churn_date")), "left")
          .groupBy("_c_acc", "_c_month", "_pf", "_any_reason")
          .agg(expr("max_by(_p_status, struct(_p_at, _p_id))").as("_last_status"))
          .withColumn("_churn_type", expr("CASE WHEN _pf = 1 THEN 'involuntary' WHEN _any_reason = 1 THEN 'voluntary' "
              + "WHEN _last_status = 'failed' THEN 'involuntary' ELSE 'voluntary' END"))
          .select("_c_acc", "_c_month", "_churn_type");
      return df.join(lastCharge, col("account_id").equalTo(col("_c_acc")).and(col("month").equalTo(col("_c_month"))), "left")
          .withColumnRenamed("_churn_type", "churn_type")
          .drop("_c_acc", "_c_month");
    };
  }
}
