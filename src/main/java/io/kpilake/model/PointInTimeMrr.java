package io.kpilake.model;

import static io.kpilake.model.Snapshots.d;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.spark.Transform;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * MRR on the day {@code S - shift} as it was known at the end of snapshot day S (section 5: health
 * snapshots are point in time). The same coverage rule as section 1, but on the invoice-line and
 * subscription <em>versions</em> in force at S, and only lines issued on or before S: a line voided,
 * a cancellation recorded or a line issued after S does not change the snapshot at S.
 */
public final class PointInTimeMrr {
  private PointInTimeMrr() {}

  /**
   * Input: every version of silver invoice lines. Output: one row per MRR line version known at
   * S(M) covering the day {@code S(M) - shiftDays}: {@code account_id, month, snapshot_date, day,
   * currency, monthly_amount, months, period_end}.
   */
  public static Transform coveringLines(Dataset<Row> subscriptionVersions, LocalDate asOf, int shiftDays) {
    Dataset<Row> ends = subscriptionVersions.filter(col("ended_at").isNotNull())
        .select(col("subscription_id").as("_sub_id"), expr("to_date(ended_at)").as("_sub_end"), col("_valid_from").as("_sub_from"),
            col("_valid_to").as("_sub_to"));
    return lines -> lines
        .filter("line_type = 'recurring' AND (invoice_status IS NULL OR invoice_status NOT IN ('void', 'draft')) AND datediff(period_end, period_start) >= 27")
        .withColumn("months", expr("CAST(greatest(1, round(datediff(period_end, period_start) / 30.4375)) AS INT)"))
        .withColumn("monthly_amount", expr("CAST(coalesce(amount, 0) / months AS DECIMAL(24,8))"))
        .filter(expr("date_add(period_start, " + shiftDays + ") <= " + d(asOf)))
        .withColumn("month", expr("explode(sequence(trunc(date_add(period_start, " + shiftDays + "), 'MM'), "
            + "least(trunc(date_add(period_end, " + (shiftDays - 1) + "), 'MM'), trunc(" + d(asOf) + ", 'MM')), interval 1 month))"))
        .withColumn("snapshot_date", Snapshots.snapshotOf("month", asOf))
        .withColumn("day", expr("date_sub(snapshot_date, " + shiftDays + ")"))
        .filter(expr("period_start <= day AND day < period_end AND issued_at < CAST(date_add(snapshot_date, 1) AS TIMESTAMP)"))
        .filter(Snapshots.knownAt("snapshot_date"))
        .join(ends, col("subscription_id").equalTo(col("_sub_id")).and(Snapshots.knownAt("snapshot_date", "_sub_from", "_sub_to")), "left")
        .filter(expr("_sub_end IS NULL OR day < _sub_end"))
        .select("account_id", "month", "snapshot_date", "day", "currency", "monthly_amount", "months", "period_end");
  }

  /** {@code mrr = max(0, round(sum(monthly_amount x rate(currency, day)), 2))} per account and snapshot. */
  public static Transform mrrOnDay(FxRates fx) {
    return covering -> fx.withRate(covering, "currency", col("day"), "rate")
        .groupBy("account_id", "month", "snapshot_date")
        .agg(expr("CAST(greatest(0, round(sum(monthly_amount * rate), 2)) AS DECIMAL(18,2))").as("mrr"));
  }
}
