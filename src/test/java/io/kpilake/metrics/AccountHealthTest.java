package io.kpilake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.kpilake.config.ConfigLoader;
import io.kpilake.config.KpiConfig.HealthSettings;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** kpis.md section 5 on hand-built fixtures: signals, scoring, renormalization, point-in-time snapshots. */
class AccountHealthTest extends RevenueFixtures {
  private static final HealthSettings H = ConfigLoader.load(null, Map.of()).metrics().health();
  private static final String V = ", _valid_from TIMESTAMP, _valid_to TIMESTAMP";

  /** Silver-shaped inputs; add rows to any list and call {@link #health}. */
  private static final class Feeds {
    final List<String> lines = new ArrayList<>();
    final List<String> subs = new ArrayList<>();
    final List<String> accounts = new ArrayList<>();
    final List<String> tickets = new ArrayList<>();
    final List<String> activities = new ArrayList<>();
    final List<String> usage = new ArrayList<>();
    final List<String> payments = new ArrayList<>();
    boolean ticketsFeed = true;

    Feeds copy() {
      Feeds f = new Feeds();
      f.lines.addAll(lines);
      f.subs.addAll(subs);
      f.accounts.addAll(accounts);
      f.tickets.addAll(tickets);
      f.activities.addAll(activities);
      f.usage.addAll(usage);
      f.payments.addAll(payments);
      f.ticketsFeed = ticketsFeed;
      return f;
    }
  }

  private static String[] a(List<String> rows) {
    return rows.toArray(String[]::new);
  }

  /** kpi.account_health exactly as the nightly job composes it (default health model, no FX). */
  static Dataset<Row> health(Feeds f, LocalDate asOf) {
    Dataset<Row> lines = values("line_id STRING, account_id STRING, subscription_id STRING, currency STRING, invoice_status STRING, "
        + "line_type STRING, amount DECIMAL(18,2), period_start DATE, period_end DATE, issued_at TIMESTAMP" + V, a(f.lines));
    Dataset<Row> subs = values("subscription_id STRING, account_id STRING, ended_at TIMESTAMP, cancel_reason STRING" + V, a(f.subs));
    Dataset<Row> accounts = values("account_id STRING, segment STRING, region STRING, owner STRING, renewal_date DATE" + V, a(f.accounts));
    Dataset<Row> tickets = values("ticket_id STRING, account_id STRING, created_at TIMESTAMP, solved_at TIMESTAMP, escalated BOOLEAN, "
        + "csat_score INT" + V, a(f.tickets));
    Dataset<Row> activities = values("activity_id STRING, account_id STRING, contact_role STRING, occurred_at TIMESTAMP", a(f.activities));
    Dataset<Row> usage = values("account_id STRING, usage_date DATE, active_users INT, licensed_seats INT", a(f.usage));
    Dataset<Row> payments = payments(a(f.payments));
    Dataset<Row> base = AccountHealth.base(lines, subs, accounts, fx(rates(), asOf), asOf, 90);
    return AccountHealth.withSignals(new AccountHealth.SignalInputs(usage, tickets, activities, payments, f.ticketsFeed), H, asOf)
        .andThen(AccountHealth.scores(H)).apply(base);
  }

