package io.kpilake.metrics;

import static org.apache.spark.sql.functions.expr;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Error-level invariants of the revenue KPIs, checked on every run before anything is published. */
public final class RevenueGates {
  private RevenueGates() {}

  public static List<String> check(Dataset<Row> accountMonths, Dataset<Row> movements, Dataset<Row> retention) {
    List<String> failures = new ArrayList<>();
    Row a = accountMonths.agg(
        expr("count_if(mrr <> prev_mrr + new_mrr + reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr + fx_impact_mrr)"),
        expr("count_if(mrr < 0)"),
        expr("count_if(movement IS NULL)"),
        expr("count(*) - count(DISTINCT account_id, month)")).first();
    add(failures, a.getLong(0), "account-months break the MRR bridge");
    add(failures, a.getLong(1), "account-months have negative MRR");
    add(failures, a.getLong(2), "account-months have no movement");
    add(failures, a.getLong(3), "duplicate account-months");
    Row m = movements.agg(expr("count_if(start_mrr + new_mrr + expansion_mrr + reactivation_mrr - contraction_mrr - churned_mrr "
        + "+ fx_impact_mrr <> end_mrr)")).first();
    add(failures, m.getLong(0), "month-segments break the MRR bridge");
    Row r = retention.agg(expr("count_if(abs(nrr - CAST(end_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE)) > 1e-9)"),
        expr("count_if(grr < 0 OR grr > 1 OR grr > nrr + 1e-9)")).first();
    add(failures, r.getLong(0), "retention rows where nrr <> end_mrr / start_mrr");
    add(failures, r.getLong(1), "retention rows where grr is outside [0, 1] or above nrr");
    return failures;
  }

  private static void add(List<String> failures, long n, String what) {
    if (n > 0) {
      failures.add(n + " " + what);
    }
  }
}
