package io.kpilake.model;

import static org.apache.spark.sql.functions.expr;

import io.kpilake.spark.Transform;
import java.time.LocalDate;
import org.apache.spark.sql.Column;

/**
 * Health snapshots (kpis.md section 5): the snapshot of month M is {@code S(M) = min(last day of
 * M, D)}, i.e. every month end before the as-of date D, and D itself. Windows {@code (S - n, S]}
 * are found by expanding each event into the (at most a few) months whose snapshot holds it: an
 * equi-join key, never a range join.
 */
public final class Snapshots {
  private Snapshots() {}

  static String d(LocalDate date) {
    return "date'" + date + "'";
  }

  /** {@code least(last_day(month), D)}. */
  public static Column snapshotOf(String monthCol, LocalDate asOf) {
    return expr("least(last_day(" + monthCol + "), " + d(asOf) + ")");
  }

  /**
   * One row per event (day {@code dayExpr}, on or before D) and snapshot S whose window of
   * {@code windowDays} days {@code (S - n, S]} holds it; adds {@code month}, {@code snapshot_date}
   * and {@code event_day}.
   */
  public static Transform windowsHolding(String dayExpr, int windowDays, LocalDate asOf) {
    return events -> events
        .withColumn("event_day", expr(dayExpr))
        .filter(expr("event_day <= " + d(asOf)))
        .withColumn("month", expr("explode(sequence(trunc(event_day, 'MM'), trunc(least(date_add(event_day, " + (windowDays - 1)
            + "), " + d(asOf) + "), 'MM'), interval 1 month))"))
        .withColumn("snapshot_date", snapshotOf("month", asOf))
        .filter(expr("event_day <= snapshot_date AND event_day > date_sub(snapshot_date, " + windowDays + ")"));
  }

  /**
   * True for the version of a record in force at the end of day {@code snapshotCol} (UTC): valid
   * from on or before that day and not yet replaced. Feeds without versions (null validity) are
   * always in force.
   */
  public static Column knownAt(String snapshotCol, String validFrom, String validTo) {
    String endOfDay = "CAST(date_add(" + snapshotCol + ", 1) AS TIMESTAMP)";
    return expr("(" + validFrom + " IS NULL OR " + validFrom + " < " + endOfDay + ") AND (" + validTo + " IS NULL OR "
        + validTo + " >= " + endOfDay + ")");
  }

  public static Column knownAt(String snapshotCol) {
    return knownAt(snapshotCol, "_valid_from", "_valid_to");
  }
}
