package io.kpilake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.NightlyJob;
import io.kpilake.SparkTestBase;
import io.kpilake.config.KpiConfig;
import io.kpilake.generate.Generator;
import io.kpilake.contract.KpiTable;
import io.kpilake.contract.PublishedTables;
import io.kpilake.spark.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Consecutive nights of generated deliveries run incrementally publish exactly the tables of one
 * full recompute from scratch, row for row, also after late data: a file delivered into an old dt
 * folder and a CRM correction whose updated_at lies weeks back. The late night keeps the published
 * health history of the accounts the late data does not reach and recomputes the others' (its step
 * message says which); the quiet night after it, which no change reaches, publishes its health
 * table by replacing the latest snapshots only (HealthHistory.Reuse#replacement). CI runs one night
 * before the late data
 * (a tiny night costs ~2.5 minutes of fixed Spark overhead here; CrashAndConcurrencyIT compares two
 * consecutive nights with a clean run); {@code mvn verify -Dkpi.it.nights=10} runs ten.
 */
class IncrementalNightsIT extends SparkTestBase {
  private static final LocalDate LAST = LocalDate.parse("2024-03-31");
  /** The night the late data arrives: the day before LAST. */
  private static final LocalDate LATE = LAST.minusDays(1);
  private static final int NIGHTS = Integer.getInteger("kpi.it.nights", 1);

  /** Every kpi table; one that keeps a row set per as-of date, its rows as of the last night (the full run has only those). */
  private Map<String, Dataset<Row>> published(Warehouse wh) {
    Map<String, Dataset<Row>> out = new LinkedHashMap<>();
    for (KpiTable t : PublishedTables.ALL) {
      Dataset<Row> rows = spark().read().format("delta").load(wh.path("kpi", t.name()));
      out.put(t.name(), t.keepsHistory() ? rows.filter(org.apache.spark.sql.functions.col(t.historyColumn())
          .equalTo(java.sql.Date.valueOf(LAST))) : rows);
    }
    return out;
  }

  private static void assertSameTables(Map<String, Dataset<Row>> want, Map<String, Dataset<Row>> got) {
    for (String t : want.keySet()) {
      Dataset<Row> a = want.get(t);
      Dataset<Row> b = got.get(t);
      assertEquals(a.count(), b.count(), "rows of kpi." + t);
      assertEquals(0, a.exceptAll(b).count(), "rows of kpi." + t + " missing from the incremental run");
      assertEquals(0, b.exceptAll(a).count(), "rows of kpi." + t + " only in the incremental run");
    }
  }

  /** The first record of the feed's earliest delivery (CSV feeds). */
  private static String firstDataLine(Path feedDir) throws Exception {
    Path firstDay;
    try (var days = Files.list(feedDir)) {
      firstDay = days.sorted().findFirst().orElseThrow();
    }
    try (var files = Files.list(firstDay)) {
      return Files.readAllLines(files.sorted().findFirst().orElseThrow()).get(1);
    }
  }

  private String accountStepMessage(Warehouse wh, LocalDate asOf) {
    return spark().read().format("delta").load(wh.path("ops", io.kpilake.ops.OpsTables.PIPELINE_RUNS))
        .filter("step = 'account kpis' AND status = 'succeeded' AND as_of_date = DATE'" + asOf + "'").select("message").first().getString(0);
  }

  @Test
  void incrementalNightsThenLateDataEqualAFullRecompute() throws Exception {
    Generator.generate(new Generator.Params(40, 3, 7, landing(), LocalDate.parse("2024-01-01"), 30, 0.0));
    KpiConfig base = config();
    // The health history is kept on silver of any size here (by default only from 8 MB: below, a
    // full recompute is cheaper than finding what changed).
    KpiConfig.OpsSettings o = base.ops();
    KpiConfig incCfg = base.withPaths(landing().toString(), tmp.resolve("incremental").toString())
        .withOps(new KpiConfig.OpsSettings(o.lockWaitSeconds(), o.lockStaleAfterMinutes(), o.retryAttempts(), o.retryBackoffSeconds(),
            o.parallelPublish(), o.incrementalMaxShare(), 0));
    Warehouse inc = new Warehouse(spark(), incCfg.warehousePath()).withoutCatalog();
    // NIGHTS nights up to the day before LATE; the late data then arrives with the night of LATE,
    // which builds on the published health history (HealthHistory) instead of recomputing it.
    for (LocalDate night = LATE.minusDays(NIGHTS); night.isBefore(LATE); night = night.plusDays(1)) {
      new NightlyJob(inc, incCfg).run(night);
    }
    List<String> before = rows(published(inc).get("account_mrr_monthly"));

    // Late data. (1) A recurring line for an existing subscription, delivered today into the folder of
    // February 10 (the nights after Feb 10 never saw it). (2) A CRM correction delivered today whose
    // updated_at is February 10: it slots into the account's history at that point.
    String[] sub = firstDataLine(landing().resolve("billing/subscriptions")).split(",");
    deliver("billing/invoice_lines", "2024-02-10", "late-lines.csv",
        "line_id,invoice_id,account_id,subscription_id,invoice_status,issued_at,currency,line_type,amount,period_start,period_end,updated_at",
        "LATE-1,inv-late-1," + sub[1] + "," + sub[0] + ",paid,2024-02-10T00:00:00Z,USD,recurring,30.00,2024-02-10,2024-03-10,2024-02-10T00:00:00Z");
    String[] acct = firstDataLine(landing().resolve("crm/accounts")).split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
    acct[3] = "enterprise".equalsIgnoreCase(acct[3]) ? "smb" : "enterprise";
    acct[9] = "2024-02-10T12:00:00Z";
    deliver("crm/accounts", LATE.toString(), "correction.csv",
        "account_id,account_name,billing_email,segment,region,industry,owner,created_at,renewal_date,updated_at", String.join(",", acct));
    new NightlyJob(inc, incCfg).run(LATE);
    assertNotEquals(before, rows(published(inc).get("account_mrr_monthly")), "the late data changed the published results");
    String history = accountStepMessage(inc, LATE);
    // The late line and the CRM correction reach February: their accounts' history is recomputed, the rest kept.
    assertTrue(history.contains("health history kept up to " + LATE.minusDays(1) + " except for "), history);
    assertFalse(history.contains("except for 0 account(s)"), history);

    // The quiet night of LAST (its deliveries are of that day): no account's history is reached, so
    // the health table's publish replaces the rows from LATE on (LATE's snapshot, LATE not being a
    // month end) with the computed snapshots of LAST, in one commit.
    new NightlyJob(inc, incCfg).run(LAST);
    assertTrue(accountStepMessage(inc, LAST).contains("health history kept up to " + LATE + " except for 0 account(s)"),
        accountStepMessage(inc, LAST));
    Row write = spark().sql("DESCRIBE HISTORY delta.`" + inc.path("kpi", "account_health") + "`").filter("operation = 'WRITE'")
        .orderBy(org.apache.spark.sql.functions.col("version").desc()).selectExpr("operationParameters['predicate']").first();
    String predicate = String.valueOf(write.get(0));
    assertTrue(predicate.contains("snapshot_date") && predicate.contains(LATE.toString()), "the health table's last write: " + predicate);

    KpiConfig fullCfg = base.withPaths(landing().toString(), tmp.resolve("full").toString());
    Warehouse full = new Warehouse(spark(), fullCfg.warehousePath()).withoutCatalog();
    new NightlyJob(full, fullCfg).run(LAST);
    assertSameTables(published(full), published(inc));
  }
}
