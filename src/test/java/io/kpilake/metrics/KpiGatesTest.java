package io.kpilake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kpilake.SparkTestBase;
import io.kpilake.contract.AccountKpiTables;
import io.kpilake.contract.KpiTable;
import io.kpilake.contract.KpiTables;
import io.kpilake.ops.QualityGates.Finding;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The KPI gates on hand-made results: each broken rule is found and counted. */
class KpiGatesTest extends SparkTestBase {
  private static final String MONTH_COLS = "account_id, month, mrr, prev_mrr, new_mrr, reactivation_mrr, expansion_mrr, "
      + "contraction_mrr, churned_mrr, fx_impact_mrr, movement";

  private Map<KpiTable, Dataset<Row>> results() {
    Map<KpiTable, Dataset<Row>> r = new LinkedHashMap<>();
    // Account-months (mrr = prev + new + reactivation + expansion - contraction - churned + fx):
    //   A Jan: 100 = 0 + 100                   fine
    //   A Feb:  90 <> 100 - 5 = 95             breaks the bridge
    //   B Jan: -10 = 0 + -10, no movement      negative MRR, no movement
    //   A Jan again                             a duplicate account-month
    r.put(KpiTables.ACCOUNT_MRR_MONTHLY, spark().sql("SELECT * FROM VALUES "
        + "('A', DATE'2024-01-01', 100, 0, 100, 0, 0, 0, 0, 0, 'new'), "
        + "('A', DATE'2024-02-01', 90, 100, 0, 0, 0, 5, 0, 0, 'contraction'), "
        + "('B', DATE'2024-01-01', -10, 0, -10, 0, 0, 0, 0, 0, CAST(NULL AS STRING)), "
        + "('A', DATE'2024-01-01', 100, 0, 100, 0, 0, 0, 0, 0, 'new') AS t(" + MONTH_COLS + ")"));
    // A month-segment: 100 + 10 = 110 <> 111.
    r.put(KpiTables.MRR_MOVEMENTS_MONTHLY, spark().sql("SELECT * FROM VALUES (100, 10, 0, 0, 0, 0, 0, 111) "
        + "AS t(start_mrr, new_mrr, expansion_mrr, reactivation_mrr, contraction_mrr, churned_mrr, fx_impact_mrr, end_mrr)"));
    // Retention: 110 / 100 = 1.1 and grr 1.0 fine; 90 / 100 = 0.9 but nrr says 0.8, and grr 1.2 is above 1.
    r.put(KpiTables.RETENTION, spark().sql("SELECT * FROM VALUES (100, 110, 1.1D, 1.0D), (100, 90, 0.8D, 1.2D) "
        + "AS t(start_mrr, end_mrr, nrr, grr)"));
    // Health: X on Jan 31 twice (a duplicate snapshot); Y scored 150 (outside 0..100); Z unscored but 'green'.
    r.put(AccountKpiTables.ACCOUNT_HEALTH, spark().sql("SELECT * FROM VALUES "
        + "('X', DATE'2024-01-31', 50D, 'yellow'), ('X', DATE'2024-01-31', 50D, 'yellow'), "
        + "('Y', DATE'2024-01-31', 150D, 'green'), ('Z', DATE'2024-01-31', CAST(NULL AS DOUBLE), 'green') "
        + "AS t(account_id, snapshot_date, health_score, bucket)"));
    return r;
  }

  @Test
  void everyBrokenInvariantIsCounted() {
    List<Finding> f = KpiGates.invariants(results());
    assertEquals(List.of(
        new Finding("mrr-bridge", "1 account-months break the MRR bridge"),
        new Finding("negative-mrr", "1 account-months have negative MRR"),
        new Finding("invariants", "1 account-months have no movement"),
        new Finding("invariants", "1 duplicate account-months"),
        new Finding("mrr-bridge", "1 month-segments break the MRR bridge"),
        new Finding("invariants", "1 retention rows where nrr <> end_mrr / start_mrr"),
        new Finding("invariants", "1 retention rows where grr is outside [0, 1] or above nrr"),
        new Finding("invariants", "1 duplicate account health snapshots"),
        // Y (150) and Z (no score, not 'unknown').
        new Finding("invariants", "2 account health rows with a score outside 0..100 or a bucket that does not match it")), f);
  }

  @Test
  void aNightChecksTheUniquenessOfTheSnapshotsItComputedOnly() {
    Map<KpiTable, Dataset<Row>> r = results();
    Dataset<Row> health = r.get(AccountKpiTables.ACCOUNT_HEALTH);
    // Computed tonight: Y and Z (no duplicate); X's two Jan 31 rows are kept (published, gated then).
    List<Finding> kept = KpiGates.invariants(r, health.filter("account_id <> 'X'"));
    assertEquals(0, kept.stream().filter(x -> x.message().contains("duplicate account health")).count());
    // The range check still reads every row: Y and Z.
    assertEquals(1, kept.stream().filter(x -> x.message().startsWith("2 account health rows")).count());
    // Computed tonight: X twice, a duplicate.
    List<Finding> computed = KpiGates.invariants(r, health.filter("account_id = 'X'"));
    assertEquals(1, computed.stream().filter(x -> x.message().equals("1 duplicate account health snapshots")).count());
  }

  @Test
  void accountsLostOrUnscoredAreCounted() {
    Map<KpiTable, Dataset<Row>> r = results();
    // Revenue above zero for A, B and C: C is missing from the account months (lost).
    Dataset<Row> revenue = spark().sql("SELECT * FROM VALUES ('A', 100), ('B', 5), ('C', 7), ('D', 0) AS t(account_id, mrr)");
    // As of 2024-02-29: A has MRR in February but no health snapshot on that day (unscored).
    List<Finding> f = KpiGates.accountsCovered(revenue, LocalDate.parse("2024-02-29"), r);
    assertEquals(List.of(
        new Finding("accounts-covered", "1 account(s) with MRR in the silver invoice lines are missing from kpi.account_mrr_monthly"),
        new Finding("accounts-covered", "1 account(s) with MRR in the as-of month have no health snapshot on 2024-02-29")), f);
    // Nothing broken: C has no revenue any more, and as of 2024-03-31 no account has MRR in March.
    assertEquals(List.of(), KpiGates.accountsCovered(revenue.filter("account_id <> 'C'"), LocalDate.parse("2024-03-31"), r));
  }
}
