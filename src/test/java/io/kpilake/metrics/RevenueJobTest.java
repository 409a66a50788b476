package io.kpilake.metrics;

import io.kpilake.NightlyJob;
import io.kpilake.SparkTestBase;
import io.kpilake.config.KpiConfig;
import io.kpilake.spark.Warehouse;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The revenue job inside a nightly run: currencies without rates, publishing, reruns. */
class RevenueJobTest extends SparkTestBase {
  private static final String LINE_H = "line_id,invoice_id,account_id,subscription_id,invoice_status,issued_at,currency,line_type,amount,period_start,period_end,updated_at";

  @Test
  void recordsInACurrencyWithoutAnyRateAreQuarantinedOnceAndLeftOut() {
    deliver("billing/invoice_lines", "2024-01-01", "l.csv", LINE_H,
        "L1,I1,A,SA,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L2,I2,B,SB,paid,2024-01-01T00:00:00Z,JPY,recurring,10000,2024-01-01,2024-02-01,2024-01-01T00:00:00Z");
    deliver("payments/payment_events", "2024-01-01", "p.jsonl",
        "{\"event_id\":\"P1\",\"account_id\":\"B\",\"event_type\":\"charge\",\"status\":\"succeeded\",\"amount\":10000,"
            + "\"currency\":\"JPY\",\"occurred_at\":\"2024-01-01T10:00:00Z\"}");
    deliver("fx/rates", "2024-01-01", "r.csv", "rate_date,currency,rate_to_reporting", "2024-01-01,EUR,1.1");
    KpiConfig cfg = config();
    Warehouse wh = new Warehouse(spark(), cfg.warehousePath());
    wh.registerAll();
    new NightlyJob(wh, cfg).run(LocalDate.parse("2024-01-31"));
    // Only A's USD line counts: MRR 100.00, new.
    assertRows(spark().sql("SELECT account_id, month, mrr, movement FROM kpi.account_mrr_monthly"), "A,2024-01-01,100.00,new");
    assertRows(spark().sql("SELECT entity, row_number, reason FROM ops.quarantine"),
        "invoice_lines,2,currency: no FX rate at all for JPY", "payment_events,1,currency: no FX rate at all for JPY");

    // A later delivery makes the KPIs recompute; the JPY records are not quarantined twice.
    deliver("billing/invoice_lines", "2024-01-15", "l2.csv", LINE_H,
        "L3,I3,C,SC,paid,2024-01-15T00:00:00Z,USD,recurring,50.00,2024-01-15,2024-02-15,2024-01-15T00:00:00Z");
    new NightlyJob(wh, cfg).run(LocalDate.parse("2024-01-31"));
    assertRows(spark().sql("SELECT account_id, mrr FROM kpi.account_mrr_monthly"), "A,100.00", "C,50.00");
    assertRows(spark().sql("SELECT count(*) FROM ops.quarantine"), "2");
  }
}
