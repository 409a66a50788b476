package io.kpilake.metrics;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.kpilake.config.ConfigLoader;
import io.kpilake.config.KpiConfig.Component;
import io.kpilake.config.KpiConfig.HealthSettings;
import io.kpilake.config.KpiConfig.Signal;
import io.kpilake.spark.Transform;
import io.kpilake.model.FxRates;
import io.kpilake.model.PointInTimeMrr;
import io.kpilake.model.Snapshots;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * kpi.account_health (kpis.md section 5): the snapshot base (accounts active at S, point in time),
 * their signals, and the scoring: signal scores, component means, the weighted health score,
 * bucket, month-over-month change and alert.
 */
public final class AccountHealth {
  private AccountHealth() {}

  /**
   * Signal inputs: silver tables (tickets with every version, the others current). {@code
   * roleActivities} are the activities the roles engaged read: all of them, or on an incremental
   * night only those its computed snapshots' windows can hold; last touch, a running maximum, reads
   * {@code activities}.
   */
  public record SignalInputs(Dataset<Row> usage, Dataset<Row> tickets, Dataset<Row> activities, Dataset<Row> roleActivities,
      Dataset<Row> payments, boolean ticketsFeedPresent) {
    /** Every signal from the same activities. */
    public SignalInputs(Dataset<Row> usage, Dataset<Row> tickets, Dataset<Row> activities, Dataset<Row> payments, boolean ticketsFeedPresent) {
      this(usage, tickets, activities, activities, payments, ticketsFeedPresent);
    }
  }

  /**
   * Every account with MRR > 0 on its snapshot day S (as known at S), with {@code mrr}, {@code
   * mrr_change_90d} and the CRM values in force at S: {@code segment}, {@code owner}, {@code
   * crm_renewal_date}.
   */
  public static Dataset<Row> base(Dataset<Row> lineVersions, Dataset<Row> subVersions, Dataset<Row> accountVersions, FxRates fx,
      LocalDate asOf, int mrrChangeDays) {
    // The point-in-time MRR at S and at S - mrrChangeDays, from one expansion of the line versions.
    Dataset<Row> now = PointInTimeMrr.mrrNowAndBefore(subVersions, fx, asOf, mrrChangeDays).apply(lineVersions);
    Dataset<Row> crm = accountVersions.select(col("account_id").as("_crm_id"), col("segment").as("_seg"), col("owner").as("_owner"),
        col("renewal_date").as("crm_renewal_date"), col("_valid_from").as("_crm_from"), col("_valid_to").as("_crm_to"));
    return now
        .withColumn("mrr_change_90d", expr("CASE WHEN _mrr_before > 0 THEN CAST(mrr AS DOUBLE) / CAST(_mrr_before AS DOUBLE) - 1 END"))
        .join(crm, col("account_id").equalTo(col("_crm_id")).and(Snapshots.knownAt("snapshot_date", "_crm_from", "_crm_to")), "left")
        .withColumn("segment", coalesce(col("_seg"), lit("unknown")))
        .withColumn("owner", coalesce(col("_owner"), lit("unassigned")))
        .select("account_id", "month", "snapshot_date", "segment", "owner", "crm_renewal_date", "mrr", "mrr_change_90d");
  }

  /** The base with every raw signal value ({@link HealthSignals}), null where the contract says. */
  public static Transform withSignals(SignalInputs in, HealthSettings h, LocalDate asOf) {
    String[] key = {"account_id", "snapshot_date"};
    return base -> {
      Dataset<Row> out = base
          .join(HealthSignals.usage(h, asOf).apply(in.usage()), key, "left")
          .join(HealthSignals.support(h, asOf).apply(in.tickets()), key, "left")
          .join(HealthSignals.rolesEngaged(h, asOf).apply(in.roleActivities()), key, "left")
          .join(HealthSignals.lastTouch(in.activities(), asOf).apply(base.select("account_id", "month", "snapshot_date")), key, "left")
          .join(HealthSignals.paymentSuccess(h, asOf).apply(in.payments()), key, "left");
      if (in.ticketsFeedPresent()) {
        out = out.withColumn("tickets_90d", expr("coalesce(tickets_90d, 0)"))
            .withColumn("escalations_90d", expr("coalesce(escalations_90d, 0)"));
      }
      return out
          .withColumn("roles_engaged_90d", expr("CASE WHEN last_touch IS NOT NULL THEN coalesce(roles_engaged_90d, 0) END"))
          .withColumn("days_since_last_touch", expr("datediff(snapshot_date, last_touch)"))
          .withColumn("tickets_90d", expr("CAST(tickets_90d AS DOUBLE)"))
          .withColumn("escalations_90d", expr("CAST(escalations_90d AS DOUBLE)"))
          .withColumn("roles_engaged_90d", expr("CAST(roles_engaged_90d AS DOUBLE)"))
          .withColumn("days_since_last_touch", expr("CAST(days_since_last_touch AS DOUBLE)"));
    };
  }

