package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.spark.Transform;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** kpi.churn_monthly: logo and revenue churn by month, segment and churn type (both types always). */
public final class ChurnMetrics {
  private ChurnMetrics() {}

  public static Transform churnMonthly() {
    return am -> {
      Dataset<Row> start = am.groupBy("month", "segment").agg(
              expr("count_if(prev_mrr > 0)").as("start_accounts"),
              expr("CAST(sum(prev_mrr) AS DECIMAL(18,2))").as("start_mrr"))
          .filter(col("start_accounts").gt(0))
          .withColumn("churn_type", expr("explode(array('voluntary', 'involuntary'))"));
      Dataset<Row> churned = am.filter(col("movement").equalTo("churn")).groupBy("month", "segment", "churn_type").agg(
          expr("count(*)").as("churned_accounts"), expr("CAST(sum(churned_mrr) AS DECIMAL(18,2))").as("churned_mrr"));
      return start.join(churned, new String[] {"month", "segment", "churn_type"}, "left")
          .withColumn("churned_accounts", expr("coalesce(churned_accounts, 0)"))
          .withColumn("churned_mrr", expr("coalesce(churned_mrr, CAST(0 AS DECIMAL(18,2)))"))
          .withColumn("logo_churn_rate", expr("CAST(churned_accounts AS DOUBLE) / start_accounts"))
          .withColumn("revenue_churn_rate", expr("CAST(churned_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE)"));
    };
  }
}
