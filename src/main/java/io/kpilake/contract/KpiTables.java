package io.kpilake.contract;

import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import io.kpilake.contract.KpiTable.Col;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;

/** The curated tables of sections 1-4 and renewals (kpis.md): columns, comments, constraints. */
public final class KpiTables {
  private KpiTables() {}

  /** Money in every curated table: decimals of at most 18 digits, 2 of them decimals (kpis.md). */
  public static final org.apache.spark.sql.types.DecimalType MONEY = org.apache.spark.sql.types.DataTypes.createDecimalType(18, 2);

  public static Col key(String n, DataType t, String c) {
    return new Col(n, t, false, c);
  }

  public static Col val(String n, DataType t, String c) {
    return new Col(n, t, true, c);
  }

  public static Col money(String n, String c) {
    return new Col(n, MONEY, false, c + " (reporting currency)");
  }

  public static Map<String, String> checks(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  static final String MONTH = "First day of the month";
  static final String SEGMENT = "Account segment: latest CRM value, 'unknown' when absent";

  public static final KpiTable ACCOUNT_MRR_MONTHLY = new KpiTable("account_mrr_monthly",
      "MRR per account and month from the account's cohort month to the as-of month, with its movement. "
          + "MRR converts at the rates of the month's snapshot day min(month end, as-of); movements are classified at "
          + "constant (previous month's) rates, currency swings are in fx_impact_mrr. "
          + "mrr = prev_mrr + new + reactivation + expansion - contraction - churned + fx_impact.",
      List.of(
          key("account_id", StringType, "Account"),
          key("month", DateType, MONTH),
          key("cohort_month", DateType, "The account's first month with MRR > 0"),
          key("segment", StringType, SEGMENT),
          val("region", StringType, "Latest CRM region"),
          key("owner", StringType, "Account manager: latest CRM value, 'unassigned' when absent"),
          money("mrr", "Monthly recurring revenue on the snapshot day, at that day's rates"),
          money("arr", "12 x mrr"),
          money("prev_mrr", "mrr of the previous month (0 in the cohort month)"),
          money("mrr_at_prev_rates", "This month's covering lines at the previous snapshot day's rates"),
          key("movement", StringType, "new, reactivation, expansion, contraction, churn, flat or inactive"),
          money("new_mrr", "mrr of the first active month"),
          money("expansion_mrr", "mrr_at_prev_rates - prev_mrr when it grew"),
          money("contraction_mrr", "prev_mrr - mrr_at_prev_rates when it shrank but stayed > 0"),
          money("churned_mrr", "prev_mrr when MRR fell to 0"),
          money("reactivation_mrr", "mrr when an account that was active before comes back"),
          money("fx_impact_mrr", "mrr - mrr_at_prev_rates for accounts active last month: currency swings, not movements"),
          val("churn_type", StringType, "voluntary or involuntary on churn rows, else null")),
      checks("mrr_not_negative", "mrr >= 0",
          "movement_known", "movement IN ('new', 'reactivation', 'expansion', 'contraction', 'churn', 'flat', 'inactive')",
          "churn_type_known", "churn_type IS NULL OR churn_type IN ('voluntary', 'involuntary')",
          "mrr_bridge", "mrr = prev_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr + fx_impact_mrr"));

  public static final KpiTable MRR_MOVEMENTS_MONTHLY = new KpiTable("mrr_movements_monthly",
      "The MRR bridge by month and segment: start_mrr + new + expansion + reactivation - contraction - churned + "
          + "fx_impact = end_mrr. Sum segments for the company total (view kpi.mrr_movements_rollup).",
      List.of(
          key("month", DateType, MONTH),
          key("segment", StringType, SEGMENT),
          key("start_accounts", LongType, "Accounts active (MRR > 0) in the previous month"),
          money("start_mrr", "MRR of the previous month"),
          money("new_mrr", "MRR of new accounts"),
          money("expansion_mrr", "Expansion at constant rates"),
          money("contraction_mrr", "Contraction at constant rates"),
          money("churned_mrr", "MRR lost to churn"),
          money("reactivation_mrr", "MRR of reactivated accounts"),
          money("fx_impact_mrr", "Change from currency rates"),
          money("end_mrr", "MRR of the month"),
          key("end_accounts", LongType, "Accounts active in the month"),
          key("new_accounts", LongType, "Accounts in their first active month"),
          key("churned_accounts", LongType, "Accounts whose MRR fell to 0"),
          key("reactivated_accounts", LongType, "Accounts active again after a gap")),
      checks("bridge", "start_mrr + new_mrr + expansion_mrr + reactivation_mrr - contraction_mrr - churned_mrr + fx_impact_mrr = end_mrr"));

  public static final KpiTable RETENTION = new KpiTable("retention",
      "NRR, GRR and logo retention over windows of 1, 3 and 12 months ending in month, by the base accounts' cohort "
          + "and segment. Components are stored so any roll-up is a sum followed by the same ratios "
          + "(view kpi.retention_rollup). Compares reported MRR (each month at its own FX rates): over long windows "
          + "currency swings sit inside expansion and contraction.",
      List.of(
          key("window_months", IntegerType, "Window length w: 1, 3 or 12"),
          key("month", DateType, "Last month M of the window; the base is the accounts with MRR in M - w"),
          key("cohort_month", DateType, "Cohort of the base accounts"),
          key("segment", StringType, SEGMENT),
          key("start_accounts", LongType, "Base accounts: MRR(M - w) > 0"),
          key("retained_accounts", LongType, "Base accounts with MRR(M) > 0"),
          money("start_mrr", "sum of MRR(M - w)"),
          money("expansion_mrr", "sum of MRR(M) - MRR(M - w) where it grew"),
          money("contraction_mrr", "sum of MRR(M - w) - MRR(M) where it shrank but stayed > 0"),
          money("churned_mrr", "sum of MRR(M - w) where MRR(M) = 0"),
          money("end_mrr", "sum of MRR(M) of the base accounts"),
          key("nrr", DoubleType, "Net revenue retention: end_mrr / start_mrr (1.0 = 100%)"),
          key("grr", DoubleType, "Gross revenue retention: (start - contraction - churned) / start"),
          key("logo_retention", DoubleType, "retained_accounts / start_accounts")),
      checks("grr_range", "grr >= 0 AND grr <= 1", "grr_le_nrr", "grr <= nrr + 1e-9"));

  public static final KpiTable COHORT_MATRIX = new KpiTable("cohort_matrix",
      "Cohort retention: accounts whose cohort (first active month) is cohort_month, k months later.",
      List.of(
          key("cohort_month", DateType, "Cohort month"),
          key("segment", StringType, SEGMENT),
          key("months_since_start", IntegerType, "k: months after the cohort month"),
          key("cohort_accounts", LongType, "Accounts in the cohort"),
          key("active_accounts", LongType, "Of those, active at cohort_month + k"),
          money("mrr", "Their MRR at cohort_month + k"),
          money("cohort_start_mrr", "Their MRR in the cohort month"),
          key("logo_retention", DoubleType, "active_accounts / cohort_accounts"),
          val("revenue_retention", DoubleType, "mrr / cohort_start_mrr")),
      checks("active_le_cohort", "active_accounts <= cohort_accounts"));

  public static final KpiTable CHURN_MONTHLY = new KpiTable("churn_monthly",
      "Logo and revenue churn by month and segment, split voluntary / involuntary (both rows always present).",
      List.of(
          key("month", DateType, MONTH),
          key("segment", StringType, SEGMENT),
          key("churn_type", StringType, "voluntary or involuntary"),
          key("start_accounts", LongType, "Accounts active in the previous month (repeats on both rows)"),
          money("start_mrr", "Their MRR in the previous month (repeats on both rows)"),
          key("churned_accounts", LongType, "Churn rows of this type"),
          money("churned_mrr", "MRR lost by those accounts"),
          key("logo_churn_rate", DoubleType, "churned_accounts / start_accounts"),
          key("revenue_churn_rate", DoubleType, "churned_mrr / start_mrr")),
      checks("churn_type_known", "churn_type IN ('voluntary', 'involuntary')"));

  public static final KpiTable LTV = new KpiTable("ltv",
      "Lifetime value as of the as-of month by segment and for segment = 'all': arpa x gross_margin x "
          + "min(1 / monthly_churn_rate, cap).",
      List.of(
          key("segment", StringType, SEGMENT + "; 'all' for every account"),
          key("as_of_month", DateType, "Month of the as-of date"),
          key("active_accounts", LongType, "Accounts with MRR > 0 in the as-of month"),
          val("arpa", MONEY, "Average MRR of the active accounts (reporting currency)"),
          val("monthly_churn_rate", DoubleType, "Churned / start accounts summed over the 12 months to the as-of month; null without start accounts"),
          key("gross_margin", DoubleType, "kpi.ltv.gross-margin"),
          key("expected_lifetime_months", DoubleType, "min(1 / monthly_churn_rate, kpi.ltv.max-lifetime-months)"),
          val("ltv", MONEY, "arpa x gross_margin x expected_lifetime_months (reporting currency)")),
      checks("lifetime_positive", "expected_lifetime_months > 0"));

  public static final KpiTable LTV_REALIZED = new KpiTable("ltv_realized",
      "Realized lifetime value: net cash (succeeded charges - refunds - chargebacks, reporting currency at the "
          + "payment day's rate) per cohort and months since the cohort month; payments before it count in month 0.",
      List.of(
          key("cohort_month", DateType, "Cohort month"),
          key("segment", StringType, SEGMENT),
          key("months_since_start", IntegerType, "Calendar months since the cohort month"),
          key("cohort_accounts", LongType, "Accounts in the cohort"),
          money("net_revenue", "Net revenue in that month"),
          money("cumulative_net_revenue", "Net revenue up to and including that month"),
          money("ltv_to_date", "cumulative_net_revenue / cohort_accounts")),
      checks());

  public static final KpiTable RENEWALS_MONTHLY = new KpiTable("renewals_monthly",
      "Renewals of MRR lines of 12 months or longer ending in the month (on or before the as-of date) whose "
          + "subscription had not ended before: renewed when the account's MRR on the period_end day is > 0.",
      List.of(
          key("month", DateType, "Month of period_end"),
          key("segment", StringType, SEGMENT),
          key("renewals_due", LongType, "Expiring lines"),
          key("renewals_renewed", LongType, "Of those, accounts with MRR > 0 on period_end"),
          key("renewal_rate", DoubleType, "renewals_renewed / renewals_due"),
          money("arr_due", "12 x the expiring lines' monthly amount at the rate of the day before period_end"),
          money("arr_renewed", "sum of min(arr_due, 12 x MRR on period_end)"),
          val("renewal_rate_value", DoubleType, "arr_renewed / arr_due")),
      checks("renewed_le_due", "renewals_renewed <= renewals_due AND arr_renewed <= arr_due"));

  public static final List<KpiTable> REVENUE = List.of(ACCOUNT_MRR_MONTHLY, MRR_MOVEMENTS_MONTHLY, RETENTION, COHORT_MATRIX,
      CHURN_MONTHLY, LTV, LTV_REALIZED, RENEWALS_MONTHLY);
}
