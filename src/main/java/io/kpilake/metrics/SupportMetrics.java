package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.model.SqlModel;
import io.kpilake.spark.Transform;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * kpi.support_monthly (kpis.md section 7): tickets by month of created_at and segment (latest CRM
 * value), escalations, exact median first-response and resolution hours, mean CSAT
 * ({@code models/support_monthly.sql}).
 */
public final class SupportMetrics {
  private SupportMetrics() {}

  /** Input: current tickets with {@code segment} ({@code RevenueModel.withCrmAttributes}). */
  public static Transform supportMonthly(LocalDate asOf) {
    SqlModel model = SqlModel.of("support_monthly");
    return tickets -> model.run(Map.of("tickets", tickets), Map.of("as_of", asOf));
  }

  /**
   * The table as published by the run a night builds on: its rows (at the version the publication
   * lists), when that run ingested up to, and its as-of date P.
   */
  public record Published(Dataset<Row> rows, java.sql.Timestamp publishedAt, LocalDate publishedAsOf) {}

  /**
   * {@link #supportMonthly(LocalDate)} on a night: only the months that the changes since the
   * publication reach are recomputed ({@code models/support_monthly_months.sql}: from month(P) on,
   * the months of the changed tickets, and those of accounts whose segment may have changed); the
   * others keep the published rows, which a full recompute would give again. A tier M night
   * recomputes one or two months instead of 36 (the exact medians sort every ticket's hours).
   * {@code ticketVersions} and {@code accountVersions}: every version, with {@code _ingested_at}.
   */
  public static Transform supportMonthly(LocalDate asOf, Published published, Dataset<Row> ticketVersions,
      Dataset<Row> accountVersions) {
    SqlModel months = SqlModel.of("support_monthly_months");
    Transform all = supportMonthly(asOf);
    return tickets -> {
      // A few dates, read in one Spark job: both sides filter by the list, so neither waits for a
      // broadcast of its own.
      Object[] changed = months.run(Map.of("tickets", ticketVersions, "accounts", accountVersions),
              Map.of("published_at", published.publishedAt(), "published_as_of", published.publishedAsOf()))
          .collectAsList().stream().map(r -> r.get(0)).toArray();
      Dataset<Row> recomputed = all.apply(tickets.filter(expr("trunc(to_date(created_at), 'MM')").isin(changed)));
      Dataset<Row> kept = published.rows().filter(col("month").isin(changed).unary_$bang());
      return recomputed.unionByName(kept.select(java.util.Arrays.stream(recomputed.columns())
          .map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new)));
    };
  }
}
