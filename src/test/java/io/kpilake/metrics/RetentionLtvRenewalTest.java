package io.kpilake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Sections 2-4 and renewals on hand-built account-month fixtures. */
class RetentionLtvRenewalTest extends RevenueFixtures {

  /** Rows "account_id, month, cohort_month, segment, mrr". */
  private static Dataset<Row> am(String... rows) {
    return values("account_id STRING, month DATE, cohort_month DATE, segment STRING, mrr DECIMAL(18,2)", rows);
  }

  @Test
  void contractWorkedExamplesGiveGrr90Nrr115AndGrr78Nrr108() {
    Dataset<Row> am = am(
        // Example 1 (segment one): start 1,000,000; expansion 250,000; contraction 100,000; no churn.
        "X1,2023-01-01,2023-01-01,one,500000", "X1,2024-01-01,2023-01-01,one,750000",
        "X2,2023-01-01,2023-01-01,one,400000", "X2,2024-01-01,2023-01-01,one,300000",
        "X3,2023-01-01,2023-01-01,one,100000", "X3,2024-01-01,2023-01-01,one,100000",
        // Example 2 (segment two): start 1,000,000; expansion 300,000; churn 200,000 + contraction 20,000.
        "Y1,2023-01-01,2023-01-01,two,500000", "Y1,2024-01-01,2023-01-01,two,800000",
        "Y2,2023-01-01,2023-01-01,two,200000", "Y2,2024-01-01,2023-01-01,two,0",
        "Y3,2023-01-01,2023-01-01,two,300000", "Y3,2024-01-01,2023-01-01,two,280000",
        // Churned mid-window and reactivated by its end: the 12-month window compares the end points only.
        "Z1,2023-01-01,2023-01-01,three,100", "Z1,2023-06-01,2023-01-01,three,0", "Z1,2024-01-01,2023-01-01,three,100");
    Dataset<Row> r = RetentionMetrics.retention(12).apply(am);
    // one: GRR = (1,000,000 - 100,000) / 1,000,000 = 0.90; NRR = (1,000,000 + 250,000 - 100,000) / 1,000,000 = 1.15
    // two: GRR = (1,000,000 - 20,000 - 200,000) / 1,000,000 = 0.78; NRR = 1,080,000 / 1,000,000 = 1.08; 2 of 3 retained
    // three: start 100, end 100: NRR = GRR = logo retention = 1.0
    assertRows(r.select("segment", "start_accounts", "retained_accounts", "start_mrr", "expansion_mrr", "contraction_mrr",
            "churned_mrr", "end_mrr", "grr", "nrr", "logo_retention"),
        "one,3,3,1000000.00,250000.00,100000.00,0.00,1150000.00,0.9,1.15,1.0",
        "two,3,2,1000000.00,300000.00,20000.00,200000.00,1080000.00,0.78,1.08,0.6666666666666666",
        "three,1,1,100.00,0.00,0.00,0.00,100.00,1.0,1.0,1.0");
  }

  @Test
  void windowsOfOneThreeAndTwelveMonthsExistWhereTheStartMonthHasData() {
    Dataset<Row> am = am("A,2024-01-01,2024-01-01,s,100", "A,2024-02-01,2024-01-01,s,100", "A,2024-03-01,2024-01-01,s,50",
        "A,2024-04-01,2024-01-01,s,50");
    // w=1: Feb (100->100), Mar (100->50), Apr (50->50); w=3: Apr (100->50); w=12: none.
    assertRows(RetentionMetrics.retention(1, 3, 12).apply(am).select("window_months", "month", "nrr", "grr"),
        "1,2024-02-01,1.0,1.0", "1,2024-03-01,0.5,0.5", "1,2024-04-01,1.0,1.0", "3,2024-04-01,0.5,0.5");
  }

