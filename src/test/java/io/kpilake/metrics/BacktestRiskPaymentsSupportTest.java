package io.kpilake.metrics;

import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** kpis.md sections 5 (back-test), 6 (value at risk) and 7 (payments, support) on hand-built fixtures. */
class BacktestRiskPaymentsSupportTest extends RevenueFixtures {

  @Test
  void aucCountsTiesAsOneHalf() {
    // Accounts per snapshot, bucket and score: churned, retained (health_backtest_labels.sql).
    Dataset<Row> labeled = values("snapshot_date DATE, bucket STRING, health_score DOUBLE, churned BIGINT, retained BIGINT",
        "2024-01-31,red,20,1,0", "2024-01-31,yellow,50,1,1", "2024-01-31,green,80,0,1", "2024-01-31,green,90,0,1",
        "2024-01-31,unknown,null,1,0",
        "2024-02-29,yellow,50,0,1", "2024-02-29,yellow,60,0,1");
    // January: churned {20, 50}, retained {50, 80, 90}; the unscored account is left out.
    //   20 scores below all 3 retained -> 3; 50 is below 80 and 90 and ties 50 -> 2 + 0.5 = 2.5; U = 5.5
    //   AUC = 5.5 / (2 x 3) = 0.9166...
    // February: nobody churned -> null.
    assertRows(HealthBacktest.auc().apply(labeled), "2024-01-31,0.9166666666666666", "2024-02-29,null");
  }

  @Test
  void backtestCountsChurnWithinNinetyDaysByBucketForMatureMonthEndSnapshots() {
    Dataset<Row> health = values("snapshot_date DATE, account_id STRING, health_score DOUBLE, bucket STRING",
        "2024-01-31,A,80,green", "2024-01-31,B,30,red", "2024-01-31,C,55,yellow", "2024-01-31,E,null,unknown",
        "2024-01-31,F,60,yellow", "2024-01-31,G,50,yellow",
        // 04-30 + 90 days = 07-29 is after D = 06-30: not mature. 06-15 is not a month end.
        "2024-04-30,A,80,green", "2024-06-15,A,80,green");
    Dataset<Row> am = values("account_id STRING, month DATE, mrr DECIMAL(18,2)",
        "A,2024-02-01,10", "A,2024-03-01,10", "A,2024-04-01,10", "A,2024-05-01,10",
        "B,2024-02-01,10", "B,2024-03-01,0", "B,2024-04-01,10",
        "C,2024-02-01,10", "C,2024-03-01,10", "C,2024-04-01,0",
        "F,2024-02-01,10", "F,2024-04-01,10",
        "G,2024-02-01,10", "G,2024-03-01,10", "G,2024-04-01,10",
        "A,2024-07-01,0");
    // Month ends in (01-31, 01-31 + 90 = 04-30]: 02-29, 03-31, 04-30.
    // A stays > 0 -> retained; B is 0 at 03-31 (back later, still churned); C is 0 at 04-30; E has no revenue rows -> churned.
    // F has no row for March (a gap counts as 0) -> churned; G pays through 04-30 and has nothing after, which is
    // past the horizon -> retained.
    // yellow: C, F churned, G retained -> 3 accounts, 2 churned, 2 / 3 = 0.666...
    // AUC over scored accounts: churned {30, 55, 60} vs retained {80, 50}: 30 is below both, 55 and 60 only below 80:
    // U = 2 + 1 + 1 = 4; 4 / (3 x 2) = 0.666...
    assertRows(HealthBacktest.backtest(am, LocalDate.parse("2024-06-30"), 90).apply(health)
            .select("snapshot_date", "bucket", "accounts", "churned_within_90d", "churn_rate", "auc"),
        "2024-01-31,green,1,0,0.0,0.6666666666666666", "2024-01-31,red,1,1,1.0,0.6666666666666666",
        "2024-01-31,yellow,3,2,0.6666666666666666,0.6666666666666666", "2024-01-31,unknown,1,1,1.0,0.6666666666666666");
  }

