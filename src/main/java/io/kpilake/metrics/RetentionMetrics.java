package io.kpilake.metrics;

import io.kpilake.model.SqlModel;
import io.kpilake.spark.Transform;
import java.util.Map;

/** kpi.retention (windows 1, 3, 12) and kpi.cohort_matrix, from account_mrr_monthly: SQL models run from Java. */
public final class RetentionMetrics {
  private RetentionMetrics() {}

  /**
   * For each window w and month M: the accounts with MRR(M-w) > 0 by cohort and segment, with
   * s = MRR(M-w) and e = MRR(M) ({@code models/retention.sql}).
   */
  public static Transform retention(int... windows) {
    SqlModel model = SqlModel.of("retention");
    org.apache.spark.sql.Column w = org.apache.spark.sql.functions.array(
        java.util.Arrays.stream(windows).mapToObj(org.apache.spark.sql.functions::lit).toArray(org.apache.spark.sql.Column[]::new));
    return am -> model.run(Map.of("account_mrr_monthly", am), Map.of("windows", w));
  }

  /** Accounts of a cohort month and segment, k months after the cohort month ({@code models/cohort_matrix.sql}). */
  public static Transform cohortMatrix() {
    SqlModel model = SqlModel.of("cohort_matrix");
    return am -> model.run(Map.of("account_mrr_monthly", am), Map.of());
  }
}
