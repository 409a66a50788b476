package io.kpilake.contract;

import static io.kpilake.contract.KpiTables.MONTH;
import static io.kpilake.contract.KpiTables.checks;
import static io.kpilake.contract.KpiTables.key;
import static io.kpilake.contract.KpiTables.money;
import static io.kpilake.contract.KpiTables.val;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import io.kpilake.contract.KpiTable.Col;
import java.util.ArrayList;
import java.util.List;

/** The curated tables of sections 5-7 (kpis.md): health, back-test, value at risk, payments, support. */
public final class AccountKpiTables {
  private AccountKpiTables() {}

  private static final String SEGMENT_AT_S = "Account segment: CRM value in force at the snapshot day, 'unknown' when absent";
  private static final String OWNER_AT_S = "Account manager: CRM value in force at the snapshot day, 'unassigned' when absent";
  private static final String SCORE = "0..100, rounded to 2 decimals; null when none of its signals has a value";

  private static List<Col> healthColumns() {
    List<Col> cols = new ArrayList<>(List.of(
        key("snapshot_date", DateType, "Snapshot day S: a month end before the as-of date, or the as-of date"),
        key("account_id", StringType, "Account, active at S (MRR on S > 0 as known at S)"),
        key("segment", StringType, SEGMENT_AT_S),
        key("owner", StringType, OWNER_AT_S),
        money("mrr", "MRR on S at S's rates, from the invoice lines and subscriptions known at S"),
        val("usage_score", DoubleType, "Usage component (seat utilization, usage trend): " + SCORE),
        val("support_score", DoubleType, "Support component (tickets, escalations, CSAT over 90 days): " + SCORE),
        val("relationship_score", DoubleType, "Relationship component (roles engaged, days since last touch): " + SCORE),
        val("commercial_score", DoubleType, "Commercial component (payment success, MRR change over 90 days): " + SCORE),
        val("health_score", DoubleType, "Weighted mean of the non-null components (weights renormalized), 0..100, 2 decimals"),
        key("bucket", StringType, "green (>= 70), yellow (>= 50), red (< 50), unknown (no component); thresholds are configuration"),
        val("score_change_1m", DoubleType, "health_score minus the account's health_score at the previous month end; null when none"),
        key("alert", BooleanType, "health_score < 60 or score_change_1m <= -15 (configuration)")));
    cols.add(val("seat_utilization", DoubleType, "Signal: sum active_users / sum licensed_seats over (S-30, S]"));
    cols.add(val("usage_trend", DoubleType, "Signal: mean active_users in (S-30, S] / mean in (S-60, S-30] - 1"));
    cols.add(val("tickets_90d", DoubleType, "Signal: tickets created in (S-90, S]; null only when there is no support feed"));
    cols.add(val("escalations_90d", DoubleType, "Signal: escalated tickets created in (S-90, S]; null only without a support feed"));
    cols.add(val("csat_90d", DoubleType, "Signal: mean csat_score of tickets solved in (S-90, S]"));
    cols.add(val("roles_engaged_90d", DoubleType, "Signal: distinct contact roles of activities in (S-90, S]; null without any activity up to S"));
    cols.add(val("days_since_last_touch", DoubleType, "Signal: days from the latest activity to S"));
    cols.add(val("payment_success_90d", DoubleType, "Signal: succeeded / all charges in (S-90, S]"));
    cols.add(val("mrr_change_90d", DoubleType, "Signal: MRR on S / MRR on S-90 - 1 (both as known at S); null when MRR on S-90 is 0"));
    return cols;
  }

  public static final KpiTable ACCOUNT_HEALTH = new KpiTable("account_health",
      "Weighted account health score per account and snapshot (every month end before the as-of date, and the as-of "
          + "date), point in time: only records timestamped on or before the snapshot day and the versions in force then. "
          + "Signals map linearly to 0..100 between configured bad and good values; components average their signals; "
          + "the score is the weighted mean of the components present.",
      healthColumns(),
      checks("bucket_known", "bucket IN ('green', 'yellow', 'red', 'unknown')",
          "score_range", "health_score IS NULL OR (health_score >= 0 AND health_score <= 100)",
          "unknown_iff_no_score", "(bucket = 'unknown') = (health_score IS NULL)",
          "mrr_positive", "mrr > 0"))
      // A night that keeps the health history replaces its latest snapshots only (HealthHistory.Reuse#replacement).
      .laidOutBy("snapshot_date");

  public static final KpiTable HEALTH_BACKTEST = new KpiTable("health_backtest",
      "Does the health score predict churn? For every month-end snapshot S with S + 90 days on or before the as-of "
          + "date: accounts per bucket, how many had MRR 0 at some month end in (S, S + 90], and the snapshot's AUC.",
      List.of(
          key("snapshot_date", DateType, "Month-end snapshot S"),
          key("bucket", StringType, "green, yellow, red or unknown (every bucket has a row)"),
          key("accounts", LongType, "Accounts active at S in the bucket"),
          key("churned_within_90d", LongType, "Of those, accounts with MRR 0 at some month end in (S, S + 90 days]"),
          val("churn_rate", DoubleType, "churned_within_90d / accounts; null for an empty bucket"),
          val("auc", DoubleType, "Same on every row of the snapshot: probability that a random churned account scored lower than a "
              + "random retained one (ties count 1/2), over accounts with a score; null when either group is empty"),
          key("horizon_days", IntegerType, "The back-test horizon in days (kpi.metrics.health.backtest-horizon-days)")),
      checks("churned_le_accounts", "churned_within_90d <= accounts", "auc_range", "auc IS NULL OR (auc >= 0 AND auc <= 1)"));

