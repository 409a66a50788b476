package io.kpilake.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kpilake.contract.FeedSpec;
import io.kpilake.contract.Feeds;
import io.kpilake.SparkTestBase;
import io.kpilake.spark.Warehouse;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/** A night reads only the silver rows of its keys. */
class SilverTablesTest extends SparkTestBase {
  @Test
  void aNightsKeysSelectExactlyTheirSilverRows() {
    Warehouse wh = new Warehouse(spark(), tmp.resolve("wh").toString()).withoutCatalog();
    FeedSpec usage = Feeds.USAGE_DAILY;
    SilverTables.ensure(wh, usage, true);
    Dataset<Row> rows = spark().sql("SELECT a account_id, CAST(d AS DATE) usage_date, u active_users FROM VALUES"
        + " ('A1', '2024-01-02', 1), ('A1', '2024-01-03', 2), ('A2', '2024-01-02', 3), ('A2', '2024-01-03', 4),"
        + " ('A3', '2024-01-02', 5), ('A1', '2024-01-04', 6) AS t(a, d, u)");
    List<String> present = Arrays.asList(rows.columns());
    for (StructField f : SilverTables.schema(usage).fields()) {
      if (!present.contains(f.name())) {
        rows = rows.withColumn(f.name(), lit(null).cast(f.dataType()));
      }
    }
    rows.select(Arrays.stream(SilverTables.schema(usage).fieldNames()).map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new))
        .write().format("delta").mode("append").save(wh.path("silver", usage.tableName()));

