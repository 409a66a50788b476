package io.kpilake.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.contract.FeedSpec;
import io.kpilake.contract.Feeds;
import io.kpilake.NightlyJob;
import io.kpilake.SparkTestBase;
import io.kpilake.config.KpiConfig;
import io.kpilake.ops.QualityGateFailure;
import io.kpilake.spark.Warehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Landing files through NightlyJob's ingest into bronze, silver, quarantine and the ledger. */
class IngestTest extends SparkTestBase {
  private static final LocalDate AS_OF = LocalDate.parse("2024-01-31");
  private static final String ACC_H = "account_id,account_name,billing_email,segment,region,industry,owner,created_at,renewal_date,updated_at";
  private static final String LINE_H = "line_id,invoice_id,account_id,subscription_id,invoice_status,issued_at,currency,line_type,amount,period_start,period_end,updated_at";

  private KpiConfig lenient() {
    KpiConfig c = config();
    return c.withQuality(c.quality().with(new KpiConfig.Gate(KpiConfig.QualitySettings.QUARANTINE_RATE, KpiConfig.GateLevel.ERROR, 1.0)));
  }

  private Warehouse warehouse(KpiConfig c) {
    Warehouse wh = new Warehouse(spark(), c.warehousePath());
    io.kpilake.publish.PublishedCatalog.registerAll(wh);
    return wh;
  }

  private NightlyJob.Result nightly(KpiConfig c) {
    // Ingest and its gates only: the KPIs have their own tests.
    return new NightlyJob(warehouse(c), c).ingestOnly().run(AS_OF);
  }

  private Dataset<Row> sql(String q) {
    return spark().sql(q);
  }

  private IngestJob.FeedResult result(NightlyJob.Result r, FeedSpec feed) {
    return r.ingested().stream().filter(f -> f.feed().equals(feed)).findFirst().orElseThrow();
  }