  @Test
  void cohortMatrixCountsActiveAccountsAndRevenueRetention() {
    Dataset<Row> am = am("A,2024-01-01,2024-01-01,s,100", "A,2024-02-01,2024-01-01,s,150",
        "B,2024-01-01,2024-01-01,s,100", "B,2024-02-01,2024-01-01,s,0");
    // k=0: 2 of 2 active, mrr 200; k=1: 1 of 2 active, mrr 150 -> revenue retention 150 / 200 = 0.75
    assertRows(RetentionMetrics.cohortMatrix().apply(am).select("months_since_start", "cohort_accounts", "active_accounts", "mrr",
            "cohort_start_mrr", "logo_retention", "revenue_retention"),
        "0,2,2,200.00,200.00,1.0,1.0", "1,2,1,150.00,200.00,0.5,0.75");
  }

  /** Rows "account_id, month, segment, mrr, prev_mrr, movement, churned_mrr, churn_type". */
  private static Dataset<Row> movements(String... rows) {
    return values("account_id STRING, month DATE, segment STRING, mrr DECIMAL(18,2), prev_mrr DECIMAL(18,2), movement STRING, "
        + "churned_mrr DECIMAL(18,2), churn_type STRING", rows);
  }

  @Test
  void churnMonthlyHasBothTypesWithRates() {
    Dataset<Row> am = movements(
        "A,2024-02-01,s,0,100,churn,100,involuntary",
        "B,2024-02-01,s,0,300,churn,300,voluntary",
        "C,2024-02-01,s,200,200,flat,0,null",
        "D,2024-02-01,s,400,400,flat,0,null",
        "E,2024-02-01,t,50,0,new,0,null");
    // s: start 4 accounts, 1,000 MRR. involuntary: 1 / 4 = 0.25, 100 / 1000 = 0.1; voluntary: 0.25, 0.3.
    // t has no start accounts: no rows.
    assertRows(ChurnMetrics.churnMonthly().apply(am).select("segment", "churn_type", "start_accounts", "start_mrr",
            "churned_accounts", "churned_mrr", "logo_churn_rate", "revenue_churn_rate"),
        "s,involuntary,4,1000.00,1,100.00,0.25,0.1",
        "s,voluntary,4,1000.00,1,300.00,0.25,0.3");
  }

  @Test
  void ltvCapsLifetimeWithoutChurnAndUsesShortHistory() {
    LocalDate asOf = LocalDate.parse("2024-02-15");
    Dataset<Row> am = movements(
        // s1: two accounts new in Feb (no start accounts in the 12 months): churn rate null -> cap 60
        "P,2024-02-01,s1,100,0,new,0,null",
        "Q,2024-02-01,s1,200,0,new,0,null",
        // s2: two months of history. Jan: A, B new. Feb: A flat, B churns. start 2, churned 1 -> 0.5
        "A,2024-01-01,s2,100,0,new,0,null", "A,2024-02-01,s2,100,100,flat,0,null",
        "B,2024-01-01,s2,100,0,new,0,null", "B,2024-02-01,s2,0,100,churn,100,voluntary");
    Dataset<Row> ltv = LtvMetrics.ltv(asOf, 0.8, 60).apply(am);
    // s1: arpa (100 + 200) / 2 = 150; lifetime 60 (cap); ltv = 150 x 0.8 x 60 = 7200
    // s2: arpa 100 (A only); lifetime min(1 / 0.5, 60) = 2; ltv = 100 x 0.8 x 2 = 160
    // all: arpa (100 + 200 + 100) / 3 = 133.33; churn 1 / 2 -> lifetime 2; ltv = 133.33 x 0.8 x 2 = 213.33
    assertRows(ltv.select("segment", "active_accounts", "arpa", "monthly_churn_rate", "expected_lifetime_months", "ltv"),
        "s1,2,150.00,null,60.0,7200.00",
        "s2,1,100.00,0.5,2.0,160.00",
        "all,3,133.33,0.5,2.0,213.33");
  }