  /** Account A, USD 100 a month from January to March 2024, with every signal present at S = 2024-03-31. */
  private static Feeds accountA() {
    Feeds f = new Feeds();
    f.lines.addAll(List.of(
        "L1,A,SA,USD,paid,recurring,100,2024-01-01,2024-02-01,2024-01-01T00:00:00,2024-01-01T00:00:00,null",
        "L2,A,SA,USD,paid,recurring,100,2024-02-01,2024-03-01,2024-02-01T00:00:00,2024-02-01T00:00:00,null",
        "L3,A,SA,USD,paid,recurring,100,2024-03-01,2024-04-01,2024-03-01T00:00:00,2024-03-01T00:00:00,null"));
    f.subs.add("SA,A,null,null,2024-01-01T00:00:00,null");
    f.accounts.add("A,smb,na,am1,null,2024-01-01T00:00:00,null");
    f.usage.addAll(List.of("A,2024-03-10,30,50", "A,2024-03-20,42,50", "A,2024-02-15,40,50"));
    f.tickets.addAll(List.of(
        "T1,A,2024-03-05T09:00:00,null,true,null,2024-03-05T09:00:00,2024-03-07T10:00:00",
        "T1,A,2024-03-05T09:00:00,2024-03-07T10:00:00,true,4,2024-03-07T10:00:00,null",
        "T2,A,2024-01-15T09:00:00,2024-01-16T09:00:00,false,2,2024-01-16T09:00:00,null"));
    f.activities.addAll(List.of("C1,A,executive,2024-03-10T15:00:00", "C2,A,champion,2024-02-10T15:00:00",
        "C3,A,user,2023-12-01T15:00:00"));
    f.payments.addAll(List.of("P1,A,charge,succeeded,100,USD,2024-03-01T01:00:00", "P2,A,charge,failed,100,USD,2024-02-01T01:00:00",
        "P3,A,charge,succeeded,100,USD,2024-02-04T01:00:00", "P4,A,charge,succeeded,100,USD,2024-03-15T01:00:00",
        "P5,A,charge,succeeded,100,USD,2024-01-01T01:00:00", "P6,A,refund,succeeded,10,USD,2024-03-16T01:00:00"));
    return f;
  }

  @Test
  void everySignalComponentAndTheWeightedScoreWorkedByHand() {
    Dataset<Row> h = health(accountA(), LocalDate.parse("2024-03-31")).filter("snapshot_date = date'2024-03-31'");
    // S = 2024-03-31; S-30 = 03-01, S-60 = 01-31, S-90 = 01-01.
    // usage: utilization (30 + 42) / (50 + 50) = 0.72 -> 100 (0.72 - 0.2) / 0.6 = 86.67;
    //        trend mean(30, 42) / mean(40) - 1 = -0.1 -> 100 (-0.1 + 0.3) / 0.3 = 66.67;  component (86.67 + 66.67) / 2 = 76.67
    // support: tickets T1 (03-05), T2 (01-15) = 2 -> 100 (2 - 10) / (0 - 10) = 80; escalations 1 -> 100 (1 - 3) / -3 = 66.67;
    //          csat of tickets solved in the window (4 + 2) / 2 = 3 -> 100 (3 - 2) / 3 = 33.33;  component 180 / 3 = 60
    // relationship: roles executive (03-10), champion (02-10); 'user' on 2023-12-01 is outside -> 2 -> 66.67;
    //               last touch 03-10 -> 21 days -> 100 (21 - 90) / (14 - 90) = 90.79;  component (66.67 + 90.79) / 2 = 78.73
    // commercial: charges in (01-01, 03-31]: P1 ok, P2 failed, P3 ok, P4 ok (P5 on 01-01 is outside; refunds do not count)
    //             = 3 / 4 -> 100 (0.75 - 0.5) / 0.5 = 50; MRR 100 on S and 100 on S-90 -> change 0 -> 100 (0 + 0.3) / 0.4 = 75;
    //             component 62.5
    // health = (40 x 76.67 + 25 x 60 + 20 x 78.73 + 15 x 62.5) / 100 = 7078.9 / 100 = 70.79 -> green; alert false.
    assertRows(h.select("account_id", "segment", "owner", "mrr", "seat_utilization", "usage_trend", "tickets_90d", "escalations_90d",
            "csat_90d", "roles_engaged_90d", "days_since_last_touch", "payment_success_90d", "mrr_change_90d"),
        "A,smb,am1,100.00,0.72,-0.09999999999999998,2.0,1.0,3.0,2.0,21.0,0.75,0.0");
    assertRows(h.select("usage_score", "support_score", "relationship_score", "commercial_score", "health_score", "bucket", "alert"),
        "76.67,60.0,78.73,62.5,70.79,green,false");
  }

