package io.kpilake.metrics;

import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Section 1 of kpis.md on hand-built fixtures; every expected number is worked out in a comment. */
class AccountMrrTest extends RevenueFixtures {

  private static Dataset<Row> mrr(Dataset<Row> am) {
    return am.select("account_id", "month", "mrr", "prev_mrr", "mrr_at_prev_rates", "movement", "fx_impact_mrr");
  }

  @Test
  void monthlyQuarterlyAnnualNormalizedAndNonMrrLinesIgnored() {
    LocalDate asOf = LocalDate.parse("2024-03-31");
    Dataset<Row> lines = lines(
        // monthly: 31 days, round(31 / 30.4375) = 1 -> 100 / 1 = 100; covers Jan 31 only
        "L1,A,SA,USD,paid,recurring,100.00,2024-01-01,2024-02-01",
        // quarterly: 90 days, round(2.957) = 3 -> 300 / 3 = 100; covers Feb 29 and Mar 31
        "L2,A,SA,USD,open,recurring,300.00,2024-02-01,2024-05-01",
        // annual: 366 days, round(12.02) = 12 -> 1200 / 12 = 100; covers Jan 31, Feb 29, Mar 31
        "L3,B,SB,USD,paid,recurring,1200.00,2024-01-15,2025-01-15",
        // a 21-day proration, a one-time fee, a void and a draft line: none is MRR
        "L4,A,SA,USD,paid,recurring,50.00,2024-01-10,2024-01-31",
        "L5,A,null,USD,paid,one_time,999.00,null,null",
        "L6,A,SA,USD,void,recurring,500.00,2024-03-01,2024-04-01",
        "L7,B,SB,USD,draft,recurring,500.00,2024-03-01,2024-04-01");
    Dataset<Row> am = accountMonths(lines, subs("SA,A,null,null", "SB,B,null,null"), payments(), rates(), accounts(), asOf);
    assertRows(mrr(am),
        "A,2024-01-01,100.00,0.00,100.00,new,0.00",
        "A,2024-02-01,100.00,100.00,100.00,flat,0.00",
        "A,2024-03-01,100.00,100.00,100.00,flat,0.00",
        "B,2024-01-01,100.00,0.00,100.00,new,0.00",
        "B,2024-02-01,100.00,100.00,100.00,flat,0.00",
        "B,2024-03-01,100.00,100.00,100.00,flat,0.00");
    // ARR = 12 x MRR; segment and owner default when the account is not in the CRM.
    assertRows(am.filter("account_id = 'B' AND month = '2024-03-01'").select("arr", "segment", "owner", "cohort_month"),
        "1200.00,unknown,unassigned,2024-01-01");
  }

  @Test
  void aLineWithoutAnInvoiceStatusCountsForMrr() {
    // kpis.md: a recurring line counts unless its invoice_status is void or draft; feeds.md does not
    // require invoice_status, and an empty one is neither: 31 days, round(31 / 30.4375) = 1 -> 100 / 1
    // = 100 on Mar 31. (A NOT IN on a null status is null, not true: such lines used to drop out.)
    LocalDate asOf = LocalDate.parse("2024-03-31");
    Dataset<Row> lines = lines("L1,E,SE,USD,null,recurring,100.00,2024-03-01,2024-04-01",
        "L2,E,SE,USD,void,recurring,900.00,2024-03-01,2024-04-01");
    Dataset<Row> am = accountMonths(lines, subs("SE,E,null,null"), payments(), rates(), accounts(), asOf);
    assertRows(mrr(am), "E,2024-03-01,100.00,0.00,100.00,new,0.00");
  }

  @Test
  void endedAtCutsCoverageAndTheSnapshotDayIsTheAsOfDateMidMonth() {
    // As of March 15: S(Jan) = Jan 31, S(Feb) = Feb 29, S(Mar) = Mar 15.
    LocalDate asOf = LocalDate.parse("2024-03-15");
    Dataset<Row> lines = lines(
        // annual 1200 / 12 = 100, but its subscription ended Feb 20: covers Jan 31 (< Feb 20), not Feb 29
        "L1,C,SC,USD,paid,recurring,1200.00,2024-01-01,2025-01-01",
        // D: March line covers Mar 15 (100); the Mar 20 line does not cover Mar 15 (not counted)
        "L2,D,SD,USD,paid,recurring,100.00,2024-03-01,2024-03-31",
        "L3,D,SD,USD,paid,recurring,50.00,2024-03-20,2024-04-20",
        // billed ahead: starts after D; and C billed for March after its service ended: neither covers anything
        "L4,D,SD,USD,open,recurring,100.00,2024-04-01,2024-05-01",
        "L5,C,SC,USD,open,recurring,100.00,2024-03-01,2024-04-01");
    Dataset<Row> am = accountMonths(lines, subs("SC,C,2024-02-20 10:00:00,customer_request", "SD,D,null,null"),
        payments(), rates(), accounts("C,SMB,emea,kim"), asOf);
    assertRows(mrr(am),
        "C,2024-01-01,100.00,0.00,100.00,new,0.00",
        "C,2024-02-01,0.00,100.00,0.00,churn,0.00",
        "C,2024-03-01,0.00,0.00,0.00,inactive,0.00",
        "D,2024-03-01,100.00,0.00,100.00,new,0.00");
    // C's subscription ended Feb 20 with a reason: voluntary churn.
    assertRows(am.filter("movement = 'churn'").select("account_id", "churned_mrr", "churn_type", "segment", "owner"),
        "C,100.00,voluntary,SMB,kim");
  }