  /** Writes rows to a single Parquet file at the landing path (Spark writes a folder; we keep its part file). */
  private void deliverParquet(String feed, String dt, String name, Dataset<Row> rows) throws IOException {
    Path dir = tmp.resolve("parquet-" + name);
    rows.coalesce(1).write().parquet(dir.toString());
    Path part;
    try (Stream<Path> s = Files.list(dir)) {
      part = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Path target = landing().resolve(feed).resolve("dt=" + dt).resolve(name);
    Files.createDirectories(target.getParent());
    Files.copy(part, target);
  }

  @Test
  void everyFeedIngestsFromCsvJsonAndParquet() throws IOException {
    deliver("crm/accounts", "2024-01-01", "a.csv", ACC_H,
        "A1,\"Acme, Inc.\",ap@acme.test,Mid Market,emea,retail,,2024-01-01T09:00:00Z,2025-01-01,2024-01-01T09:00:00Z");
    deliver("crm/accounts", "2024-01-02", "b.jsonl",
        "{\"account_id\":\"A2\",\"segment\":\"ENTERPRISE\",\"owner\":\"kim\",\"updated_at\":\"2024-01-02T10:00:00+02:00\"}");
    deliverParquet("crm/accounts", "2024-01-03", "c.parquet", sql(
        "SELECT 'A3' AS account_id, CAST(NULL AS STRING) AS segment, timestamp'2024-01-03 08:00:00' AS updated_at"));
    deliver("crm/activities", "2024-01-05", "x.json",
        "{\"activity_id\":\"C1\",\"account_id\":\"A1\",\"activity_type\":\"QBR\",\"contact_role\":\"executive\",\"occurred_at\":\"2024-01-05T10:00:00Z\"}");
    deliver("billing/subscriptions", "2024-01-01", "s.csv",
        "subscription_id,account_id,plan_id,status,started_at,canceled_at,ended_at,cancel_reason,updated_at",
        "S1,A1,pro,active,2024-01-01T00:00:00Z,,,,2024-01-01T00:00:00Z");
    deliver("billing/invoice_lines", "2024-01-01", "l.csv", LINE_H,
        "L1,I1,A1,S1,paid,2024-01-01T00:00:00Z,eur,recurring,1200.50,2024-01-01,2025-01-01,2024-01-01T00:00:00Z");
    deliver("payments/payment_events", "2024-01-01", "p.jsonl",
        "{\"event_id\":\"E1\",\"account_id\":\"A1\",\"invoice_id\":\"I1\",\"event_type\":\"charge\",\"status\":\"succeeded\","
            + "\"amount\":1200.5,\"currency\":\"EUR\",\"occurred_at\":\"2024-01-01T01:00:00Z\",\"processor\":\"adyen\",\"attempt_number\":1}");
    deliver("support/tickets", "2024-01-04", "t.json",
        "{\"ticket_id\":\"T1\",\"account_id\":\"A1\",\"created_at\":\"2024-01-04T10:00:00Z\",\"priority\":\"high\","
            + "\"escalated\":true,\"csat_score\":4,\"updated_at\":\"2024-01-04T12:00:00Z\"}");
    deliverParquet("usage/usage_daily", "2024-01-05", "u.parquet", sql(
        "SELECT 'A1' AS account_id, date'2024-01-05' AS usage_date, 12 AS active_users, 20 AS licensed_seats"));
    deliver("fx/rates", "2024-01-01", "r.csv", "rate_date,currency,rate_to_reporting", "2024-01-01,EUR,1.10456789");

    NightlyJob.Result r = nightly(config());

    for (FeedSpec f : Feeds.ALL) {
      IngestJob.FeedResult fr = result(r, f);
      assertEquals(0, fr.quarantined(), f.name());
      assertTrue(fr.accepted() >= 1, f.name());
    }
    // Segment normalized to lower snake case, missing -> unknown; owner missing -> unassigned;
    // the +02:00 offset converted to UTC; Parquet timestamps read as written.
    assertRows(sql("SELECT account_id, segment, owner, updated_at FROM silver.accounts WHERE _is_current"),
        "A1,mid_market,unassigned,2024-01-01 09:00:00.0",
        "A2,enterprise,kim,2024-01-02 08:00:00.0",
        "A3,unknown,unassigned,2024-01-03 08:00:00.0");
    assertRows(sql("SELECT account_name, renewal_date FROM silver.accounts WHERE account_id = 'A1'"), "Acme, Inc.,2025-01-01");
    assertRows(sql("SELECT activity_type, contact_role FROM silver.activities"), "qbr,executive");
    assertRows(sql("SELECT currency, amount, period_start, period_end FROM silver.invoice_lines"), "EUR,1200.50,2024-01-01,2025-01-01");
    assertRows(sql("SELECT amount, attempt_number FROM silver.payment_events"), "1200.50,1");
    assertRows(sql("SELECT escalated, csat_score FROM silver.tickets"), "true,4");
    assertRows(sql("SELECT usage_date, active_users, licensed_seats FROM silver.usage_daily"), "2024-01-05,12,20");
    assertRows(sql("SELECT rate_to_reporting FROM silver.fx_rates"), "1.10456789");
    // Bronze keeps the raw record and every field, with file and row.
    assertRows(sql("SELECT row_number, record['billing_email'] FROM bronze.accounts WHERE record['account_id'] = 'A1'"),
        "1,ap@acme.test");
  }

  @Test
  void latestUpdatedAtWinsTiesGoToLaterFileThenLaterRowAndHistoryIsKept() {
    deliver("crm/accounts", "2024-01-01", "a.csv", ACC_H,
        "A1,,,smb,,,,,,2024-01-01T00:00:00Z",
        "A1,,,Mid Market,,,,,,2024-01-05T00:00:00Z",
        "A2,,,smb,,,,,,2024-01-03T00:00:00Z",
        "A2,,,mid_market,,,,,,2024-01-03T00:00:00Z");
    deliver("crm/accounts", "2024-01-02", "b.csv", ACC_H,
        "A1,,,enterprise,,,,,,2024-01-05T00:00:00Z");
    nightly(config());
    // A1: the 01-05 versions tie; b.csv is the later file, so enterprise is current.
    // A2: both rows tie in one file; the later row (mid_market) wins.
    assertRows(sql("SELECT account_id, segment FROM silver.accounts WHERE _is_current"), "A1,enterprise", "A2,mid_market");
    // History, ordered by updated_at, file, row: smb [01-01, 01-05), mid_market [01-05, 01-05), enterprise [01-05, -).
    assertRows(sql("SELECT segment, _valid_from, _valid_to FROM silver.accounts WHERE account_id = 'A1'"),
        "smb,2024-01-01 00:00:00.0,2024-01-05 00:00:00.0",
        "mid_market,2024-01-05 00:00:00.0,2024-01-05 00:00:00.0",
        "enterprise,2024-01-05 00:00:00.0,null");
    // As-of read: the state on 2024-01-03 12:00 is the smb version.
    assertRows(sql("SELECT account_id, segment FROM silver.accounts WHERE _valid_from <= timestamp'2024-01-03 12:00:00' "
        + "AND (_valid_to IS NULL OR _valid_to > timestamp'2024-01-03 12:00:00')"), "A1,smb", "A2,mid_market");
  }

  @Test
  void lateCorrectionWithAnOldUpdatedAtBecomesHistoryNotCurrent() {
    deliver("crm/accounts", "2024-01-10", "a.csv", ACC_H, "A1,,,smb,,,,,,2024-01-10T00:00:00Z");
    nightly(config());
    deliver("crm/accounts", "2024-01-20", "late.csv", ACC_H, "A1,,,enterprise,,,,,,2024-01-05T00:00:00Z");
    nightly(config());
    assertRows(sql("SELECT segment, _valid_from, _valid_to, _is_current FROM silver.accounts"),
        "enterprise,2024-01-05 00:00:00.0,2024-01-10 00:00:00.0,false",
        "smb,2024-01-10 00:00:00.0,null,true");
  }

  @Test
  void badRecordsAreQuarantinedWithFileRowAndReasonAndEveryFileReconciles() {
    Path f = deliver("billing/invoice_lines", "2024-01-01", "lines.csv", LINE_H,
        "L1,I1,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L2,I2,A1,S1,paid,2024-02-30T10:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L3,I3,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,12.3O,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L4,I4,A1,S1,actve,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        ",I5,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L6,I6,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,,2024-01-01T00:00:00Z",
        "L7,I7,A1,S1,paid,2024-01-01T00:00:00Z,usd1,one_time,5.00,,,2024-01-01T00:00:00Z",
        "L1,I1,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L9,I9,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01");
    NightlyJob.Result r = nightly(lenient());
    String file = f.toUri().toString().replace("file:///", "file:/");
    assertRows(sql("SELECT file, row_number, reason FROM ops.quarantine"),
        file + ",2,issued_at: not an ISO-8601 timestamp: '2024-02-30T10:00:00Z'",
        file + ",3,amount: not a decimal number: '12.3O'",
        file + ",4,invoice_status: not one of draft, open, paid, uncollectible, void: 'actve'",
        file + ",5,line_id: required value missing",
        file + ",6,period_end: required for recurring lines",
        file + ",7,currency: not an ISO 4217 code: 'USD1'",
        file + ",9,expected 12 fields (as in the header), found 10");
    assertRows(sql("SELECT raw_record FROM ops.quarantine WHERE row_number = 3"),
        "L3,I3,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,12.3O,2024-01-01,2024-02-01,2024-01-01T00:00:00Z");
    // 9 rows read = 1 accepted (L1) + 7 quarantined + 1 duplicate (the second L1).
    assertRows(sql("SELECT rows_read, rows_accepted, rows_quarantined, rows_duplicate FROM ops.ingested_files"), "9,1,7,1");
    IngestJob.FeedResult lines = result(r, Feeds.INVOICE_LINES);
    assertEquals(List.of(9L, 1L, 7L, 1L), List.of(lines.read(), lines.accepted(), lines.quarantined(), lines.duplicate()));
    assertRows(sql("SELECT step, status, rows_in, rows_out, rows_quarantined FROM ops.pipeline_runs WHERE step LIKE '%invoice%'"),
        "ingest billing/invoice_lines,succeeded,9,1,7");
  }

  @Test
  void quarantineRateAboveTheThresholdFailsTheGate() {
    deliver("fx/rates", "2024-01-01", "r.csv", "rate_date,currency,rate_to_reporting", "2024-01-01,EUR,1.1", "2024-01-02,EUR,abc");
    // 1 of 2 rows quarantined = 50% > the default 5%.
    QualityGateFailure e = assertThrows(QualityGateFailure.class, () -> nightly(config()));
    assertEquals("fx/rates: 50.0% of the rows read were quarantined (1 of 2), above kpi.quality.gates.quarantine-rate.max = 5.0%",
        e.getMessage());
    assertRows(sql("SELECT status FROM ops.pipeline_runs WHERE step = 'quality gates'"), "failed");
  }

  @Test
  void truncatedOrColumnlessFilesAreRefusedWholeAndNotLedgered() throws IOException {
    deliver("crm/accounts", "2024-01-01", "good.csv", ACC_H, "A1,,,smb,,,,,,2024-01-01T00:00:00Z");
    deliver("billing/subscriptions", "2024-01-01", "nocol.csv", "subscription_id,account_id", "S1,A1");
    deliverParquet("usage/usage_daily", "2024-01-02", "u.parquet", sql(
        "SELECT 'A1' AS account_id, date'2024-01-05' AS usage_date, 12 AS active_users, 20 AS licensed_seats"));
    Path parquet = landing().resolve("usage/usage_daily/dt=2024-01-02/u.parquet");
    byte[] bytes = Files.readAllBytes(parquet);
    Files.write(parquet, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    QualityGateFailure e = assertThrows(QualityGateFailure.class, () -> nightly(config()));
    assertTrue(e.getMessage().startsWith("2 landing file(s) refused, nothing published: "), e.getMessage());
    assertRows(sql("SELECT step, status FROM ops.pipeline_runs WHERE status <> 'succeeded'"),
        "ingest billing/subscriptions,refused", "ingest usage/usage_daily,refused", "nightly,failed");
    String msgs = String.join("\n", rows(sql("SELECT message FROM ops.pipeline_runs WHERE status = 'refused'")));
    assertTrue(msgs.contains("nocol.csv: missing required column updated_at"), msgs);
    assertTrue(msgs.contains("u.parquet: cannot read Parquet file"), msgs);
    // The good file is in; the refused ones left no record and are not in the ledger (seen again next run).
    assertRows(sql("SELECT entity FROM ops.ingested_files"), "accounts");
    assertFalse(new Warehouse(spark(), config().warehousePath()).exists("silver", "usage_daily")
        && sql("SELECT * FROM silver.usage_daily").count() > 0);
  }

  /**
   * A file refused mid-way (a cell over kpi.ingest.max-chars-per-cell on its second record) has
   * already given a valid first record; the batch is classified again without that file, so the
   * same record in a later file is accepted, not a duplicate of a record that is never loaded.
   */
  @Test
  void aRefusedFileNeverMakesAnotherFilesRecordADuplicate() {
    String h = "rate_date,currency,rate_to_reporting";
    deliver("fx/rates", "2024-01-01", "early.csv", h, "2024-01-01,EUR,1.10", "2024-01-01,GBP," + "9".repeat(1_000_001));
    deliver("fx/rates", "2024-01-02", "late.csv", h, "2024-01-01,EUR,1.10");

    QualityGateFailure e = assertThrows(QualityGateFailure.class, () -> nightly(config()));
    assertTrue(e.getMessage().startsWith("1 landing file(s) refused, nothing published: "), e.getMessage());
    assertTrue(e.getMessage().contains("early.csv: cannot parse CSV near line"), e.getMessage());
    // late.csv: 1 read = 1 accepted + 0 quarantined + 0 duplicate; early.csv is not in the ledger.
    assertRows(sql("SELECT regexp_extract(path, '[^/]+$', 0), rows_read, rows_accepted, rows_quarantined, rows_duplicate"
        + " FROM ops.ingested_files"), "late.csv,1,1,0,0");
    assertRows(sql("SELECT currency, rate_to_reporting, regexp_extract(_source_file, '[^/]+$', 0) FROM silver.fx_rates"),
        "EUR,1.10000000,late.csv");
    assertRows(sql("SELECT DISTINCT regexp_extract(source_file, '[^/]+$', 0) FROM bronze.fx_rates"), "late.csv");

    // early.csv delivered again, corrected, alone: its rows reach bronze, its bad record the
    // quarantine (each append is a new batch for Delta's idempotent commit, not a repeat of the first).
    deliver("fx/rates", "2024-01-01", "early.csv", h, "2024-01-01,EUR,1.10", "2024-01-01,GBP,1.25", "2024-01-01,CHF,-1");
    nightly(lenient()); // 1 of 3 records quarantined: over the default rate gate, which is not what this checks
    // early.csv: 3 read = 1 accepted (GBP) + 1 quarantined (CHF) + 1 duplicate (EUR, as in late.csv).
    assertRows(sql("SELECT regexp_extract(path, '[^/]+$', 0), rows_read, rows_accepted, rows_quarantined, rows_duplicate"
        + " FROM ops.ingested_files"), "late.csv,1,1,0,0", "early.csv,3,1,1,1");
    assertRows(sql("SELECT regexp_extract(source_file, '[^/]+$', 0), row_number FROM bronze.fx_rates"),
        "late.csv,1", "early.csv,1", "early.csv,2", "early.csv,3");
    assertRows(sql("SELECT regexp_extract(file, '[^/]+$', 0), row_number, reason FROM ops.quarantine"),
        "early.csv,3,rate_to_reporting: must be positive");
  }

  @Test
  void theLedgerIsOneCommitPerRunAndKeepsTheFeedsBeforeAFailedOne() throws IOException {
    deliver("crm/accounts", "2024-01-01", "a.csv", ACC_H, "A1,,,smb,,,,,,2024-01-01T00:00:00Z");
    deliver("billing/invoice_lines", "2024-01-01", "l.csv", LINE_H,
        "L1,I1,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z");
    // A plain file where silver.invoice_lines would go: that feed fails (crm/accounts comes before it).
    KpiConfig c = config();
    Path blocker = Path.of(c.warehousePath(), "silver", "invoice_lines");
    Files.createDirectories(blocker.getParent());
    Files.writeString(blocker, "not a table");
    assertThrows(Exception.class, () -> nightly(c));
    // The accounts file is recorded (ingest ledger ran on the way out); the lines file is not.
    assertRows(sql("SELECT entity FROM ops.ingested_files"), "accounts");
    assertRows(sql("SELECT step, status FROM ops.pipeline_runs WHERE step IN ('ingest ledger', 'ingest billing/invoice_lines')"),
        "ingest billing/invoice_lines,failed", "ingest ledger,succeeded");

    // Unblocked and delivered again with a second feed: both feeds' files land in one ledger commit.
    Files.delete(blocker);
    deliver("support/tickets", "2024-01-02", "t.csv",
        "ticket_id,account_id,created_at,first_response_at,solved_at,priority,escalated,csat_score,updated_at",
        "T1,A1,2024-01-02T00:00:00Z,,,high,false,,2024-01-02T00:00:00Z");
    Warehouse wh = warehouse(c);
    long before = wh.version("ops", "ingested_files");
    nightly(c);
    assertEquals(before + 1, wh.version("ops", "ingested_files"), "one ledger commit for the run's 2 feeds");
    assertRows(sql("SELECT entity, rows_read FROM ops.ingested_files"), "accounts,1", "invoice_lines,1", "tickets,1");
  }

  @Test
  void theRejectedRecordsOfAllFeedsAreOneQuarantineCommitBeforeTheLedgerAndAreNotAppendedTwice() throws IOException {
    // Two feeds with one bad record each: account A2 has no updated_at, line L2 an amount that is not a number.
    deliver("crm/accounts", "2024-01-01", "a.csv", ACC_H, "A1,,,smb,,,,,,2024-01-01T00:00:00Z", "A2,,,smb,,,,,,");
    deliver("billing/invoice_lines", "2024-01-01", "l.csv", LINE_H,
        "L1,I1,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L2,I1,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,lots,2024-01-01,2024-02-01,2024-01-01T00:00:00Z");
    KpiConfig c = lenient(); // 1 of 2 records quarantined per feed: over the default rate gate, not what this checks
    Warehouse wh = warehouse(c);
    nightly(c);
    // ops.quarantine: created (version 0) and one append for both feeds (version 1).
    assertEquals(1, wh.version("ops", "quarantine"), "one quarantine commit for the run's 2 feeds");
    assertRows(sql("SELECT entity, regexp_extract(file, '[^/]+$', 0), row_number FROM ops.quarantine"),
        "accounts,a.csv,2", "invoice_lines,l.csv,2");

    // The run's commit is idempotent on the number of files the ledger holds after it (2 here): the
    // same records again under that number, as a rerun after a crash before the ledger commit would
    // append them, are skipped; under the next number (a later run's) they are appended.
    List<Row> held = sql("SELECT * FROM ops.quarantine").collectAsList();
    QuarantineWriter.appendHeld(wh, held, 2);
    assertEquals(2, sql("SELECT * FROM ops.quarantine").count());
    QuarantineWriter.appendHeld(wh, held, 3);
    assertEquals(4, sql("SELECT * FROM ops.quarantine").count());
  }

  @Test
  void aFeedWithLongRejectedRecordsAppendsThemItselfAndTheRunCommitsTheOthersHeld() throws IOException {
    // crm/accounts: 90 records whose updated_at is 100,000 characters of garbage: 9 million
    // characters of raw text, over QuarantineWriter.HOLD_MAX_CHARS (8,388,608): appended by the feed.
    String garbage = "x".repeat(100_000);
    String[] accounts = new String[91];
    accounts[0] = ACC_H;
    for (int i = 1; i <= 90; i++) {
      accounts[i] = "A" + i + ",,,smb,,,,,," + garbage;
    }
    deliver("crm/accounts", "2024-01-01", "a.csv", accounts);
    // billing/invoice_lines: one short rejected record, held for the run's commit.
    deliver("billing/invoice_lines", "2024-01-01", "l.csv", LINE_H,
        "L2,I1,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,lots,2024-01-01,2024-02-01,2024-01-01T00:00:00Z");
    assertFalse(QuarantineWriter.holds(90, 90L * garbage.length()));
    KpiConfig c = lenient();
    nightly(c);
    Warehouse wh = warehouse(c);
    // Created (0), the accounts feed's own append (1), the run's held records (2).
    assertEquals(2, wh.version("ops", "quarantine"));
    assertRows(sql("SELECT entity, count(*) FROM ops.quarantine GROUP BY entity"), "accounts,90", "invoice_lines,1");
  }

  @Test
  void secondRunForTheSameDateAndARedeliveredFileChangeNothing() throws IOException {
    Path f = deliver("billing/invoice_lines", "2024-01-01", "lines.csv", LINE_H,
        "L1,I1,A1,S1,paid,2024-01-01T00:00:00Z,USD,recurring,100.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z",
        "L2,I2,A1,S1,open,2024-01-01T00:00:00Z,USD,recurring,50.00,2024-01-01,2024-02-01,2024-01-01T00:00:00Z");
    KpiConfig c = config();
    nightly(c);
    Warehouse wh = warehouse(c);
    Map<String, Long> before = versions(wh);
    nightly(c);
    assertEquals(before, versions(wh), "a second run with no new files commits nothing to data tables");

    // The same content again under a new name in a later delivery: read 2 = 0 accepted + 2 duplicate.
    Path copy = landing().resolve("billing/invoice_lines/dt=2024-01-02/resent.csv");
    Files.createDirectories(copy.getParent());
    Files.copy(f, copy);
    NightlyJob.Result r = nightly(c);
    IngestJob.FeedResult lines = result(r, Feeds.INVOICE_LINES);
    assertEquals(List.of(2L, 0L, 0L, 2L), List.of(lines.read(), lines.accepted(), lines.quarantined(), lines.duplicate()));
    assertEquals(2, sql("SELECT * FROM silver.invoice_lines").count());
    // Nothing accepted: silver takes no commit (bronze and the ledger do: the file was read).
    assertEquals(before.get("silver"), versions(wh).get("silver"), "no silver commit for a batch of duplicates");
  }

  private Map<String, Long> versions(Warehouse wh) {
    return Map.of(
        "bronze", wh.table("bronze", "invoice_lines").history(1).first().getLong(0),
        "silver", wh.table("silver", "invoice_lines").history(1).first().getLong(0),
        "ledger", wh.table("ops", "ingested_files").history(1).first().getLong(0),
        "quarantine", wh.table("ops", "quarantine").history(1).first().getLong(0));
  }

  @Test
  void columnRenamesComeFromConfiguration() {
    deliver("crm/accounts", "2024-01-01", "export.csv", "customer,tier,modified", "C9,SMB,2024-01-01T00:00:00Z");
    KpiConfig c = config();
    KpiConfig renamed = c.withFeedRenames(
        Map.of("crm.accounts", Map.of("account_id", "customer", "segment", "tier", "updated_at", "modified")));
    nightly(renamed);
    assertRows(sql("SELECT account_id, segment, updated_at FROM silver.accounts"), "C9,smb,2024-01-01 00:00:00.0");
  }

  @Test
  void missingFeedsAreEmptyNotErrors() {
    deliver("crm/accounts", "2024-01-01", "a.csv", ACC_H, "A1,,,smb,,,,,,2024-01-01T00:00:00Z");
    nightly(config());
    assertRows(sql("SELECT message FROM ops.pipeline_runs WHERE step = 'ingest usage/usage_daily'"), "no files: feed is empty");
  }
}
