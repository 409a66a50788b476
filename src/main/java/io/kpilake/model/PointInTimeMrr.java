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
    Dataset<Row> ends = subscriptionEnds(subscriptionVersions);
    return lines -> atSnapshots(mrrLineVersions(lines), ends, asOf, "date_add(period_start, " + shiftDays + ")", shiftDays)
        .withColumn("day", expr("date_sub(snapshot_date, " + shiftDays + ")"))
        .filter(expr("period_start <= day AND day < period_end AND (_sub_end IS NULL OR day < _sub_end)"))
        .select("account_id", "month", "snapshot_date", "day", "currency", "monthly_amount", "months", "period_end");
  }

  /**
   * Input: every version of silver invoice lines. Output: per account and snapshot S(M) with MRR at
   * S greater than 0, {@code account_id, month, snapshot_date, mrr} (MRR on S) and {@code _mrr_before}
   * (MRR on S - {@code shiftDays}, null when no line version known at S covers that day): the rows
   * and values of {@link #coveringLines} with shift 0 and with {@code shiftDays}, each priced as
   * {@code max(0, round(sum(monthly_amount x rate(currency, day)), 2))}, joined on the snapshot.
   * One expansion serves both days: each version goes to every snapshot whose S or S - shift it can
   * cover, and each MRR sums only the versions that cover its own day (the filters that depend on S
   * alone, issued and known by S and the subscription version in force at S, are the same for both).
   */
  public static Transform mrrNowAndBefore(Dataset<Row> subscriptionVersions, FxRates fx, LocalDate asOf, int shiftDays) {
    Dataset<Row> ends = subscriptionEnds(subscriptionVersions);
    String covers = "period_start <= %1$s AND %1$s < period_end AND (_sub_end IS NULL OR %1$s < _sub_end)";
    return lines -> {
      Dataset<Row> covering = atSnapshots(mrrLineVersions(lines), ends, asOf, "period_start", shiftDays)
          .withColumn("_before_day", expr("date_sub(snapshot_date, " + shiftDays + ")"))
          .withColumn("_now", expr(String.format(covers, "snapshot_date")))
          .withColumn("_before", expr(String.format(covers, "_before_day")))
          .filter(col("_now").or(col("_before")));
      Dataset<Row> priced = fx.withRate(fx.withRate(covering, "currency", col("snapshot_date"), "_rate_now"), "currency", col("_before_day"),
          "_rate_before");
      return priced.groupBy("account_id", "month", "snapshot_date")
          .agg(expr("count_if(_now)").as("_n_now"), expr("count_if(_before)").as("_n_before"),
              expr("CAST(greatest(0, round(sum(CASE WHEN _now THEN monthly_amount * _rate_now END), 2)) AS DECIMAL(18,2))").as("mrr"),
              expr("CAST(greatest(0, round(sum(CASE WHEN _before THEN monthly_amount * _rate_before END), 2)) AS DECIMAL(18,2))")
                  .as("_mrr_before_all"))
          .filter(expr("_n_now > 0 AND mrr > 0"))
          .select(col("account_id"), col("month"), col("snapshot_date"), col("mrr"),
              expr("CASE WHEN _n_before > 0 THEN _mrr_before_all END").as("_mrr_before"));
    };
  }

  /** The line versions that count for MRR (kpis.md section 1), with {@code months} and {@code monthly_amount}. */
  private static Dataset<Row> mrrLineVersions(Dataset<Row> lines) {
    return lines
        .filter("line_type = 'recurring' AND (invoice_status IS NULL OR invoice_status NOT IN ('void', 'draft')) AND datediff(period_end, period_start) >= 27")
        .withColumn("months", expr("CAST(greatest(1, round(datediff(period_end, period_start) / 30.4375)) AS INT)"))
        .withColumn("monthly_amount", expr("CAST(coalesce(amount, 0) / months AS DECIMAL(24,8))"));
  }

  /**
   * Each version into the month snapshots S(M) from the month of {@code firstDay} to the month of
   * {@code period_end + shiftDays - 1} or of D, kept when issued and known by the end of S, with the
   * end day of its subscription's version in force at S ({@code _sub_end}, null when none).
   */
  private static Dataset<Row> atSnapshots(Dataset<Row> versions, Dataset<Row> ends, LocalDate asOf, String firstDay, int shiftDays) {
    return versions
        .filter(expr(firstDay + " <= " + d(asOf)))
        .withColumn("month", expr("explode(sequence(trunc(" + firstDay + ", 'MM'), "
            + "least(trunc(date_add(period_end, " + (shiftDays - 1) + "), 'MM'), trunc(" + d(asOf) + ", 'MM')), interval 1 month))"))
        .withColumn("snapshot_date", Snapshots.snapshotOf("month", asOf))
        .filter(expr("issued_at < CAST(date_add(snapshot_date, 1) AS TIMESTAMP)"))
        .filter(Snapshots.knownAt("snapshot_date"))
        .join(ends, col("subscription_id").equalTo(col("_sub_id")).and(Snapshots.knownAt("snapshot_date", "_sub_from", "_sub_to")), "left");
  }

  /** Every subscription version with an end: its id, end day and validity, to meet a line at a snapshot. */
  private static Dataset<Row> subscriptionEnds(Dataset<Row> subscriptionVersions) {
    return subscriptionVersions.filter(col("ended_at").isNotNull())
        .select(col("subscription_id").as("_sub_id"), expr("to_date(ended_at)").as("_sub_end"), col("_valid_from").as("_sub_from"),
            col("_valid_to").as("_sub_to"));
  }
}