  public static final KpiTable VALUE_AT_RISK = new KpiTable("value_at_risk",
      "Active accounts at the as-of date with a renewal within 120 days: who owns them, how much ARR, how healthy. "
          + "Renewal date: CRM renewal_date when present and not past, else the earliest period_end of a covering line of "
          + "12 months or longer. One row set per as-of date: a run replaces its own date's rows and keeps the others.",
      List.of(
          key("as_of_date", DateType, "The run's as-of date D"),
          key("account_id", StringType, "Account"),
          key("owner", StringType, OWNER_AT_S),
          key("segment", StringType, SEGMENT_AT_S),
          key("renewal_date", DateType, "Next renewal"),
          key("days_to_renewal", IntegerType, "renewal_date - D"),
          key("horizon_days", IntegerType, "Smallest of 30, 60, 90, 120 that holds the renewal"),
          money("arr", "12 x MRR at D"),
          val("health_score", DoubleType, "Health score at D"),
          key("bucket", StringType, "Health bucket at D"),
          key("at_risk", BooleanType, "bucket red or yellow, or alert")),
      checks("horizon_holds", "days_to_renewal >= 0 AND days_to_renewal <= horizon_days", "arr_positive", "arr > 0"))
      .keepingHistoryBy("as_of_date");

  public static final KpiTable VALUE_AT_RISK_SUMMARY = new KpiTable("value_at_risk_summary",
      "ARR due and at risk by owner, segment and cumulative horizon (horizon 90 includes renewals within 30 and 60 days). "
          + "One row set per as-of date, as in value_at_risk.",
      List.of(
          key("as_of_date", DateType, "The run's as-of date D"),
          key("owner", StringType, OWNER_AT_S),
          key("segment", StringType, SEGMENT_AT_S),
          key("horizon_days", IntegerType, "Renewals within this many days of D"),
          key("accounts_due", LongType, "Accounts renewing within the horizon"),
          money("arr_due", "Their ARR"),
          key("accounts_at_risk", LongType, "Of those, at risk"),
          money("arr_at_risk", "ARR of the accounts at risk"),
          val("share_at_risk", DoubleType, "arr_at_risk / arr_due (ARR share); null when nothing is due")),
      checks("at_risk_le_due", "accounts_at_risk <= accounts_due AND arr_at_risk <= arr_due"))
      .keepingHistoryBy("as_of_date");

  public static final KpiTable PAYMENTS_MONTHLY = new KpiTable("payments_monthly",
      "Charge approval and failed-invoice recovery by month of occurred_at and processor (charges only).",
      List.of(
          key("month", DateType, MONTH),
          key("processor", StringType, "Payment processor; 'unknown' when absent"),
          key("charge_attempts", LongType, "Charge events"),
          key("succeeded", LongType, "Succeeded charges"),
          key("failed", LongType, "Failed charges"),
          key("approval_rate", DoubleType, "succeeded / charge_attempts"),
          val("first_attempt_approval_rate", DoubleType, "Succeeded share of charges with attempt_number = 1"),
          key("failed_invoices", LongType, "Invoices whose first failed charge is in the month, under that charge's processor"),
          key("recovered_invoices", LongType, "Of those, paid by a later succeeded charge within the recovery window"),
          val("recovery_rate", DoubleType, "recovered_invoices / failed_invoices"),
          money("recovered_amount", "The recovering charges, at their day's rate"),
          val("median_days_to_recover", DoubleType, "Exact median of the fractional days from first failure to the recovering charge")),
      checks("counts_add_up", "succeeded + failed <= charge_attempts AND recovered_invoices <= failed_invoices"));

  public static final KpiTable SUPPORT_MONTHLY = new KpiTable("support_monthly",
      "Support load and quality by month of created_at and segment (latest CRM value).",
      List.of(
          key("month", DateType, MONTH),
          key("segment", StringType, KpiTables.SEGMENT),
          key("tickets", LongType, "Tickets created in the month"),
          key("escalated", LongType, "Of those, escalated"),
          key("escalation_rate", DoubleType, "escalated / tickets"),
          val("median_first_response_hours", DoubleType, "Exact median hours to the first response (tickets with one)"),
          val("median_resolution_hours", DoubleType, "Exact median hours to solved (solved tickets)"),
          val("avg_csat", DoubleType, "Mean csat_score of the tickets with a score"),
          key("csat_responses", LongType, "Tickets with a csat_score")),
      checks("escalated_le_tickets", "escalated <= tickets"));

  public static final List<KpiTable> ALL = List.of(ACCOUNT_HEALTH, HEALTH_BACKTEST, VALUE_AT_RISK, VALUE_AT_RISK_SUMMARY,
      PAYMENTS_MONTHLY, SUPPORT_MONTHLY);
}
