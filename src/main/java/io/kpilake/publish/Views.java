package io.kpilake.publish;

import org.apache.spark.sql.SparkSession;

/**
 * Roll-up views over the curated tables, defined in code and created at start-up with the catalog
 * (the in-memory catalog does not persist views). Ratios are recomputed from summed components.
 */
public final class Views {
  private Views() {}

  public static final String RETENTION_ROLLUP = "CREATE OR REPLACE VIEW kpi.retention_rollup "
      + "COMMENT 'Retention rolled up: cohort_month NULL = all cohorts, segment = all = all segments; ratios from summed components' AS "
      + "SELECT window_months, month, cohort_month, coalesce(segment, 'all') AS segment, "
      + "sum(start_accounts) AS start_accounts, sum(retained_accounts) AS retained_accounts, "
      + "CAST(sum(start_mrr) AS DECIMAL(18,2)) AS start_mrr, CAST(sum(expansion_mrr) AS DECIMAL(18,2)) AS expansion_mrr, "
      + "CAST(sum(contraction_mrr) AS DECIMAL(18,2)) AS contraction_mrr, CAST(sum(churned_mrr) AS DECIMAL(18,2)) AS churned_mrr, "
      + "CAST(sum(end_mrr) AS DECIMAL(18,2)) AS end_mrr, "
      + "CAST(sum(end_mrr) AS DOUBLE) / CAST(sum(start_mrr) AS DOUBLE) AS nrr, "
      + "CAST(sum(start_mrr) - sum(contraction_mrr) - sum(churned_mrr) AS DOUBLE) / CAST(sum(start_mrr) AS DOUBLE) AS grr, "
      + "CAST(sum(retained_accounts) AS DOUBLE) / sum(start_accounts) AS logo_retention "
      + "FROM kpi.retention GROUP BY window_months, month, GROUPING SETS ((cohort_month, segment), (segment), (cohort_month), ())";

  public static final String MOVEMENTS_ROLLUP = "CREATE OR REPLACE VIEW kpi.mrr_movements_rollup "
      + "COMMENT 'The MRR bridge for all segments together (segment = all)' AS "
      + "SELECT month, 'all' AS segment, sum(start_accounts) AS start_accounts, "
      + "CAST(sum(start_mrr) AS DECIMAL(18,2)) AS start_mrr, CAST(sum(new_mrr) AS DECIMAL(18,2)) AS new_mrr, "
      + "CAST(sum(expansion_mrr) AS DECIMAL(18,2)) AS expansion_mrr, CAST(sum(contraction_mrr) AS DECIMAL(18,2)) AS contraction_mrr, "
      + "CAST(sum(churned_mrr) AS DECIMAL(18,2)) AS churned_mrr, CAST(sum(reactivation_mrr) AS DECIMAL(18,2)) AS reactivation_mrr, "
      + "CAST(sum(fx_impact_mrr) AS DECIMAL(18,2)) AS fx_impact_mrr, CAST(sum(end_mrr) AS DECIMAL(18,2)) AS end_mrr, "
      + "sum(end_accounts) AS end_accounts, sum(new_accounts) AS new_accounts, sum(churned_accounts) AS churned_accounts, "
      + "sum(reactivated_accounts) AS reactivated_accounts FROM kpi.mrr_movements_monthly GROUP BY month";

  /** The SELECT of a view definition above: what another engine runs to get the view's rows. */
  public static String query(String createView) {
    int at = createView.indexOf(" AS SELECT ");
    return createView.substring(at + " AS ".length());
  }

  /** Each view, by {@code kpi.<name>}: the table it is defined on and its definition. */
  private record View(String table, String definition) {}

  private static final java.util.Map<String, View> VIEWS = java.util.Map.of(
      "kpi.retention_rollup", new View("kpi.retention", RETENTION_ROLLUP),
      "kpi.mrr_movements_rollup", new View("kpi.mrr_movements_monthly", MOVEMENTS_ROLLUP));

  /** The table a view is defined on ({@code kpi.retention} for {@code kpi.retention_rollup}); null when {@code name} is no view. */
  public static String tableOf(String name) {
    View v = VIEWS.get(name);
    return v == null ? null : v.table();
  }

  /** Creates the views whose tables were just registered from this warehouse. */
  public static void register(SparkSession spark, java.util.List<String> registered) {
    for (View v : VIEWS.values()) {
      if (registered.contains(v.table())) {
        spark.sql(v.definition());
      }
    }
  }
}
