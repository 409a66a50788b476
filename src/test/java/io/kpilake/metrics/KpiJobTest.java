package io.kpilake.metrics;

import io.kpilake.NightlyJob;
import io.kpilake.SparkTestBase;
import io.kpilake.config.KpiConfig;
import io.kpilake.spark.Warehouse;
import java.time.LocalDate;
import io.kpilake.ops.QualityGateFailure;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KPI job inside a nightly run: currencies without rates, publishing, reruns, quality gates. */
class KpiJobTest extends SparkTestBase {
  private static final String LINE_H = "line_id,invoice_id,account_id,subscription_id,invoice_status,issued_at,currency,line_type,amount,period_start,period_end,updated_at";

  @Test
  void recordsInACurrencyWithoutAnyRateAreQuarantinedOnceAndLeftOut() {
    deliver("billing/invoice_lines", "2024-01-01", "l.csv", LINE_H,
        "L1,I1,A,SA,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L2,I2,B,SB,paid,2024-01-01T00:00:00Z,JPY,recurring,10000,2024-01-01,2024-02-01,2024-01-01T00:00:00Z");
    deliver("payments/payment_events", "2024-01-01", "p.jsonl",
        "{\"event_id\":\"P1\",\"account_id\":\"B\",\"event_type\":\"charge\",\"status\":\"succeeded\",\"amount\":10000,"
            + "\"currency\":\"JPY\",\"occurred_at\":\"2024-01-01T10:00:00Z\"}",
        // EUR's first rate is 2024-01-01: this payment uses it, and the run says so (feeds.md).
        "{\"event_id\":\"P2\",\"account_id\":\"A\",\"event_type\":\"charge\",\"status\":\"succeeded\",\"amount\":50,"
            + "\"currency\":\"EUR\",\"occurred_at\":\"2023-12-20T10:00:00Z\"}");
    deliver("fx/rates", "2024-01-01", "r.csv", "rate_date,currency,rate_to_reporting", "2024-01-01,EUR,1.1");
    KpiConfig cfg = config();
    Warehouse wh = new Warehouse(spark(), cfg.warehousePath());
    io.kpilake.publish.PublishedCatalog.registerAll(wh);
    new NightlyJob(wh, cfg).run(LocalDate.parse("2024-01-31"));
    // Only A's USD line counts: MRR 100.00, new.
    assertRows(spark().sql("SELECT account_id, month, mrr, movement FROM kpi.account_mrr_monthly"), "A,2024-01-01,100.00,new");
    assertRows(spark().sql("SELECT entity, row_number, reason FROM ops.quarantine"),
        "invoice_lines,2,currency: no FX rate at all for JPY", "payment_events,1,currency: no FX rate at all for JPY");
    String revenue = spark().sql("SELECT message FROM ops.pipeline_runs WHERE step = 'revenue kpis'").first().getString(0);
    assertTrue(revenue.contains("1 payment(s) occurred before their currency's first FX rate and use that first rate"), revenue);
    assertTrue(!revenue.contains("MRR line(s) start before"), revenue);

    // A later delivery makes the KPIs recompute; the JPY records are not quarantined twice.
    deliver("billing/invoice_lines", "2024-01-15", "l2.csv", LINE_H,
        "L3,I3,C,SC,paid,2024-01-15T00:00:00Z,USD,recurring,50.00,2024-01-15,2024-02-15,2024-01-15T00:00:00Z");
    new NightlyJob(wh, cfg).run(LocalDate.parse("2024-01-31"));
    assertRows(spark().sql("SELECT account_id, mrr FROM kpi.account_mrr_monthly"), "A,100.00", "C,50.00");
    assertRows(spark().sql("SELECT count(*) FROM ops.quarantine"), "2");
  }

  @Test
  void anErrorGateKeepsThePreviousResultsAndAWarnGateOnlyRecords() {
    deliver("billing/invoice_lines", "2024-01-01", "l.csv", LINE_H,
        "L1,I1,A,SA,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L2,I2,A,SA,paid,2024-02-01T00:00:00Z,USD,recurring,100.00,2024-02-01,2024-03-01,2024-01-01T00:00:00Z",
        "L3,I3,A,SA,paid,2024-03-01T00:00:00Z,USD,recurring,100.00,2024-03-01,2024-04-01,2024-01-01T00:00:00Z");
    KpiConfig cfg = config();
    Warehouse wh = new Warehouse(spark(), cfg.warehousePath());
    io.kpilake.publish.PublishedCatalog.registerAll(wh);
    new NightlyJob(wh, cfg).run(LocalDate.parse("2024-03-31"));
    assertRows(spark().sql("SELECT count(*) FROM kpi.account_mrr_monthly"), "3");

    // Rerun for January: 1 account-month instead of 3, a 67% drop. As an error gate (max 50%) it fails
    // the run: exit 3, nothing published, the March results stay; recorded in ops.pipeline_runs.
    KpiConfig strict = cfg.withQuality(cfg.quality().with(
        new KpiConfig.Gate(KpiConfig.QualitySettings.ROW_COUNT_DROP, KpiConfig.GateLevel.ERROR, 0.5)));
    QualityGateFailure e = assertThrows(QualityGateFailure.class,
        () -> new NightlyJob(wh, strict).run(LocalDate.parse("2024-01-31")));
    assertTrue(e.getMessage().startsWith("KPIs not published: kpi.account_mrr_monthly would have 1 rows, 67% fewer than the 3 published"),
        e.getMessage());
    assertRows(spark().sql("SELECT count(*) FROM kpi.account_mrr_monthly"), "3");
    assertEquals("2024-03-31", wh.table("kpi", "account_mrr_monthly").detail().first().getJavaMap(
        wh.table("kpi", "account_mrr_monthly").detail().first().fieldIndex("properties")).get("kpi.as_of_date"));
    assertRows(spark().sql("SELECT status FROM ops.pipeline_runs WHERE step = 'kpi quality gates'"), "succeeded", "failed");

    // The default level is warn: the same run publishes and records the warning.
    new NightlyJob(wh, cfg).run(LocalDate.parse("2024-01-31"));
    assertRows(spark().sql("SELECT count(*) FROM kpi.account_mrr_monthly"), "1");
    assertRows(spark().sql("SELECT status FROM ops.pipeline_runs WHERE step = 'kpi quality gates'"), "succeeded", "failed", "warned");
    assertTrue(spark().sql("SELECT message FROM ops.pipeline_runs WHERE status = 'warned'").first().getString(0)
        .startsWith("row-count-drop (warn): kpi.account_mrr_monthly would have 1 rows"));
  }
}
