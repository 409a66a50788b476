package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.config.KpiConfig.HealthSettings;
import io.kpilake.contract.Feeds;
import io.kpilake.spark.Transform;
import io.kpilake.model.Snapshots;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The raw signal values of kpis.md section 5, one small transformation per source, each keyed by
 * {@code (account_id, snapshot_date)}. Every signal uses only what was known at the end of day S:
 * events on or before S, and for versioned feeds (tickets) the version in force at S.
 */
public final class HealthSignals {
  private HealthSignals() {}

  /**
   * usage_daily -> {@code seat_utilization} (sum active_users / sum licensed_seats over
   * {@code (S - u, S]}) and {@code usage_trend} (mean active_users over {@code (S - t, S]} / mean
   * over {@code (S - 2t, S - t]} - 1).
   */
  public static Transform usage(HealthSettings h, LocalDate asOf) {
    int u = h.signal("seat_utilization").windowDays();
    int t = h.signal("usage_trend").windowDays();
    return usage -> Snapshots.windowsHolding("usage_date", Math.max(u, 2 * t), asOf).apply(usage.filter(col("_is_current")))
        .groupBy("account_id", "snapshot_date")
        .agg(expr("sum(active_users) FILTER (WHERE event_day > date_sub(snapshot_date, " + u + "))").as("_active"),
            expr("sum(licensed_seats) FILTER (WHERE event_day > date_sub(snapshot_date, " + u + "))").as("_seats"),
            expr("avg(active_users) FILTER (WHERE event_day > date_sub(snapshot_date, " + t + "))").as("_recent"),
            expr("avg(active_users) FILTER (WHERE event_day <= date_sub(snapshot_date, " + t + "))").as("_older"))
        .withColumn("seat_utilization", expr("CASE WHEN _seats > 0 THEN CAST(_active AS DOUBLE) / _seats END"))
        .withColumn("usage_trend", expr("CASE WHEN _older > 0 AND _recent IS NOT NULL THEN _recent / _older - 1 END"))
        .select("account_id", "snapshot_date", "seat_utilization", "usage_trend");
  }

  /**
   * Ticket versions -> {@code tickets_90d}, {@code escalations_90d} (tickets created in the
   * window, as known at S) and {@code csat_90d} (mean score of tickets solved in the window). One
   * expansion serves the three: each version goes to every month snapshot whose window can hold its
   * creation day or its solving day, and each signal counts only the versions its own window holds
   * (a snapshot whose window holds only solvings has 0 tickets, as it has when the feed is present
   * and it has no row here: {@link AccountHealth#withSignals}).
   */
  public static Transform support(HealthSettings h, LocalDate asOf) {
    int n = h.signal("tickets_90d").windowDays();
    int e = h.signal("escalations_90d").windowDays();
    int c = h.signal("csat_90d").windowDays();
    int created = Math.max(n, e);
    String d = "date'" + asOf + "'";
    return tickets -> tickets
        .withColumn("_created", expr("to_date(created_at)"))
        .withColumn("_solved", expr("to_date(solved_at)"))
        // The first and last day a window can hold this version by either day (solved_at may be null).
        .withColumn("_from", expr("least(_created, coalesce(_solved, _created))"))
        .withColumn("_to", expr("greatest(date_add(_created, " + (created - 1) + "), coalesce(date_add(_solved, " + (c - 1) + "), _created))"))
        .filter(expr("_from <= " + d))
        .withColumn("month", expr("explode(sequence(trunc(_from, 'MM'), trunc(least(_to, " + d + "), 'MM'), interval 1 month))"))
        .withColumn("snapshot_date", Snapshots.snapshotOf("month", asOf))
        .filter(Snapshots.knownAt("snapshot_date"))
        .groupBy("account_id", "snapshot_date")
        .agg(expr(inWindow("count_if(", "_created", n, ")")).as("tickets_90d"),
            expr(inWindow("count_if(escalated AND ", "_created", e, ")")).as("escalations_90d"),
            expr(inWindow("avg(csat_score) FILTER (WHERE ", "_solved", c, ")")).as("csat_90d"));
  }

  /** {@code prefix} + "day in (S - days, S]" + {@code suffix}. */
  private static String inWindow(String prefix, String day, int days, String suffix) {
    return prefix + day + " <= snapshot_date AND " + day + " > date_sub(snapshot_date, " + days + ")" + suffix;
  }

