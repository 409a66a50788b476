package io.kpilake.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
    SilverTables.ensure(wh, usage);
    Dataset<Row> rows = spark().sql("SELECT a account_id, CAST(d AS DATE) usage_date, u active_users FROM VALUES"
        + " ('A1', '2024-01-02', 1), ('A1', '2024-01-03', 2), ('A2', '2024-01-02', 3), ('A2', '2024-01-03', 4),"
        + " ('A3', '2024-01-02', 5) AS t(a, d, u)");
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
    // One IN list per key column: {A1, A2} x {Jan 2, Jan 3} = rows 1-4, a superset; never A3.
    assertRows(spark().read().format("delta").load(wh.path("silver", usage.tableName())).filter(keys.filter("")).select("active_users"),
        "1", "2", "3", "4");
    // The affected rows are exactly the batch's keys: rows 1 and 4.
    var affected = SilverTables.affected(wh, usage, wh.version("silver", usage.tableName()), keys);
    try {
      assertRows(affected.orElseThrow().select("active_users"), "1", "4");
    } finally {
      SilverTables.release(affected);
    }
  }

  @Test
  void silverIsClusteredByTheKeysDateElseItsFirstColumn() {
    assertEquals("usage_date", Feeds.USAGE_DAILY.clusterColumn());
    assertEquals("rate_date", Feeds.FX_RATES.clusterColumn());
    assertEquals("ticket_id", Feeds.TICKETS.clusterColumn());
    assertEquals("account_id", Feeds.ACCOUNTS.clusterColumn());
  }
}