  @Test
  void realizedLtvNetsRefundsConvertsAtThePaymentDayAndCountsEarlyPaymentsInMonthZero() {
    LocalDate asOf = LocalDate.parse("2024-03-31");
    Dataset<Row> am = am("A,2024-02-01,2024-02-01,s,100", "A,2024-03-01,2024-02-01,s,100",
        "B,2024-02-01,2024-02-01,s,100", "B,2024-03-01,2024-02-01,s,100")
        .withColumn("cohort_month", org.apache.spark.sql.functions.expr("CAST(cohort_month AS DATE)"));
    Dataset<Row> payments = payments(
        "P0,A,charge,succeeded,50,USD,2024-01-20 10:00:00", // before the cohort month: counts in month 0
        "P1,A,charge,succeeded,100,USD,2024-02-01 10:00:00",
        "P2,B,charge,succeeded,100,EUR,2024-02-10 10:00:00", // EUR at the Feb 10 rate 1.10 = 110
        "P3,B,charge,failed,100,EUR,2024-03-01 10:00:00", // failed: not revenue
        "P4,A,refund,succeeded,30,USD,2024-03-05 10:00:00",
        "P5,B,chargeback,succeeded,100,EUR,2024-03-20 10:00:00", // at the Mar 15 rate 1.20 = -120
        "P6,A,null,succeeded,40,USD,2024-03-25 10:00:00"); // no event_type: neither a charge nor a refund, not counted
    Dataset<Row> r = LtvMetrics.ltvRealized(payments, fx(rates("2024-01-01,EUR,1.10", "2024-03-15,EUR,1.20"), asOf), asOf).apply(am);
    // month 0: 50 + 100 + 110 = 260, cumulative 260, per account 130
    // month 1: -30 - 120 = -150, cumulative 110, per account 55
    assertRows(r.select("months_since_start", "cohort_accounts", "net_revenue", "cumulative_net_revenue", "ltv_to_date"),
        "0,2,260.00,260.00,130.00", "1,2,-150.00,110.00,55.00");
  }

  @Test
  void renewalsDueRenewedAndValue() {
    LocalDate asOf = LocalDate.parse("2024-03-31");
    Dataset<Row> lines = lines(
        // R1: annual 1200 (366 days -> 12 months -> 100/month) ends Mar 1; renewed by a 1320 line (110/month)
        "R1a,R1,S1,USD,paid,recurring,1200.00,2023-03-01,2024-03-01",
        "R1b,R1,S1,USD,paid,recurring,1320.00,2024-03-01,2025-03-01",
        // R2: annual ending Mar 10, nothing after: due, not renewed (MRR on Mar 10 is 0)
        "R2a,R2,S2,USD,paid,recurring,1200.00,2023-03-10,2024-03-10",
        // R3: ends after the as-of date: not due yet
        "R3a,R3,S3,USD,paid,recurring,1200.00,2023-04-10,2024-04-10",
        // R4: its subscription ended Feb 1, before period_end: not due
        "R4a,R4,S4,USD,paid,recurring,1200.00,2023-03-05,2024-03-05");
    Dataset<Row> subs = subs("S1,R1,null,null", "S2,R2,null,null", "S3,R3,null,null", "S4,R4,2024-02-01 00:00:00,customer_request");
    Dataset<Row> mrrLines = io.kpilake.model.RevenueModel.mrrLines(subs).apply(lines).withColumn("segment",
        org.apache.spark.sql.functions.lit("s"));
    Dataset<Row> r = RenewalMetrics.renewalsMonthly(fx(rates(), asOf), asOf).apply(mrrLines);
    // March: due R1 and R2 (arr_due 1200 each = 2400); renewed R1 only: min(1200, 12 x 110 = 1320) = 1200
    assertRows(r.select("month", "renewals_due", "renewals_renewed", "renewal_rate", "arr_due", "arr_renewed", "renewal_rate_value"),
        "2024-03-01,2,1,0.5,2400.00,1200.00,0.5");
    assertEquals(List.of("month", "segment"), List.of(r.columns()).subList(0, 2));
  }
}
