package io.kpilake.ingest;

import io.kpilake.contract.Feeds;
import io.kpilake.SparkTestBase;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The one-pass classification of a typed batch: every row gets exactly one outcome. */
class SilverTransformsTest extends SparkTestBase {
  /** Typed fx/rates rows: (rate_date, currency, rate, reason, file order, row). */
  private static Dataset<Row> typed(String... rows) {
    return spark().sql("SELECT CAST(d AS DATE) rate_date, c currency, CAST(r AS DECIMAL(18,8)) rate_to_reporting, reason,"
        + " fo _file_order, CAST(rn AS BIGINT) _row_number FROM VALUES " + String.join(", ", rows)
        + " AS t(d, c, r, reason, fo, rn)");
  }

  @Test
  void anAmountWithMoreThanTwoDecimalPlacesIsQuarantinedNotRounded() {
    // feeds.md: amounts are decimal numbers in major units; money is DECIMAL(18,2) here, and a record
    // that breaks a type goes to quarantine: 12.345 does not fit (a cast would round it to 12.35).
    Dataset<Row> bronze = spark().sql("SELECT map('event_id', id, 'account_id', 'A', 'event_type', 'charge', 'status', 'succeeded',"
        + " 'amount', amount, 'currency', 'USD', 'occurred_at', '2024-01-01T00:00:00Z') AS record, CAST(NULL AS STRING) AS row_error"
        + " FROM VALUES ('P1', '12.34'), ('P2', '12.340'), ('P3', '12.345'), ('P4', '1234.5'), ('P5', '12.3O') AS t(id, amount)");
    assertRows(SilverTransforms.typeAndValidate(Feeds.PAYMENT_EVENTS).apply(bronze).select("event_id", "amount", "reason"),
        "P1,12.34,null",
        "P2,12.34,null",
        "P3,null,amount: more than 2 decimal places: '12.345'",
        "P4,1234.50,null",
        "P5,null,amount: not a decimal number: '12.3O'");
  }

  @Test
  void theParsersFieldColumnsAreTypedLikeTheRecordMapAndDropped() {
    // The same five payments as above, their fields in the parser's field columns (Parsing.fieldColumn)
    // instead of the map, which here holds other values: the columns are what is typed. ' 12.34 ' is
    // trimmed as a map value is; an empty text is a missing value (amount is optional: no reason).
    Dataset<Row> parsed = spark().sql("SELECT map('amount', '999') AS record, CAST(NULL AS STRING) AS row_error, id AS _field_event_id,"
        + " 'A' AS _field_account_id, 'charge' AS _field_event_type, 'succeeded' AS _field_status, amount AS _field_amount,"
        + " 'USD' AS _field_currency, '2024-01-01T00:00:00Z' AS _field_occurred_at"
        + " FROM VALUES ('P1', ' 12.34 '), ('P2', '12.340'), ('P3', '12.345'), ('P4', '1234.5'), ('P5', '') AS t(id, amount)");
    Dataset<Row> typed = SilverTransforms.typeAndValidate(Feeds.PAYMENT_EVENTS).apply(parsed);
    assertRows(typed.select("event_id", "amount", "reason"),
        "P1,12.34,null",
        "P2,12.34,null",
        "P3,null,amount: more than 2 decimal places: '12.345'",
        "P4,1234.50,null",
        "P5,null,null");
    org.junit.jupiter.api.Assertions.assertTrue(java.util.Arrays.stream(typed.columns()).noneMatch(c -> c.startsWith("_field_")),
        String.join(", ", typed.columns()));
  }

  @Test
  void eachRowIsAcceptedDuplicateOrQuarantinedAgainstTheBatchAndSilver() {
    Dataset<Row> batch = typed(
        "('2024-01-01', 'EUR', '1.10', NULL, '2024-01-02/a.csv', 1)",
        // Same key and content in a later file: a duplicate of the row above.
        "('2024-01-01', 'EUR', '1.10', NULL, '2024-01-03/b.csv', 1)",
        // Same key, other content: a new version, accepted.
        "('2024-01-01', 'EUR', '1.12', NULL, '2024-01-03/b.csv', 2)",
        // Silver has this key and content already: a duplicate.
        "('2024-01-01', 'GBP', '1.25', NULL, '2024-01-02/a.csv', 2)",
        // Invalid, and earliest of all with the EUR 1.10 content: quarantined, and it does not make
        // the first row a duplicate (invalid rows are ranked apart).
        "('2024-01-01', 'EUR', '1.10', 'rate_to_reporting: must be positive', '2024-01-01/z.csv', 1)");
    Dataset<Row> known = SilverTransforms.contentHash(Feeds.FX_RATES).apply(typed(
        "('2024-01-01', 'GBP', '1.25', NULL, '2023-12-31/old.csv', 1)")).select("rate_date", "currency", "_hash");

    assertRows(SilverTransforms.classify(Feeds.FX_RATES, Optional.of(known)).apply(batch)
            .select("currency", "rate_to_reporting", "_file_order", "_outcome"),
        "EUR,1.10000000,2024-01-02/a.csv,accepted",
        "EUR,1.10000000,2024-01-03/b.csv,duplicate",
        "EUR,1.12000000,2024-01-03/b.csv,accepted",
        "GBP,1.25000000,2024-01-02/a.csv,duplicate",
        "EUR,1.10000000,2024-01-01/z.csv,quarantined");
    // A first load compares with nothing: the GBP row is accepted, the rest as above.
    assertRows(SilverTransforms.classify(Feeds.FX_RATES, Optional.empty()).apply(batch)
            .groupBy("_outcome").count(),
        "accepted,3", "duplicate,1", "quarantined,1");
  }

  /**
   * The ASCII shortcut of the case mappings gives what Spark's lower/upper give, for ASCII text and
   * for text that takes the ICU path: accents, the dotted capital I (lower: i + combining dot),
   * the Kelvin sign (lower: ASCII k), German sharp s (upper: SS), null and empty.
   */
  @Test
  void caseMappingsMatchSparksOwn() {
    Dataset<Row> words = spark().sql("SELECT explode(array('PAID', 'Mid-Market', 'usd', 'Ab9 _-', 'ÉCOLE', '\u0130stanbul', "
        + "'\u212Aelvin', 'stra\u00dfe', '', NULL)) AS w");
    java.util.List<Row> rows = words.select(SilverTransforms.lowerCase(words.col("w")), org.apache.spark.sql.functions.lower(words.col("w")),
        SilverTransforms.upperCase(words.col("w")), org.apache.spark.sql.functions.upper(words.col("w"))).collectAsList();
    org.junit.jupiter.api.Assertions.assertEquals(10, rows.size());
    for (Row r : rows) {
      org.junit.jupiter.api.Assertions.assertEquals(r.get(1), r.get(0), "lower");
      org.junit.jupiter.api.Assertions.assertEquals(r.get(3), r.get(2), "upper");
    }
  }
}