  @Test
  void aSnapshotUsesOnlyWhatWasKnownAtItsDay() {
    LocalDate asOf = LocalDate.parse("2024-03-31");
    Feeds known = accountA();
    Feeds later = known.copy();
    // After S = 2024-02-29: a ticket and an activity, a CRM change of segment and owner, a cancellation recorded on
    // 03-05 that backdates the end of service to 02-15, the February line voided on 03-02, a failed charge.
    later.tickets.add("T9,A,2024-03-01T08:00:00,null,true,null,2024-03-01T08:00:00,null");
    later.activities.add("C9,A,executive,2024-03-02T08:00:00");
    later.accounts.set(0, "A,smb,na,am1,null,2024-01-01T00:00:00,2024-03-03T00:00:00");
    later.accounts.add("A,enterprise,na,am9,null,2024-03-03T00:00:00,null");
    later.subs.set(0, "SA,A,null,null,2024-01-01T00:00:00,2024-03-05T00:00:00");
    later.subs.add("SA,A,2024-02-15T00:00:00,customer_request,2024-03-05T00:00:00,null");
    later.lines.set(1, "L2,A,SA,USD,paid,recurring,100,2024-02-01,2024-03-01,2024-02-01T00:00:00,2024-02-01T00:00:00,2024-03-02T00:00:00");
    later.lines.add("L2,A,SA,USD,void,recurring,100,2024-02-01,2024-03-01,2024-02-01T00:00:00,2024-03-02T00:00:00,null");
    later.payments.add("P9,A,charge,failed,100,USD,2024-03-01T02:00:00");

    String feb = "snapshot_date = date'2024-02-29'";
    List<String> before = rows(health(known, asOf).filter(feb));
    List<String> after = rows(health(later, asOf).filter(feb));
    assertEquals(1, before.size());
    assertEquals(before, after);
    // ...while the March snapshot, which knows all of it, sees the account as ended in February: not active, no row.
    assertEquals(0, health(later, asOf).filter("snapshot_date = date'2024-03-31'").count());
    assertNotEquals(0, health(known, asOf).filter("snapshot_date = date'2024-03-31'").count());
  }

  @Test
  void absentFeedsLeaveTheirComponentsNullAndTheWeightsRenormalize() {
    Feeds f = accountA();
    f.usage.clear();
    f.tickets.clear();
    f.ticketsFeed = false;
    Dataset<Row> h = health(f, LocalDate.parse("2024-03-31")).filter("snapshot_date = date'2024-03-31'");
    // usage and support are null; health = (20 x 78.73 + 15 x 62.5) / (20 + 15) = 2512.1 / 35 = 71.77
    assertRows(h.select("tickets_90d", "usage_score", "support_score", "relationship_score", "commercial_score", "health_score", "bucket"),
        "null,null,null,78.73,62.5,71.77,green");
  }

