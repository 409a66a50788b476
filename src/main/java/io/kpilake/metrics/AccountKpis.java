package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;

import io.kpilake.config.KpiConfig;
import io.kpilake.config.KpiConfig.HealthSettings;
import io.kpilake.model.FxRates;
import io.kpilake.model.PointInTimeMrr;
import io.kpilake.model.RevenueModel;
import io.kpilake.contract.AccountKpiTables;
import io.kpilake.contract.KpiTable;
import io.kpilake.ops.Parallel;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Sections 5-7 of kpis.md from silver and the account-month revenue: health scores (every month
 * end and the as-of date), the back-test, value at risk, payments and support. Pure composition:
 * {@link KpiJob} checks and publishes. Every table is a lazy local checkpoint, filled by the first
 * job that reads it (KpiJob counts the tables in map order: the health table comes first).
 */
public final class AccountKpis {
  private AccountKpis() {}

  /** Silver inputs: invoice lines, subscriptions, accounts and tickets with every version; the others current. */
  public record Inputs(Dataset<Row> lineVersions, Dataset<Row> subVersions, Dataset<Row> accountVersions, Dataset<Row> ticketVersions,
      Dataset<Row> activities, Dataset<Row> usage, Dataset<Row> payments, boolean ticketsFeedPresent) {}

  public static Map<KpiTable, Dataset<Row>> compute(Inputs in, Dataset<Row> accountMonths, FxRates fx, KpiConfig.MetricSettings m,
      LocalDate asOf) {
    return compute(in, accountMonths, fx, m, asOf, null);
  }

  /**
   * {@link #compute(Inputs, Dataset, FxRates, KpiConfig.MetricSettings, LocalDate)}, keeping the
   * published health history {@code reuse} names (null: every snapshot computed).
   */
  public static Map<KpiTable, Dataset<Row>> compute(Inputs in, Dataset<Row> accountMonths, FxRates fx, KpiConfig.MetricSettings m,
      LocalDate asOf, HealthHistory.Reuse reuse) {
    // The health tables and the payments and support tables do not depend on each other: they are
    // planned two at a time (planning a table is one driver thread's work).
    List<java.util.function.Supplier<Map<KpiTable, Dataset<Row>>>> groups = List.of(
        () -> healthTables(in, accountMonths, fx, m, asOf, reuse),
        () -> paymentsAndSupport(in, fx, m, asOf, reuse));
    List<Map<KpiTable, Dataset<Row>>> parts = Parallel.map(groups, groups.size(), "kpi-plan", java.util.function.Supplier::get);
    Map<KpiTable, Dataset<Row>> out = new LinkedHashMap<>();
    parts.forEach(out::putAll);
    return out;
  }

  /** The health snapshots, the back-test and value at risk, each a lazy local checkpoint. */
  private static Map<KpiTable, Dataset<Row>> healthTables(Inputs in, Dataset<Row> accountMonths, FxRates fx, KpiConfig.MetricSettings m,
      LocalDate asOf, HealthHistory.Reuse reuse) {
    HealthSettings h = m.health();
    Inputs hin = reuse == null ? in : reuse.narrow(in, h);
    Dataset<Row> base = AccountHealth.base(hin.lineVersions(), hin.subVersions(), hin.accountVersions(), fx, asOf,
        h.signal("mrr_change_90d").windowDays());
    if (reuse != null) {
      base = base.filter(reuse.computed());
    }
    // Read twice (the signals join it, and last touch takes its keys): a lazy checkpoint, filled by
    // the step's count job, so that the point-in-time MRR, its change and the CRM values are
    // computed once.
    base = base.localCheckpoint(false);
    Dataset<Row> roleActivities = reuse == null ? hin.activities()
        : reuse.recent(hin.activities(), "to_date(occurred_at)", h.signal("roles_engaged_90d").windowDays());
    Dataset<Row> computed = AccountHealth.withSignals(new AccountHealth.SignalInputs(hin.usage(), hin.ticketVersions(), hin.activities(),
            roleActivities, hin.payments(), hin.ticketsFeedPresent()), h, asOf)
        .andThen(AccountHealth.scores(h, reuse == null ? null : reuse.keptScores()))
        .apply(base);
    // The computed snapshots are held; the kept ones already are (HealthHistory.plan), so the night's
    // table is the union of the two, not a third copy of the kept rows (tier M: 1.55 million).
    Dataset<Row> health = reuse == null ? computed.localCheckpoint(false) : reuse.withKept(computed.localCheckpoint(false));
    Map<KpiTable, Dataset<Row>> out = new LinkedHashMap<>();
    out.put(AccountKpiTables.ACCOUNT_HEALTH, health);
    out.put(AccountKpiTables.HEALTH_BACKTEST,
        HealthBacktest.backtest(accountMonths, asOf, h.backtestHorizonDays()).apply(health).localCheckpoint(false));
    Dataset<Row> coveringAtD = PointInTimeMrr.coveringLines(in.subVersions(), asOf, 0).apply(in.lineVersions())
        .filter(col("snapshot_date").equalTo(org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(asOf))));
    Dataset<Row> var = ValueAtRisk.withRenewalDate(coveringAtD)
        .andThen(ValueAtRisk.valueAtRisk(asOf, m.varHorizonsDays()))
        .apply(health.filter(col("snapshot_date").equalTo(org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(asOf)))))
        .localCheckpoint(false);
    out.put(AccountKpiTables.VALUE_AT_RISK, var);
    out.put(AccountKpiTables.VALUE_AT_RISK_SUMMARY, ValueAtRisk.summary(m.varHorizonsDays()).apply(var).localCheckpoint(false));
    return out;
  }

  /** The payments and support tables, each a lazy local checkpoint. */
  private static Map<KpiTable, Dataset<Row>> paymentsAndSupport(Inputs in, FxRates fx, KpiConfig.MetricSettings m, LocalDate asOf,
      HealthHistory.Reuse reuse) {
    Map<KpiTable, Dataset<Row>> out = new LinkedHashMap<>();
    out.put(AccountKpiTables.PAYMENTS_MONTHLY,
        PaymentMetrics.paymentsMonthly(fx, asOf, m.recoveryWindowDays()).apply(in.payments()).localCheckpoint(false));
    Dataset<Row> currentTickets = in.ticketVersions().filter(col("_is_current"));
    out.put(AccountKpiTables.SUPPORT_MONTHLY, (reuse == null || reuse.support() == null ? SupportMetrics.supportMonthly(asOf)
        : SupportMetrics.supportMonthly(asOf, reuse.support(), in.ticketVersions(), in.accountVersions()))
        .apply(RevenueModel.withCrmAttributes(in.accountVersions()).apply(currentTickets)).localCheckpoint(false));
    return out;
  }
}