  @Test
  void renewalDateFallsBackToTheEarliestLongLineAndHorizonsAreCumulative() {
    LocalDate d = LocalDate.parse("2024-03-31");
    Dataset<Row> health = values("account_id STRING, snapshot_date DATE, owner STRING, segment STRING, crm_renewal_date DATE, "
            + "mrr DECIMAL(18,2), health_score DOUBLE, bucket STRING, alert BOOLEAN",
        "A,2024-03-31,am1,smb,2024-04-20,100,80,green,false",       // CRM date ahead: 20 days -> horizon 30
        "B,2024-03-31,am1,smb,2024-01-01,200,40,red,true",          // CRM date past: annual line ends 06-15 -> 76 days -> 90
        "C,2024-03-31,am1,smb,null,300,90,green,false",             // no CRM date, monthly line only -> no renewal, left out
        "E,2024-03-31,am2,mid_market,null,50,65,yellow,false",      // annual line ends 07-29 -> 120 days -> 120
        "F,2024-03-31,am2,mid_market,2024-09-01,70,20,red,true",    // CRM date wins over the line ending 05-01: 154 days, out
        "G,2024-02-29,am2,mid_market,2024-03-15,70,20,red,true");   // not the as-of snapshot
    Dataset<Row> covering = values("account_id STRING, snapshot_date DATE, months INT, period_end DATE",
        "B,2024-03-31,12,2024-06-15", "B,2024-03-31,12,2024-09-15", "B,2024-03-31,1,2024-04-05",
        "C,2024-03-31,1,2024-04-10", "E,2024-03-31,12,2024-07-29", "F,2024-03-31,12,2024-05-01");
    Dataset<Row> var = ValueAtRisk.withRenewalDate(covering).andThen(ValueAtRisk.valueAtRisk(d, List.of(30, 60, 90, 120))).apply(health);
    assertRows(var.select("account_id", "renewal_date", "days_to_renewal", "horizon_days", "arr", "at_risk"),
        "A,2024-04-20,20,30,1200.00,false", "B,2024-06-15,76,90,2400.00,true", "E,2024-07-29,120,120,600.00,true");
    // am1/smb: A (30, 1,200, safe) and B (90, 2,400, at risk); am2/mid_market: E (120, 600, at risk).
    assertRows(ValueAtRisk.summary(List.of(30, 60, 90, 120)).apply(var)
            .select("owner", "segment", "horizon_days", "accounts_due", "arr_due", "accounts_at_risk", "arr_at_risk", "share_at_risk"),
        "am1,smb,30,1,1200.00,0,0.00,0.0", "am1,smb,60,1,1200.00,0,0.00,0.0",
        "am1,smb,90,2,3600.00,1,2400.00,0.6666666666666666", "am1,smb,120,2,3600.00,1,2400.00,0.6666666666666666",
        "am2,mid_market,30,0,0.00,0,0.00,null", "am2,mid_market,60,0,0.00,0,0.00,null", "am2,mid_market,90,0,0.00,0,0.00,null",
        "am2,mid_market,120,1,600.00,1,600.00,1.0");
  }

  /** Rows "event_id, account_id, invoice_id, status, amount, currency, occurred_at, processor, attempt_number". */
  private static Dataset<Row> charges(String... rows) {
    return values("event_id STRING, account_id STRING, invoice_id STRING, status STRING, amount DECIMAL(18,2), currency STRING, "
        + "occurred_at TIMESTAMP, processor STRING, attempt_number INT", rows)
        .withColumn("event_type", org.apache.spark.sql.functions.lit("charge"));
  }