  @Test
  void pointInTimeMrrAtSAndNinetyDaysEarlierFromOneExpansion() {
    LocalDate asOf = LocalDate.parse("2024-04-30");
    Dataset<Row> lines = values("line_id STRING, account_id STRING, subscription_id STRING, currency STRING, invoice_status STRING, "
            + "line_type STRING, amount DECIMAL(18,2), period_start DATE, period_end DATE, issued_at TIMESTAMP" + V,
        "L1,A,SA,USD,paid,recurring,100,2024-01-01,2024-02-01,2024-01-01T00:00:00,2024-01-01T00:00:00,null",
        "L2,A,SB,USD,paid,recurring,100,2024-03-01,2024-05-01,2024-03-01T00:00:00,2024-03-01T00:00:00,null",
        "L3,A,SB,USD,paid,recurring,30,2024-04-01,2024-05-01,2024-04-20T00:00:00,2024-04-20T00:00:00,null");
    // SA's end on 01-15 is recorded on 03-05: snapshots from then on see it.
    Dataset<Row> subs = values("subscription_id STRING, account_id STRING, ended_at TIMESTAMP, cancel_reason STRING" + V,
        "SA,A,null,null,2024-01-01T00:00:00,2024-03-05T00:00:00",
        "SA,A,2024-01-15T00:00:00,customer_request,2024-03-05T00:00:00,null");
    // L1 31 days -> 1 month, 100; L2 61 days -> round(61 / 30.4375) = 2 months, 50 a month; L3 30 days, 30.
    // S = 01-31: L1 covers S -> 100; S - 90 = 2023-11-02, nothing -> null.
    // S = 02-29: no line covers S -> no row.
    // S = 03-31: L2 -> 50; S - 90 = 01-01: L1 (its end 01-15 is known, 01-01 is before it) -> 100.
    // S = 04-30: L2 + L3 (issued 04-20, before S) -> 80; S - 90 = 01-31: L1 ended 01-15 as known at S -> no line, null.
    assertRows(io.kpilake.model.PointInTimeMrr.mrrNowAndBefore(subs, fx(rates(), asOf), asOf, 90).apply(lines)
            .select("account_id", "snapshot_date", "mrr", "_mrr_before"),
        "A,2024-01-31,100.00,null", "A,2024-03-31,50.00,100.00", "A,2024-04-30,80.00,null");
  }

  @Test
  void supportSignalsCountEachWindowFromOneExpansion() {
    // T1 is created 01-01 and solved 04-15 (csat 5; the solved version is known from 04-15); T2 is
    // created 02-10, escalated, never solved. 90-day windows (S - 90, S]; snapshots are month ends.
    Dataset<Row> tickets = values("ticket_id STRING, account_id STRING, created_at TIMESTAMP, solved_at TIMESTAMP, escalated BOOLEAN, "
            + "csat_score INT" + V,
        "T1,A,2024-01-01T09:00:00,null,false,null,2024-01-01T09:00:00,2024-04-15T10:00:00",
        "T1,A,2024-01-01T09:00:00,2024-04-15T10:00:00,false,5,2024-04-15T10:00:00,null",
        "T2,A,2024-02-10T09:00:00,null,true,null,2024-02-10T09:00:00,null");
    // 01-31: T1 created in (11-02, 01-31] -> 1 ticket.  02-29: T1, T2 -> 2, T2 escalated.
    // 03-31: window (01-01, 03-31] holds T2 only (T1's 01-01 is its open end) -> 1, 1 escalation.
    // 04-30: window (01-31, 04-30] holds T2's creation and T1's solving (05-01 > 04-15 10:00, so the
    //        solved version is the one known) -> 1 ticket, 1 escalation, csat 5.0.
    assertRows(HealthSignals.support(H, LocalDate.parse("2024-04-30")).apply(tickets)
            .select("account_id", "snapshot_date", "tickets_90d", "escalations_90d", "csat_90d"),
        "A,2024-01-31,1,0,null", "A,2024-02-29,2,1,null", "A,2024-03-31,1,1,null", "A,2024-04-30,1,1,5.0");
  }