  /**
   * Signal scores {@code clamp(100 (v - bad) / (good - bad), 0, 100)}, component = mean of its
   * non-null signal scores, health = weighted mean of the non-null components (weights
   * renormalized), each rounded to 2 decimals; bucket, score_change_1m and alert. (Spark's
   * greatest/least skip nulls, so a null signal is kept null explicitly.)
   */
  public static Transform scores(HealthSettings h) {
    return scores(h, null);
  }

  /**
   * {@link #scores(HealthSettings)} of the snapshots computed tonight, where {@code earlier}
   * ({@code account_id, month, health_score}; null: none) holds the scores of the snapshots kept from
   * the published table ({@link HealthHistory}), which score_change_1m compares with like any other.
   */
  public static Transform scores(HealthSettings h, Dataset<Row> earlier) {
    return signals -> {
      Dataset<Row> df = signals;
      for (Signal s : h.signals().values()) {
        df = df.withColumn(s.name() + "_score", expr(String.format(Locale.ROOT,
            "CASE WHEN %s IS NOT NULL THEN round(least(100D, greatest(0D, 100D * (%s - (%s)) / ((%s) - (%s)))), 2) END",
            s.name(), s.name(), num(s.bad()), num(s.good()), num(s.bad()))));
      }
      List<String> weighted = new ArrayList<>();
      List<String> weights = new ArrayList<>();
      for (Component c : h.components()) {
        String column = c.name() + "_score";
        if (c.signals().isEmpty()) {
          df = df.withColumn(column, expr("CAST(NULL AS DOUBLE)"));
        } else {
          String sum = String.join(" + ", c.signals().stream().map(s -> "coalesce(" + s + "_score, 0D)").toList());
          String n = String.join(" + ", c.signals().stream().map(s -> "CASE WHEN " + s + "_score IS NULL THEN 0 ELSE 1 END").toList());
          df = df.withColumn(column, expr("round((" + sum + ") / nullif(" + n + ", 0), 2)"));
        }
        weighted.add("coalesce(" + num(c.weight()) + " * " + column + ", 0D)");
        weights.add("CASE WHEN " + column + " IS NULL THEN 0D ELSE " + num(c.weight()) + " END");
      }
      df = df
          .withColumn("health_score", expr("round((" + String.join(" + ", weighted) + ") / nullif(" + String.join(" + ", weights) + ", 0D), 2)"))
          .withColumn("bucket", expr("CASE WHEN health_score IS NULL THEN 'unknown' WHEN health_score >= " + num(h.green()) + " THEN 'green' "
              + "WHEN health_score >= " + num(h.yellow()) + " THEN 'yellow' ELSE 'red' END"));
      if (earlier == null) {
        df = df.withColumn("_prev_month", expr("lag(month) OVER (PARTITION BY account_id ORDER BY month)"))
            .withColumn("_prev_score", expr("lag(health_score) OVER (PARTITION BY account_id ORDER BY month)"));
      } else {
        // (account_id, month) is unique across both sets: kept snapshots are month ends up to the
        // published as-of date, computed ones come after it or belong to accounts with nothing kept.
        Dataset<Row> previous = df.select("account_id", "month", "health_score").unionByName(earlier)
            .withColumn("_prev_month", expr("lag(month) OVER (PARTITION BY account_id ORDER BY month)"))
            .withColumn("_prev_score", expr("lag(health_score) OVER (PARTITION BY account_id ORDER BY month)"))
            .drop("health_score");
        df = df.join(previous, new String[] {"account_id", "month"}, "left");
      }
      return df
          .withColumn("score_change_1m", expr("CASE WHEN _prev_month = add_months(month, -1) THEN round(health_score - _prev_score, 2) END"))
          .withColumn("alert", expr("coalesce(health_score < " + num(h.alertBelow()) + ", false) OR coalesce(score_change_1m <= -"
              + num(h.alertDrop()) + ", false)"))
          .drop("_prev_month", "_prev_score");
    };
  }

  /** The signal columns, in contract order (extra columns of kpi.account_health). */
  public static List<String> signalColumns() {
    return ConfigLoader.HEALTH_SIGNALS;
  }

  private static String num(double v) {
    return "CAST(" + new java.math.BigDecimal(Double.toString(v)).toPlainString() + " AS DOUBLE)";
  }
}