  @Test
  void paymentsApprovalAndRecoveryWithinTheWindow() {
    Dataset<Row> p = charges(
        "E1,A,I1,failed,100,USD,2024-01-10T00:00:00,stripe,1",     // I1 first fails 01-10 ...
        "E2,A,I1,failed,100,USD,2024-01-13T00:00:00,stripe,2",
        "E3,A,I1,succeeded,100,USD,2024-01-16T12:00:00,stripe,3",  // ... recovered 6.5 days later
        "E4,B,I2,failed,200,EUR,2024-01-20T00:00:00,stripe,1",     // I2 fails 01-20 ...
        "E5,B,I2,succeeded,200,EUR,2024-02-21T00:00:00,stripe,2",  // ... paid 32 days later: outside the 30-day window
        "E6,C,I3,succeeded,50,USD,2024-01-05T00:00:00,stripe,1",
        "E7,C,null,succeeded,10,USD,2024-01-06T00:00:00,stripe,1", // no invoice: an attempt only
        "E8,D,I4,failed,80,EUR,2024-01-25T00:00:00,adyen,1",       // I4 fails 01-25 under adyen ...
        "E9,D,I4,succeeded,80,EUR,2024-01-26T00:00:00,adyen,2",    // ... recovered after 1 day: 80 EUR x 1.10 = 88.00
        "E10,A,I5,failed,10,USD,2024-04-01T00:00:00,stripe,1");    // after D: not counted
    Dataset<Row> out = PaymentMetrics.paymentsMonthly(fx(rates("2024-01-01,EUR,1.10"), LocalDate.parse("2024-03-31")),
        LocalDate.parse("2024-03-31"), 30).apply(p);
    // January stripe: E1 f, E2 f, E3 s, E4 f, E6 s, E7 s = 6 attempts, succeeded 3, failed 3, approval 0.5; first attempts E1 f, E4 f, E6 s, E7 s -> 2 / 4 = 0.5
    //   failed invoices I1, I2 -> recovered I1 only: 1 / 2; amount 100.00; median of {6.5} = 6.5
    // January adyen: E8 f, E9 s: approval 0.5, first attempt 0 / 1; I4 recovered in 1 day, 80 x 1.10 = 88.00
    // February stripe: E5 s: 1 attempt, approval 1.0, no first attempt -> null; no failed invoices.
    assertRows(out.select("month", "processor", "charge_attempts", "succeeded", "failed", "approval_rate", "first_attempt_approval_rate",
            "failed_invoices", "recovered_invoices", "recovery_rate", "recovered_amount", "median_days_to_recover"),
        "2024-01-01,stripe,6,3,3,0.5,0.5,2,1,0.5,100.00,6.5",
        "2024-01-01,adyen,2,1,1,0.5,0.0,1,1,1.0,88.00,1.0",
        "2024-02-01,stripe,1,1,0,1.0,null,0,0,null,0.00,null");
  }

  @Test
  void supportMediansAreExact() {
    Dataset<Row> t = values("ticket_id STRING, account_id STRING, segment STRING, created_at TIMESTAMP, first_response_at TIMESTAMP, "
            + "solved_at TIMESTAMP, escalated BOOLEAN, csat_score INT",
        "T1,A,smb,2024-01-01T00:00:00,2024-01-01T01:00:00,2024-01-01T10:00:00,false,5",
        "T2,A,smb,2024-01-02T00:00:00,2024-01-02T02:00:00,2024-01-03T00:00:00,true,3",
        "T3,B,smb,2024-01-03T00:00:00,2024-01-03T04:00:00,null,false,null",
        "T4,B,smb,2024-01-04T00:00:00,2024-01-04T10:00:00,2024-01-04T04:00:00,false,null",
        "T5,B,smb,2024-04-04T00:00:00,null,null,false,null",
        "T6,C,enterprise,2024-02-01T00:00:00,2024-02-01T00:30:00,null,false,null",
        "T7,C,enterprise,2024-02-02T00:00:00,2024-02-02T01:30:00,null,true,null",
        "T8,C,enterprise,2024-02-03T00:00:00,2024-02-03T06:00:00,null,false,null",
        "T9,C,enterprise,2024-02-04T00:00:00,null,null,false,null");
    // January smb: 4 tickets, 1 escalated; first response hours {1, 2, 4, 10} -> median (2 + 4) / 2 = 3
    // resolution hours of solved tickets {10, 24, 4} -> median 10; csat (5 + 3) / 2 = 4 from 2 responses. T5 is after D.
    // February enterprise: 4 tickets, 1 escalated (1 / 4 = 0.25); three responses {0.5, 1.5, 6} -> the middle one, 1.5;
    // none solved -> no resolution median (null); no csat -> avg null, 0 responses.
    assertRows(SupportMetrics.supportMonthly(LocalDate.parse("2024-03-31")).apply(t)
            .select("month", "segment", "tickets", "escalated", "escalation_rate", "median_first_response_hours",
                "median_resolution_hours", "avg_csat", "csat_responses"),
        "2024-01-01,smb,4,1,0.25,3.0,10.0,4.0,2",
        "2024-02-01,enterprise,4,1,0.25,1.5,null,null,0");
  }