  @Test
  void currencySwingsAreFxImpactNotExpansion() {
    LocalDate asOf = LocalDate.parse("2024-03-31");
    Dataset<Row> lines = lines(
        "E1,E,SE,EUR,paid,recurring,100.00,2024-01-01,2024-02-01",
        "E2,E,SE,EUR,paid,recurring,100.00,2024-02-01,2024-03-01",
        "E3,E,SE,EUR,paid,recurring,100.00,2024-03-01,2024-04-01",
        "F1,F,SF,EUR,paid,recurring,100.00,2024-01-01,2024-02-01",
        "F2,F,SF,EUR,paid,recurring,150.00,2024-02-01,2024-03-01");
    // Rates: Jan 31 -> 1.10 (set Jan 1), Feb 29 -> 1.20 (set Feb 15), Mar 31 -> 1.15 (set Mar 31).
    Dataset<Row> rates = rates("2024-01-01,EUR,1.10", "2024-02-15,EUR,1.20", "2024-03-31,EUR,1.15");
    Dataset<Row> am = accountMonths(lines, subs(), payments(), rates, accounts(), asOf);
    assertRows(mrr(am),
        // E pays EUR 100 every month. Jan: 110.00, new (first month of the data: at-prev-rates = mrr).
        "E,2024-01-01,110.00,0.00,110.00,new,0.00",
        // Feb: 100 x 1.20 = 120.00; at Jan 31 rates 100 x 1.10 = 110.00 = prev -> flat, fx = 120 - 110 = 10.
        "E,2024-02-01,120.00,110.00,110.00,flat,10.00",
        // Mar: 100 x 1.15 = 115.00; at Feb 29 rates 120.00 = prev -> flat, fx = 115 - 120 = -5.
        "E,2024-03-01,115.00,120.00,120.00,flat,-5.00",
        "F,2024-01-01,110.00,0.00,110.00,new,0.00",
        // Feb: 150 x 1.20 = 180.00; at Jan rates 150 x 1.10 = 165.00 > 110 -> expansion 55, fx 15:
        // 110 + 55 + 15 = 180.
        "F,2024-02-01,180.00,110.00,165.00,expansion,15.00",
        // Mar: no line -> churn of 180 at constant rates.
        "F,2024-03-01,0.00,180.00,0.00,churn,0.00");
    assertRows(am.filter("account_id = 'F' AND month = '2024-02-01'").select("expansion_mrr", "new_mrr", "contraction_mrr"),
        "55.00,0.00,0.00");
  }

  @Test
  void reactivationIsNotNewAndContractionUsesConstantRates() {
    LocalDate asOf = LocalDate.parse("2024-04-30");
    Dataset<Row> lines = lines(
        "G1,G,SG,USD,paid,recurring,100.00,2024-01-01,2024-02-01",
        "G3,G,SG2,USD,paid,recurring,80.00,2024-03-01,2024-04-01",
        "G4,G,SG2,USD,paid,recurring,60.00,2024-04-01,2024-05-01");
    Dataset<Row> am = accountMonths(lines, subs(), payments(), rates(), accounts(), asOf);
    assertRows(am.select("month", "movement", "new_mrr", "churned_mrr", "reactivation_mrr", "contraction_mrr"),
        "2024-01-01,new,100.00,0.00,0.00,0.00",
        "2024-02-01,churn,0.00,100.00,0.00,0.00",
        // active again after a gap: reactivation, not new
        "2024-03-01,reactivation,0.00,0.00,80.00,0.00",
        // 80 -> 60: contraction of 20
        "2024-04-01,contraction,0.00,0.00,0.00,20.00");
  }

  @Test
  void churnTypeFollowsEachBranchOfTheRule() {
    LocalDate asOf = LocalDate.parse("2024-02-29");
    String[] ids = {"H1", "H2", "H3", "H4", "H5", "H6"};
    String[] lineRows = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      lineRows[i] = "L" + ids[i] + "," + ids[i] + ",S" + ids[i] + ",USD,paid,recurring,100.00,2024-01-01,2024-02-01";
    }
    // Every account had January only, so each churns in February: window (Jan 31, Feb 29].
    Dataset<Row> subs = subs(
        "SH1,H1,2024-02-10 00:00:00,payment_failed", // explicit payment_failed -> involuntary
        "SH2,H2,2024-02-10 00:00:00,customer_request", // another reason -> voluntary
        "SH3,H3,2024-02-10 00:00:00,null", // no reason, latest charge in (Jan 11, Feb 10] failed -> involuntary
        "SH4,H4,2024-02-10 00:00:00,null", // no reason, latest charge in the window succeeded -> voluntary
        "SH5,H5,null,null", // nothing ended: churn date = S(M) = Feb 29, no charge in (Jan 30, Feb 29] -> voluntary
        "SH6,H6,2024-02-10 00:00:00,null"); // failed charge Jan 5 is outside (Jan 11, Feb 10] -> voluntary
    Dataset<Row> payments = payments(
        "P1,H3,charge,succeeded,100,USD,2024-01-01 10:00:00",
        "P2,H3,charge,failed,100,USD,2024-02-05 10:00:00",
        "P3,H4,charge,failed,100,USD,2024-02-01 10:00:00",
        "P4,H4,charge,succeeded,100,USD,2024-02-08 10:00:00",
        "P5,H5,charge,failed,100,USD,2024-01-20 10:00:00",
        "P6,H6,charge,failed,100,USD,2024-01-05 10:00:00");
    Dataset<Row> am = accountMonths(lines(lineRows), subs, payments, rates(), accounts(), asOf);
    assertRows(am.filter("movement = 'churn'").select("account_id", "churn_type"),
        "H1,involuntary", "H2,voluntary", "H3,involuntary", "H4,voluntary", "H5,voluntary", "H6,voluntary");
    assertRows(am.filter("movement <> 'churn'").select("account_id", "churn_type").distinct().select("churn_type").distinct(), "null");
  }
}
