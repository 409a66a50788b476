package io.kpilake.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DuckDB peer of the bench on a hand-made landing area (no Spark): MRR, movements, FX impact,
 * churn type, CRM attributes and the rejection of a bad record, each worked out by hand.
 */
class DuckDbPeerTest {
  @TempDir Path landing;

  private void file(String feed, String dt, String name, String... lines) throws Exception {
    Path f = landing.resolve(feed).resolve("dt=" + dt).resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, String.join("\n", lines) + "\n");
  }

  @Test
  void theRevenueCoreOfAHandMadeLandingArea() throws Exception {
    file("fx/rates", "2024-01-01", "r.csv", "rate_date,currency,rate_to_reporting",
        "2024-01-01,EUR,1.10000000", "2024-02-15,EUR,1.20000000");
    file("crm/accounts", "2024-01-01", "a.csv", "account_id,account_name,billing_email,segment,region,industry,owner,created_at,"
        + "renewal_date,updated_at", "A1,\"One, Inc.\",x@y,Mid Market,emea,saas,,2024-01-01T00:00:00Z,,2024-01-01T00:00:00Z");
    String subsHeader = "subscription_id,account_id,plan_id,status,started_at,canceled_at,ended_at,cancel_reason,updated_at";
    file("billing/subscriptions", "2024-01-01", "s.csv", subsHeader,
        "S1,A1,p,active,2024-01-01T00:00:00Z,,,,2024-01-01T00:00:00Z",
        "S2,A2,p,active,2024-01-15T00:00:00Z,,,,2024-01-15T00:00:00Z");
    file("billing/subscriptions", "2024-03-10", "s.csv", subsHeader,
        "S1,A1,p,canceled,2024-01-01T00:00:00Z,2024-03-10T00:00:00Z,2024-03-10T00:00:00Z,payment_failed,2024-03-10T00:00:00Z");
    String linesHeader = "line_id,invoice_id,account_id,subscription_id,invoice_status,issued_at,currency,line_type,amount,"
        + "period_start,period_end,updated_at";
    file("billing/invoice_lines", "2024-01-15", "l.csv", linesHeader,
        "L1,I1,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L4,I4,A2,S2,paid,2024-01-15T00:00:00Z,EUR,recurring,1200.00,2024-01-15,2025-01-15,2024-01-15T00:00:00Z",
        "L5,I5,A1,S1,draft,2024-01-15T00:00:00Z,USD,recurring,500.00,2024-01-01,2024-02-01,2024-01-15T00:00:00Z");
    file("billing/invoice_lines", "2024-02-01", "l.csv", linesHeader,
        "L2,I2,A1,S1,paid,2024-02-01T00:00:00Z,USD,recurring,120.00,2024-02-01,2024-03-01,2024-02-01T00:00:00Z",
        // A newer version of L2 with an impossible updated_at: quarantined, so L2 stays at 120.00.
        "L2,I2,A1,S1,paid,2024-02-01T00:00:00Z,USD,recurring,999.00,2024-02-01,2024-03-01,2024-02-30T25:61:00Z",
        "L3,I3,A1,S1,open,2024-03-01T00:00:00Z,USD,recurring,120.00,2024-03-01,2024-04-01,2024-03-01T00:00:00Z");
    file("payments/payment_events", "2024-03-01", "p.jsonl",
        "{\"event_id\":\"E1\",\"account_id\":\"A1\",\"event_type\":\"charge\",\"status\":\"failed\",\"amount\":120.00,"
            + "\"currency\":\"USD\",\"occurred_at\":\"2024-03-01T01:00:00Z\",\"attempt_number\":1}");

    DuckDbPeer peer = DuckDbPeer.open(1, "1GB", landing.resolve("spill"));
    try {
      DuckDbPeer.Timing t = peer.run(landing, LocalDate.parse("2024-03-31"), "USD", 30);
      assertEquals(6, t.rows()); // two accounts x January..March
      List<String> rows = peer.query("SELECT account_id, month, segment, owner, mrr, prev_mrr, mrr_at_prev_rates, movement, "
          + "new_mrr, expansion_mrr, churned_mrr, fx_impact_mrr, churn_type FROM account_mrr_monthly ORDER BY account_id, month");
      assertEquals(List.of(
          // A1 (USD): L1 100.00 for January (31 days = 1 month; the draft L5 does not count): new.
          "A1 | 2024-01-01 | mid_market | unassigned | 100.00 | 0.00 | 100.00 | new | 100.00 | 0.00 | 0.00 | 0.00 | null",
          // February: L2 at 120.00 (its bad newer version is rejected): expansion 120 - 100 = 20.
          "A1 | 2024-02-01 | mid_market | unassigned | 120.00 | 100.00 | 120.00 | expansion | 0.00 | 20.00 | 0.00 | 0.00 | null",
          // March: S1 ended 2024-03-10, before S(March) = 03-31, so L3 covers nothing: churn of 120; the
          // subscription that ended in (02-29, 03-31] says payment_failed: involuntary.
          "A1 | 2024-03-01 | mid_market | unassigned | 0.00 | 120.00 | 0.00 | churn | 0.00 | 0.00 | 120.00 | 0.00 | involuntary",
          // A2 (not in the CRM): annual EUR 1200.00 over 366 days = round(12.02) = 12 months -> 100.00 EUR a month.
          // January at the rate of 01-31 (1.10): 110.00, new; the first month of the data, so c = mrr.
          "A2 | 2024-01-01 | unknown | unassigned | 110.00 | 0.00 | 110.00 | new | 110.00 | 0.00 | 0.00 | 0.00 | null",
          // February at the rate of 02-29 (1.20): 120.00; at January's rate 110.00 = prev: flat, fx impact 10.00.
          "A2 | 2024-02-01 | unknown | unassigned | 120.00 | 110.00 | 110.00 | flat | 0.00 | 0.00 | 0.00 | 10.00 | null",
          // March: 1.20 at both 03-31 and 02-29: 120.00, flat, no fx impact.
          "A2 | 2024-03-01 | unknown | unassigned | 120.00 | 120.00 | 120.00 | flat | 0.00 | 0.00 | 0.00 | 0.00 | null"), rows);
      // Retention, 1 month ending in March: base = both accounts (February 120 + 120 = 240), A1 churned 120:
      // end 120, NRR = GRR = 0.5 in their cohort/segment groups; checked as components.
      assertEquals(List.of("1 | 2024-03-01 | 2024-01-01 | mid_market | 1 | 0 | 120.00 | 0.00 | 0.00 | 120.00 | 0.00",
              "1 | 2024-03-01 | 2024-01-01 | unknown | 1 | 1 | 120.00 | 0.00 | 0.00 | 0.00 | 120.00"),
          peer.query("SELECT window_months, month, cohort_month, segment, start_accounts, retained_accounts, start_mrr, expansion_mrr, "
              + "contraction_mrr, churned_mrr, end_mrr FROM retention WHERE window_months = 1 AND month = date'2024-03-01' "
              + "ORDER BY segment"));
    } finally {
      peer.close();
    }
  }
}