  @Test
  void aNightRecomputesOnlyTheSupportMonthsItsChangesReach() {
    // Published as of P = 2024-03-15 by a run that ingested up to 2024-03-15 23:00; tonight D = 2024-03-31.
    String before = "2024-03-15T12:00:00";
    String since = "2024-03-31T06:00:00";
    // Every ticket version: T3 got a second version tonight (solved); C's CRM record a new segment tonight.
    Dataset<Row> versions = values("ticket_id STRING, account_id STRING, created_at TIMESTAMP, _ingested_at TIMESTAMP",
        "T1,A,2024-01-05T00:00:00," + before,
        "T3,A,2024-02-05T00:00:00," + before,
        "T3,A,2024-02-05T00:00:00," + since,
        "T4,C,2023-12-05T00:00:00," + before,
        "T5,A,2024-03-10T00:00:00," + before);
    Dataset<Row> accounts = values("account_id STRING, segment STRING, _ingested_at TIMESTAMP",
        "A,smb," + before, "C,smb," + before, "C,enterprise," + since);
    // The current tickets with their account's latest segment.
    Dataset<Row> current = values("ticket_id STRING, account_id STRING, segment STRING, created_at TIMESTAMP, first_response_at TIMESTAMP, "
            + "solved_at TIMESTAMP, escalated BOOLEAN, csat_score INT",
        "T1,A,smb,2024-01-05T00:00:00,2024-01-05T01:00:00,null,false,null",
        "T3,A,smb,2024-02-05T00:00:00,2024-02-05T02:00:00,2024-02-06T00:00:00,true,4",
        "T4,C,enterprise,2023-12-05T00:00:00,2023-12-05T03:00:00,null,false,null",
        "T5,A,smb,2024-03-10T00:00:00,2024-03-10T05:00:00,null,false,null");
    // What the publication holds. The 99s mark rows that must stay as published: November (no
    // ticket now) and January (T1 unchanged). February (T3 changed), December (C moved from smb to
    // enterprise) and March (from month(P) on) are recomputed, and their published rows go.
    Dataset<Row> published = values("month DATE, segment STRING, tickets BIGINT, escalated BIGINT, escalation_rate DOUBLE, "
            + "median_first_response_hours DOUBLE, median_resolution_hours DOUBLE, avg_csat DOUBLE, csat_responses BIGINT",
        "2023-11-01,smb,99,0,0.0,99.0,null,null,0",
        "2023-12-01,smb,1,0,0.0,3.0,null,null,0",
        "2024-01-01,smb,99,0,0.0,99.0,null,null,0",
        "2024-02-01,smb,1,0,0.0,2.0,null,null,0",
        "2024-03-01,smb,1,0,0.0,5.0,null,null,0");
    SupportMetrics.Published p = new SupportMetrics.Published(published, java.sql.Timestamp.valueOf("2024-03-15 23:00:00"),
        LocalDate.parse("2024-03-15"));
    // Recomputed: December enterprise, T4 (3 h to respond); February smb, T3 (2 h, solved after 24 h,
    // escalated, csat 4); March smb, T5 (5 h).
    assertRows(SupportMetrics.supportMonthly(LocalDate.parse("2024-03-31"), p, versions, accounts).apply(current)
            .select("month", "segment", "tickets", "escalated", "escalation_rate", "median_first_response_hours",
                "median_resolution_hours", "avg_csat", "csat_responses"),
        "2023-11-01,smb,99,0,0.0,99.0,null,null,0",
        "2023-12-01,enterprise,1,0,0.0,3.0,null,null,0",
        "2024-01-01,smb,99,0,0.0,99.0,null,null,0",
        "2024-02-01,smb,1,1,1.0,2.0,24.0,4.0,1",
        "2024-03-01,smb,1,0,0.0,5.0,null,null,0");
  }
}
