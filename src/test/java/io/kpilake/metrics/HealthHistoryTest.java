package io.kpilake.metrics;

import io.kpilake.SparkTestBase;
import io.kpilake.contract.FeedSpec;
import io.kpilake.contract.Feeds;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Which silver changes since a publication reach the published health history ({@link HealthHistory#changes}).
 * The publication: as of P = 2024-03-30, recorded at 2024-03-30 12:00. "old" rows were ingested
 * before it (06:00), "new" rows after it (2024-03-31 01:00).
 */
class HealthHistoryTest extends SparkTestBase {
  private static final java.sql.Timestamp PUBLISHED_AT = java.sql.Timestamp.valueOf("2024-03-30 12:00:00");
  private static final LocalDate P = LocalDate.parse("2024-03-30");
  private static final String OLD = "TIMESTAMP'2024-03-30 06:00:00'";
  private static final String NEW = "TIMESTAMP'2024-03-31 01:00:00'";

  private static Dataset<Row> table(String columns, String... rows) {
    return spark().sql("SELECT * FROM VALUES " + String.join(", ", rows) + " AS t(" + columns + ")");
  }

  /** Every feed with one old row of an account nothing else mentions (a0), and the FX rates of EUR up to P. */
  private static Map<FeedSpec, Dataset<Row>> quiet() {
    Map<FeedSpec, Dataset<Row>> s = new HashMap<>();
    String pit = "account_id, _valid_from, _ingested_at";
    s.put(Feeds.ACCOUNTS, table(pit, "('a0', TIMESTAMP'2024-01-01 00:00:00', " + OLD + ")"));
    s.put(Feeds.SUBSCRIPTIONS, table("subscription_id, " + pit, "('s0', 'a0', TIMESTAMP'2024-01-01 00:00:00', " + OLD + ")"));
    s.put(Feeds.INVOICE_LINES, table("line_id, " + pit, "('l0', 'a0', TIMESTAMP'2024-01-01 00:00:00', " + OLD + ")"));
    s.put(Feeds.TICKETS, table("ticket_id, " + pit, "('t0', 'a0', TIMESTAMP'2024-01-01 00:00:00', " + OLD + ")"));
    s.put(Feeds.ACTIVITIES, table("activity_id, account_id, occurred_at, _ingested_at", "('c0', 'a0', TIMESTAMP'2024-01-01 00:00:00', " + OLD + ")"));
    s.put(Feeds.PAYMENT_EVENTS, table("event_id, account_id, occurred_at, _ingested_at", "('e0', 'a0', TIMESTAMP'2024-01-01 00:00:00', " + OLD + ")"));
    s.put(Feeds.USAGE_DAILY, table("account_id, usage_date, _ingested_at", "('a0', DATE'2024-01-01', " + OLD + ")"));
    s.put(Feeds.FX_RATES, table("rate_date, currency, _ingested_at", "(DATE'2024-03-29', 'EUR', " + OLD + ")"));
    return s;
  }

  private static Dataset<Row> changes(Map<FeedSpec, Dataset<Row>> silver) {
    return HealthHistory.changes(silver::get, PUBLISHED_AT, P);
  }

  @Test
  void aNightBuildsOnAPublicationOfTheSameSqlModelsOnly() {
    // kpi.inputs as KpiJob.inputsFingerprint writes it: the models' hash between ";models=" and the next ";".
    String hash = io.kpilake.model.SqlModel.hashAll();
    org.junit.jupiter.api.Assertions.assertTrue(KpiJob.sameModels("as_of=2024-03-31;policy=p;models=" + hash + ";invoice_lines=3"));
    org.junit.jupiter.api.Assertions.assertFalse(KpiJob.sameModels("as_of=2024-03-31;policy=p;models=0123456789abcdef;invoice_lines=3"));
    // A table published before the models' hash was recorded, or without inputs at all.
    org.junit.jupiter.api.Assertions.assertFalse(KpiJob.sameModels("as_of=2024-03-31;policy=p;invoice_lines=3"));
    org.junit.jupiter.api.Assertions.assertFalse(KpiJob.sameModels(null));
  }

  @Test
  void changesReachTheHistoryOfTheirAccountsOnly() {
    Map<FeedSpec, Dataset<Row>> s = quiet();
    String pit = "account_id, _valid_from, _ingested_at";
    // CRM: a1's correction is valid from Feb 10 (<= P): reaches. a2's new version is valid from Mar 31 (> P): the
    // version before it stays in force at every snapshot up to P.
    s.put(Feeds.ACCOUNTS, table(pit, "('a1', TIMESTAMP'2024-02-10 12:00:00', " + NEW + ")",
        "('a2', TIMESTAMP'2024-03-31 08:00:00', " + NEW + ")", "('a3', TIMESTAMP'2024-01-01 00:00:00', " + OLD + ")"));
    // Line l1 moves from a4 to a5 with a version valid from Mar 15 (<= P): both accounts' history changes.
    // Line l2 (a6) is valid from Mar 31: no.
    s.put(Feeds.INVOICE_LINES, table("line_id, " + pit, "('l1', 'a4', TIMESTAMP'2024-01-01 00:00:00', " + OLD + ")",
        "('l1', 'a5', TIMESTAMP'2024-03-15 00:00:00', " + NEW + ")", "('l2', 'a6', TIMESTAMP'2024-03-31 00:00:00', " + NEW + ")"));
    // Tickets: t8's first version valid from Mar 31 does not reach; the feed existed before (t0).
    s.put(Feeds.TICKETS, table("ticket_id, " + pit, "('t0', 'a0', TIMESTAMP'2024-01-01 00:00:00', " + OLD + ")",
        "('t8', 'a8', TIMESTAMP'2024-03-31 09:00:00', " + NEW + ")"));
    // Activities (current state): c9 happened Mar 20 (<= P): a9. c10 happened Mar 31: no. c11 moved from
    // Mar 1 to Mar 31: its old day disappears from the history: a11.
    s.put(Feeds.ACTIVITIES, table("activity_id, account_id, occurred_at, _ingested_at",
        "('c9', 'a9', TIMESTAMP'2024-03-20 10:00:00', " + NEW + ")", "('c10', 'a10', TIMESTAMP'2024-03-31 10:00:00', " + NEW + ")",
        "('c11', 'a11', TIMESTAMP'2024-03-01 10:00:00', " + OLD + ")", "('c11', 'a11', TIMESTAMP'2024-03-31 10:00:00', " + NEW + ")"));
    // A payment of Mar 31: no.
    s.put(Feeds.PAYMENT_EVENTS, table("event_id, account_id, occurred_at, _ingested_at",
        "('e12', 'a12', TIMESTAMP'2024-03-31 10:00:00', " + NEW + ")"));
    // Usage: a late day (Mar 29) reaches a13; the night's own day (Mar 31) does not reach a14's history.
    s.put(Feeds.USAGE_DAILY, table("account_id, usage_date, _ingested_at",
        "('a13', DATE'2024-03-29', " + NEW + ")", "('a14', DATE'2024-03-31', " + NEW + ")"));
    // The night's EUR rate (Mar 31) only prices snapshots after P.
    s.put(Feeds.FX_RATES, table("rate_date, currency, _ingested_at", "(DATE'2024-03-29', 'EUR', " + OLD + ")",
        "(DATE'2024-03-31', 'EUR', " + NEW + ")"));
    assertRows(changes(s), "account,a1", "account,a4", "account,a5", "account,a9", "account,a11", "account,a13");
  }

  @Test
  void ratesUpToThePublishedDayAndNewCurrenciesAndANewTicketsFeedReachEveryone() {
    Map<FeedSpec, Dataset<Row>> s = quiet();
    assertRows(changes(s));
    // A corrected EUR rate of Mar 29 (<= P) reprices every snapshot from then on.
    s.put(Feeds.FX_RATES, table("rate_date, currency, _ingested_at", "(DATE'2024-03-29', 'EUR', " + OLD + ")",
        "(DATE'2024-03-29', 'EUR', " + NEW + ")"));
    assertRows(changes(s), "fx,null");
    // GBP's first rate ever (Mar 31): GBP amounts were left out before and are priced at that first rate now.
    s.put(Feeds.FX_RATES, table("rate_date, currency, _ingested_at", "(DATE'2024-03-29', 'EUR', " + OLD + ")",
        "(DATE'2024-03-31', 'GBP', " + NEW + ")"));
    assertRows(changes(s), "fx,null");
    // Tickets where there were none: every snapshot's ticket counts become 0 instead of null.
    s = quiet();
    s.put(Feeds.TICKETS, table("ticket_id, account_id, _valid_from, _ingested_at", "('t1', 'a1', TIMESTAMP'2024-03-31 09:00:00', " + NEW + ")"));
    assertRows(changes(s), "tickets,null");
  }

  /**
   * What a night that keeps the history reads of it (publication as of P = 2024-03-30; a1 affected).
   * Kept scores: a0's month ends Dec 31, Jan 31 and Feb 29. A computed snapshot of a0 comes after P
   * (month Mar or later), so it compares with Feb at the earliest (score_change_1m: the month
   * before); Dec and Jan can meet nothing: only Feb's score (month 2024-02-01) is read.
   * Recent rows for the roles engaged (a 90-day window): days after P - 90 days, or of an affected
   * account. P - 90 = 2023-12-31 (Mar 30 - 30 days = Feb 29, - 29 = Jan 31, - 31 = Dec 31).
   * a0: Dec 15 no, Dec 31 no (not after), Jan 1 yes; a1: Dec 15 yes (affected).
   */
  @Test
  void aNightReadsOnlyTheKeptScoresAndActivitiesItsComputedSnapshotsCanMeet() {
    Dataset<Row> kept = table("account_id, snapshot_date, health_score",
        "('a0', DATE'2023-12-31', 50.0D)", "('a0', DATE'2024-01-31', 60.0D)", "('a0', DATE'2024-02-29', 70.0D)");
    HealthHistory.Reuse reuse = new HealthHistory.Reuse(P, java.util.List.of("a1"), kept, 0L);
    assertRows(reuse.keptScores(), "a0,2024-02-01,70.0");
    Dataset<Row> activities = table("activity_id, account_id, occurred_at",
        "('c1', 'a0', TIMESTAMP'2023-12-15 10:00:00')", "('c2', 'a0', TIMESTAMP'2023-12-31 23:00:00')",
        "('c3', 'a0', TIMESTAMP'2024-01-01 00:30:00')", "('c4', 'a1', TIMESTAMP'2023-12-15 10:00:00')");
    assertRows(reuse.recent(activities, "to_date(occurred_at)", 90).select("activity_id"), "c3", "c4");
  }

  /**
   * How a night publishes its health table: the published table (as of P, version 7) holds the
   * month ends up to P and P itself. As of P = 2024-03-30 (not a month end), the night replaces
   * the rows from P on (P's own snapshot goes) with its computed snapshots (after P: 2024-03-31);
   * as of P = 2024-03-31 (a month end, kept), from the day after P. With an affected account, whose
   * rows are in every file, the table is replaced whole (null).
   */
  @Test
  void aNightReplacesThePublishedRowsFromPOnOnlyWhenNoAccountIsAffected() {
    Dataset<Row> health = table("account_id, snapshot_date",
        "('a0', DATE'2024-02-29')", "('a0', DATE'2024-03-31')", "('a1', DATE'2024-02-29')", "('a1', DATE'2024-03-31')");
    Dataset<Row> none = health.limit(0);
    io.kpilake.publish.Publisher.Replacement r = new HealthHistory.Reuse(P, java.util.List.of(), none, 7L).replacement(health);
    org.junit.jupiter.api.Assertions.assertEquals("snapshot_date >= DATE'2024-03-30'", r.condition());
    org.junit.jupiter.api.Assertions.assertEquals(7L, r.basedOn());
    assertRows(r.rows(), "a0,2024-03-31", "a1,2024-03-31");

    LocalDate monthEnd = LocalDate.parse("2024-02-29");
    org.junit.jupiter.api.Assertions.assertEquals("snapshot_date >= DATE'2024-03-01'",
        new HealthHistory.Reuse(monthEnd, java.util.List.of(), none, 7L).replacement(health).condition());
    org.junit.jupiter.api.Assertions.assertNull(new HealthHistory.Reuse(P, java.util.List.of("a1"), none, 7L).replacement(health));
  }
}