    // The batch: (A1, Jan 2) and (A2, Jan 3), the second twice; its distinct keys are two.
    SilverTables.NightKeys keys = SilverTables.collectKeys(usage, spark().sql(
        "SELECT * FROM VALUES ('A1', DATE'2024-01-02'), ('A2', DATE'2024-01-03'), ('A2', DATE'2024-01-03') AS t(account_id, usage_date)"));
    assertEquals(2, keys.keys().size());
    // The IN list of the cluster column (usage_date), which Delta skips files by: {Jan 2, Jan 3} = rows 1-5, a
    // superset; never Jan 4 (row 6).
    assertRows(spark().read().format("delta").load(wh.path("silver", usage.tableName())).filter(keys.filter("")).select("active_users"),
        "1", "2", "3", "4", "5");
    // The affected rows are exactly the batch's keys: rows 1 and 4.
    var affected = SilverTables.affected(wh, usage, wh.version("silver", usage.tableName()), keys);
    try {
      assertRows(affected.orElseThrow().select("active_users"), "1", "4");
    } finally {
      SilverTables.release(affected);
    }
  }

  /** Accepted fx/rates versions: (rate_date, currency, rate, file order, row), hashed. */
  private static Dataset<Row> accepted(String... rows) {
    return SilverTransforms.contentHash(Feeds.FX_RATES).apply(spark().sql("SELECT CAST(d AS DATE) rate_date, c currency,"
        + " CAST(r AS DECIMAL(18,8)) rate_to_reporting, fo _source_file, fo _file_order, CAST(rn AS BIGINT) _row_number,"
        + " 'run' _run_id, current_timestamp() _ingested_at FROM VALUES " + String.join(", ", rows) + " AS t(d, c, r, fo, rn)"));
  }

  /** One night into silver as IngestJob does it: the night's keys, the rows they affect, the merge. */
  private static void night(Warehouse wh, Dataset<Row> versions) {
    night(wh, versions, wh);
  }

  /** {@link #night(Warehouse, Dataset)} with the MERGE run through {@code rewriter}'s session. */
  private static void night(Warehouse wh, Dataset<Row> versions, Warehouse rewriter) {
    FeedSpec fx = Feeds.FX_RATES;
    long version = wh.version("silver", fx.tableName());
    SilverTables.NightKeys keys = version == 0 ? null : SilverTables.collectKeys(fx, versions);
    var affected = SilverTables.affected(wh, fx, version, keys);
    try {
      SilverTables.mergeNewVersions(wh, fx, versions, affected, keys, () -> rewriter);
    } finally {
      SilverTables.release(affected);
    }
  }

  private static String lastOperation(Warehouse wh) {
    return wh.table("silver", Feeds.FX_RATES.tableName()).history(1).select("operation").first().getString(0);
  }

  @Test
  void aNightOfNewKeysIsAppendedAndANewVersionOfAKnownKeyIsMerged() {
    Warehouse wh = new Warehouse(spark(), tmp.resolve("wh").toString()).withoutCatalog();
    SilverTables.ensure(wh, Feeds.FX_RATES, true);
    // A first load: both rows have the same cluster value (rate_date), so they share one file.
    night(wh, accepted("('2024-01-01', 'EUR', '1.10', '2024-01-01/a.csv', 1)", "('2024-01-01', 'USD', '0.90', '2024-01-01/a.csv', 2)"));
    // A night whose only key (Jan 2, GBP) silver does not have: the MERGE would only insert, so it is an append.
    night(wh, accepted("('2024-01-02', 'GBP', '1.25', '2024-01-02/a.csv', 1)"));
    assertEquals("WRITE", lastOperation(wh));
    // A new version of (Jan 1, EUR): a MERGE, which ends the old version's currency.
    night(wh, accepted("('2024-01-01', 'EUR', '1.12', '2024-01-03/a.csv', 1)"));
    assertEquals("MERGE", lastOperation(wh));
    // The old EUR version is marked deleted in its file (and written again, ended) rather than the
    // file rewritten: one deletion vector, the USD row beside it not copied.
    assertEquals("1,0", wh.table("silver", Feeds.FX_RATES.tableName()).history(1).selectExpr(
        "concat(operationMetrics['numTargetDeletionVectorsAdded'], ',', operationMetrics['numTargetRowsCopied'])").first().getString(0));
    assertRows(spark().read().format("delta").load(wh.path("silver", Feeds.FX_RATES.tableName()))
            .select("currency", "rate_to_reporting", "_is_current"),
        "EUR,1.10000000,false", "EUR,1.12000000,true", "GBP,1.25000000,true", "USD,0.90000000,true");
  }

  @Test
  void aMergeRunThroughASecondSessionWithLargeDataSettingsWritesTheSameHistory() {
    // IngestJob's small night merges into a large silver table through a second session of the
    // application, with code generation and several shuffle partitions: the batch and the affected
    // rows come from the run's session.
    Warehouse wh = new Warehouse(spark(), tmp.resolve("wh").toString()).withoutCatalog();
    SilverTables.ensure(wh, Feeds.FX_RATES, false);
    night(wh, accepted("('2024-01-01', 'EUR', '1.10', '2024-01-01/a.csv', 1)", "('2024-01-01', 'USD', '0.90', '2024-01-01/a.csv', 2)"));
    org.apache.spark.sql.SparkSession large = spark().newSession();
    large.conf().set("spark.sql.shuffle.partitions", "3");
    large.conf().set("spark.sql.codegen.wholeStage", "true");
    large.conf().set("spark.sql.codegen.factoryMode", "FALLBACK");
    large.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
    // A new version of (Jan 1, EUR), dated later: the old one ends, the new one is current; USD is untouched.
    night(wh, accepted("('2024-01-01', 'EUR', '1.12', '2024-01-03/a.csv', 1)"), wh.withSession(large));
    assertEquals("MERGE", lastOperation(wh));
    assertRows(spark().read().format("delta").load(wh.path("silver", Feeds.FX_RATES.tableName()))
            .select("currency", "rate_to_reporting", "_is_current"),
        "EUR,1.10000000,false", "EUR,1.12000000,true", "USD,0.90000000,true");
  }

  @Test
  void silverTakesDeletionVectorsWhenConfiguredAndAnOlderTableIsUpgradedOnce() {
    Warehouse wh = new Warehouse(spark(), tmp.resolve("wh").toString()).withoutCatalog();
    // kpi.ingest.silver-deletion-vectors = false: created without them (version 0, the CREATE).
    assertEquals(0, SilverTables.ensure(wh, Feeds.FX_RATES, false));
    assertNull(wh.properties("silver", Feeds.FX_RATES.tableName()).get("delta.enableDeletionVectors"));
    // Then true: one properties commit upgrades it (version 1), and the next ensure commits nothing.
    assertEquals(1, SilverTables.ensure(wh, Feeds.FX_RATES, true));
    assertEquals("true", wh.properties("silver", Feeds.FX_RATES.tableName()).get("delta.enableDeletionVectors"));
    assertEquals(1, SilverTables.ensure(wh, Feeds.FX_RATES, true));
    // A table that has them keeps them when the setting is turned off.
    assertEquals(1, SilverTables.ensure(wh, Feeds.FX_RATES, false));
    // A new table with the setting on is created with them (no upgrade commit).
    assertEquals(0, SilverTables.ensure(wh, Feeds.ACCOUNTS, true));
    assertEquals("true", wh.properties("silver", Feeds.ACCOUNTS.tableName()).get("delta.enableDeletionVectors"));
  }

  @Test
  void silverIsClusteredByTheKeysDateElseItsFirstColumn() {
    assertEquals("usage_date", Feeds.USAGE_DAILY.clusterColumn());
    assertEquals("rate_date", Feeds.FX_RATES.clusterColumn());
    assertEquals("ticket_id", Feeds.TICKETS.clusterColumn());
    assertEquals("account_id", Feeds.ACCOUNTS.clusterColumn());
  }
}
