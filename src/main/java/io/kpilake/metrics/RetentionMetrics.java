package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.spark.Transform;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** kpi.retention (windows 1, 3, 12) and kpi.cohort_matrix, from account_mrr_monthly. */
public final class RetentionMetrics {
  private RetentionMetrics() {}

  /**
   * For each window w and month M: the accounts with MRR(M-w) > 0 by cohort and segment, with
   * s = MRR(M-w) and e = MRR(M). One equi-join of the account-month table with itself shifted.
   */
  public static Transform retention(int... windows) {
    String ws = java.util.Arrays.stream(windows).mapToObj(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
    return am -> {
      Dataset<Row> base = am.filter(col("mrr").gt(0))
          .select(col("account_id"), col("cohort_month"), col("segment"), col("month").as("start_month"), col("mrr").as("s"))
          .withColumn("window_months", expr("explode(array(" + ws + "))"))
          .withColumn("month", expr("add_months(start_month, window_months)"));
      Dataset<Row> end = am.select(col("account_id"), col("month"), col("mrr").as("e"));
      return base.join(end, new String[] {"account_id", "month"}, "inner")
          .groupBy("window_months", "month", "cohort_month", "segment").agg(
              expr("count(*)").as("start_accounts"),
              expr("count_if(e > 0)").as("retained_accounts"),
              expr("CAST(sum(s) AS DECIMAL(18,2))").as("start_mrr"),
              expr("CAST(sum(CASE WHEN e > s THEN e - s ELSE 0 END) AS DECIMAL(18,2))").as("expansion_mrr"),
              expr("CAST(sum(CASE WHEN e > 0 AND e < s THEN s - e ELSE 0 END) AS DECIMAL(18,2))").as("contraction_mrr"),
              expr("CAST(sum(CASE WHEN e = 0 THEN s ELSE 0 END) AS DECIMAL(18,2))").as("churned_mrr"),
              expr("CAST(sum(e) AS DECIMAL(18,2))").as("end_mrr"))
          .transform(RetentionMetrics::ratios);
    };
  }

  /** nrr, grr and logo_retention from stored components: the same for any roll-up. */
  public static Dataset<Row> ratios(Dataset<Row> components) {
    return components
        .withColumn("nrr", expr("CAST(end_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE)"))
        .withColumn("grr", expr("CAST(start_mrr - contraction_mrr - churned_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE)"))
        .withColumn("logo_retention", expr("CAST(retained_accounts AS DOUBLE) / start_accounts"));
  }

  /** Accounts of a cohort month and segment, k months after the cohort month. */
  public static Transform cohortMatrix() {
    return am -> am
        .withColumn("months_since_start", expr("CAST(months_between(month, cohort_month) AS INT)"))
        .groupBy("cohort_month", "segment", "months_since_start").agg(
            expr("count(*)").as("cohort_accounts"),
            expr("count_if(mrr > 0)").as("active_accounts"),
            expr("CAST(sum(mrr) AS DECIMAL(18,2))").as("mrr"))
        .withColumn("cohort_start_mrr", expr("CAST(first(CASE WHEN months_since_start = 0 THEN mrr END, true) "
            + "OVER (PARTITION BY cohort_month, segment) AS DECIMAL(18,2))"))
        .withColumn("logo_retention", expr("CAST(active_accounts AS DOUBLE) / cohort_accounts"))
        .withColumn("revenue_retention", expr("CAST(mrr AS DOUBLE) / CAST(cohort_start_mrr AS DOUBLE)"));
  }
}