  @Test
  void rolesAreCountedAsBitsAndOneOutsideTheContractStopsTheRun() {
    // Window (01-01, 03-31]: executive twice (two months), champion, a null role, and user on 01-01 (its open end) -> 2 roles.
    Dataset<Row> activities = values("activity_id STRING, account_id STRING, contact_role STRING, occurred_at TIMESTAMP, _is_current BOOLEAN",
        "C1,A,executive,2024-02-10T15:00:00,true", "C2,A,executive,2024-03-10T15:00:00,true", "C3,A,champion,2024-03-12T15:00:00,true",
        "C4,A,null,2024-03-13T15:00:00,true", "C5,A,user,2024-01-01T15:00:00,true");
    assertRows(HealthSignals.rolesEngaged(H, LocalDate.parse("2024-03-31")).apply(activities)
            .filter("snapshot_date = date'2024-03-31'").select("account_id", "roles_engaged_90d"),
        "A,2");
    Dataset<Row> unknown = values("activity_id STRING, account_id STRING, contact_role STRING, occurred_at TIMESTAMP, _is_current BOOLEAN",
        "C9,A,cfo,2024-03-10T15:00:00,true");
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> HealthSignals.rolesEngaged(H, LocalDate.parse("2024-03-31")).apply(unknown).collectAsList());
    String messages = "";
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages += t.getMessage() + "\n";
    }
    org.junit.jupiter.api.Assertions.assertTrue(messages.contains("contact_role outside the contract: cfo"), messages);
  }

  /** Rows "account_id, month, seat_utilization, usage_trend, tickets_90d, escalations_90d, csat_90d, roles, days, payment, mrr_change". */
  private static Dataset<Row> signals(String... rows) {
    return values("account_id STRING, month DATE, seat_utilization DOUBLE, usage_trend DOUBLE, tickets_90d DOUBLE, escalations_90d DOUBLE, "
        + "csat_90d DOUBLE, roles_engaged_90d DOUBLE, days_since_last_touch DOUBLE, payment_success_90d DOUBLE, mrr_change_90d DOUBLE", rows)
        .withColumn("snapshot_date", org.apache.spark.sql.functions.expr("last_day(month)"));
  }

  @Test
  void bucketsChangeAndAlertsFollowTheRoundedScore() {
    Dataset<Row> s = signals(
        // U: no signal at all -> every component null -> unknown, no alert.
        "U,2024-01-01,null,null,null,null,null,null,null,null,null",
        // N: usage null; support (0 tickets, 0 escalations) 100; relationship 100; commercial 100 -> 100, green.
        "N,2024-02-01,null,null,0,0,null,3,14,1.0,null",
        // R: every signal at its bad value -> 0, red, alert; then at the midpoint -> 50, yellow, change +50, alert (< 60).
        "R,2024-01-01,0.2,-0.3,10,3,2,0,90,0.5,-0.3",
        "R,2024-02-01,0.5,-0.15,5,1.5,3.5,1.5,52,0.75,-0.1",
        // G: usage and support at 80 -> 80, green; then at 64 -> 64, yellow, change -16 -> alert by the drop alone.
        "G,2024-01-01,0.68,null,2,null,null,null,null,null,null",
        "G,2024-02-01,0.584,null,3.6,null,null,null,null,null,null",
        // K: January and March, no February: the March change is null.
        "K,2024-01-01,0.8,null,null,null,null,null,null,null,null",
        "K,2024-03-01,0.8,null,null,null,null,null,null,null,null");
    assertRows(AccountHealth.scores(H).apply(s).select("account_id", "month", "health_score", "bucket", "score_change_1m", "alert"),
        "U,2024-01-01,null,unknown,null,false",
        "N,2024-02-01,100.0,green,null,false",
        "R,2024-01-01,0.0,red,null,true",
        "R,2024-02-01,50.0,yellow,50.0,true",
        "G,2024-01-01,80.0,green,null,false",
        "G,2024-02-01,64.0,yellow,-16.0,true",
        "K,2024-01-01,100.0,green,null,false",
        "K,2024-03-01,100.0,green,null,false");
  }

  @Test
  void signalsAboveGoodOrBelowBadAreClampedAndBadAboveGoodWorks() {
    // tickets: bad 10 > good 0: 25 tickets -> clamp(100 (25 - 10) / -10) = 0; seat utilization 1.5 -> clamp(216.67) = 100.
    Dataset<Row> s = signals("X,2024-01-01,1.5,null,25,null,null,null,null,null,null");
    assertRows(AccountHealth.scores(H).apply(s).select("seat_utilization_score", "tickets_90d_score", "usage_score", "support_score",
        "health_score"), "100.0,0.0,100.0,0.0,61.54");
    // health = (40 x 100 + 25 x 0) / 65 = 61.538 -> 61.54
    assertEquals(List.of("seat_utilization", "usage_trend"), H.components().get(0).signals());
    assertEquals(Arrays.asList(40.0, 25.0, 20.0, 15.0), H.components().stream().map(c -> c.weight()).toList());
  }
}
