package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.spark.Transform;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * kpi.value_at_risk and its summary (kpis.md section 6): active accounts at D whose renewal falls
 * within the largest horizon, with ARR, health and an at-risk flag.
 */
public final class ValueAtRisk {
  private ValueAtRisk() {}

  /**
   * Renewal date at S: the CRM renewal_date when present and on or after S, else the earliest
   * period_end of the account's covering lines of 12 months or longer, else none. Input: health
   * rows at D (with {@code crm_renewal_date}); {@code coveringLines} from
   * {@code PointInTimeMrr.coveringLines} (shift 0).
   */
  public static Transform withRenewalDate(Dataset<Row> coveringLines) {
    Dataset<Row> longest = coveringLines.filter(col("months").geq(12))
        .groupBy(col("account_id").as("_l_acc"), col("snapshot_date").as("_l_s"))
        .agg(expr("min(period_end)").as("_line_renewal"));
    return health -> health
        .join(longest, col("account_id").equalTo(col("_l_acc")).and(col("snapshot_date").equalTo(col("_l_s"))), "left")
        .withColumn("renewal_date", expr("CASE WHEN crm_renewal_date >= snapshot_date THEN crm_renewal_date ELSE _line_renewal END"))
        .drop("_l_acc", "_l_s", "_line_renewal");
  }

  /** Accounts at D (health rows with renewal_date) due within the largest horizon. */
  public static Transform valueAtRisk(LocalDate asOf, List<Integer> horizons) {
    String horizon = "CASE " + horizons.stream().map(h -> "WHEN days_to_renewal <= " + h + " THEN " + h).collect(Collectors.joining(" "))
        + " END";
    int max = horizons.get(horizons.size() - 1);
    return health -> health.filter(expr("snapshot_date = date'" + asOf + "' AND renewal_date IS NOT NULL"))
        .withColumn("days_to_renewal", expr("datediff(renewal_date, snapshot_date)"))
        .filter(expr("days_to_renewal <= " + max))
        .withColumn("as_of_date", col("snapshot_date"))
        .withColumn("horizon_days", expr(horizon))
        .withColumn("arr", expr("CAST(12 * mrr AS DECIMAL(18,2))"))
        .withColumn("at_risk", expr("bucket IN ('red', 'yellow') OR alert"));
  }

  /**
   * Cumulative by owner and segment: horizon h counts every account with horizon_days <= h; every
   * horizon has a row for every (owner, segment) with an account due ({@code models/value_at_risk_summary.sql}).
   */
  public static Transform summary(List<Integer> horizons) {
    io.kpilake.model.SqlModel model = io.kpilake.model.SqlModel.of("value_at_risk_summary");
    org.apache.spark.sql.Column array = org.apache.spark.sql.functions.array(
        horizons.stream().map(org.apache.spark.sql.functions::lit).toArray(org.apache.spark.sql.Column[]::new));
    return var -> model.run(java.util.Map.of("value_at_risk", var), java.util.Map.of("horizons", array));
  }
}