  /**
   * Activities -> {@code roles_engaged_90d} (distinct contact roles in the window) per snapshot.
   * Activities are first reduced to the latest day per account, role and month: a role was engaged
   * in {@code (S - n, S]} exactly when its latest day in some month is. The distinct roles are a
   * bit mask ({@link #ROLE_BIT}) and their number its bit count: one aggregation, where
   * {@code count(DISTINCT)} is two with a shuffle between them.
   */
  public static Transform rolesEngaged(HealthSettings h, LocalDate asOf) {
    int n = h.signal("roles_engaged_90d").windowDays();
    return activities -> {
      Dataset<Row> latestPerMonth = activities.filter(col("_is_current").and(expr("to_date(occurred_at) <= date'" + asOf + "'")))
          .groupBy(col("account_id"), col("contact_role"), expr("trunc(to_date(occurred_at), 'MM')").as("_m"))
          .agg(expr("max(to_date(occurred_at))").as("_day"));
      return Snapshots.windowsHolding("_day", n, asOf).apply(latestPerMonth)
          .groupBy("account_id", "snapshot_date")
          .agg(expr("CAST(coalesce(bit_count(bit_or(" + ROLE_BIT + ")), 0) AS BIGINT)").as("roles_engaged_90d"));
    };
  }

  /**
   * One bit per contact role of the contract (feeds.md: executive, champion, user, other), null for
   * a null role. Ingest quarantines any other value, so silver holds none; one that got there would
   * stop the run rather than go uncounted.
   */
  static final String ROLE_BIT = roleBit(Feeds.ACTIVITIES.columns().stream().filter(c -> c.name().equals("contact_role"))
      .findFirst().orElseThrow().allowed().stream().sorted().toList());

  private static String roleBit(List<String> roles) {
    StringBuilder sb = new StringBuilder("CASE WHEN contact_role IS NULL THEN NULL");
    for (int i = 0; i < roles.size(); i++) {
      sb.append(" WHEN contact_role = '").append(roles.get(i)).append("' THEN ").append(1L << i).append("L");
    }
    return sb.append(" ELSE raise_error(concat('contact_role outside the contract: ', contact_role)) END").toString();
  }

  /**
   * Activities and the snapshot base ({@code account_id, month, snapshot_date}) -> {@code
   * last_touch}: the latest activity day on or before S (running max over months), keyed by
   * {@code (account_id, snapshot_date)} like every other signal, so that the base meets all of them
   * in one partitioning (a snapshot's month and its day name each other).
   */
  public static Transform lastTouch(Dataset<Row> activities, LocalDate asOf) {
    return base -> {
      Dataset<Row> perMonth = activities.filter(col("_is_current").and(expr("to_date(occurred_at) <= date'" + asOf + "'")))
          .groupBy(col("account_id"), expr("trunc(to_date(occurred_at), 'MM')").as("month"))
          .agg(expr("max(to_date(occurred_at))").as("_touch"))
          .withColumn("snapshot_date", expr("CAST(NULL AS DATE)"))
          .withColumn("_base", expr("false"));
      Dataset<Row> keys = base.select(col("account_id"), col("month"), col("snapshot_date"), expr("CAST(NULL AS DATE)").as("_touch"),
          expr("true").as("_base"));
      return keys.unionByName(perMonth)
          .withColumn("last_touch", expr("max(_touch) OVER (PARTITION BY account_id ORDER BY month)"))
          .filter(col("_base"))
          .select("account_id", "snapshot_date", "last_touch");
    };
  }

  /** Payment events -> {@code payment_success_90d}: succeeded / all charges in the window. */
  public static Transform paymentSuccess(HealthSettings h, LocalDate asOf) {
    int n = h.signal("payment_success_90d").windowDays();
    return payments -> Snapshots.windowsHolding("to_date(occurred_at)", n, asOf)
        .apply(payments.filter(col("_is_current").and(col("event_type").equalTo("charge"))))
        .groupBy("account_id", "snapshot_date")
        .agg(expr("CAST(count_if(status = 'succeeded') AS DOUBLE) / count(*)").as("payment_success_90d"));
  }
}
