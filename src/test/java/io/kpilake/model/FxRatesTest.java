package io.kpilake.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kpilake.SparkTestBase;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** The FX lookup table, worked by hand (feeds.md: latest rate on or before the day, else the first rate). */
class FxRatesTest extends SparkTestBase {
  private static final LocalDate D1 = LocalDate.parse("2024-01-01");

  private static Row rate(String currency, String day, String rate) {
    return RowFactory.create(currency, java.sql.Date.valueOf(day), rate == null ? null : new BigDecimal(rate).setScale(8));
  }

  private static Integer day(String d) {
    return (int) LocalDate.parse(d).toEpochDay();
  }

  @Test
  void latestRateOnOrBeforeTheDayElseTheFirstRate() {
    // EUR: 1.10 on Jan 2, nothing on Jan 3, 1.20 on Jan 4, a null rate on Jan 5. As of Jan 6.
    // GBP: a null first rate on Jan 2, 1.30 on Jan 3.
    FxRates.Table t = FxRates.Table.of(List.of(
        rate("EUR", "2024-01-02", "1.10"), rate("EUR", "2024-01-04", "1.20"), rate("EUR", "2024-01-05", null),
        rate("GBP", "2024-01-02", null), rate("GBP", "2024-01-03", "1.30")), "USD", LocalDate.parse("2024-01-06"));
    BigDecimal r110 = new BigDecimal("1.10000000");
    BigDecimal r120 = new BigDecimal("1.20000000");
    assertEquals(r110, t.call("EUR", day("2024-01-01")));  // before the first rate: the first rate
    assertEquals(r110, t.call("EUR", day("2024-01-02")));
    assertEquals(r110, t.call("EUR", day("2024-01-03")));  // no rate that day: Jan 2's
    assertEquals(r120, t.call("EUR", day("2024-01-04")));
    assertEquals(r120, t.call("EUR", day("2024-01-05")));  // a null rate does not replace Jan 4's
    assertEquals(r120, t.call("EUR", day("2024-01-06")));  // the as-of day: Jan 4's
    assertEquals(r110, t.call("EUR", day("2024-01-07")));  // after the as-of date: outside the series, the first rate
    assertEquals(r110, t.call("EUR", null));               // no day: the first rate
    assertEquals(r120, t.call("EUR", java.sql.Date.valueOf("2024-01-04")));  // a DATE, as SQL passes it
    assertEquals(r120, t.call("EUR", LocalDate.parse("2024-01-04")));
    assertNull(t.call("GBP", day("2024-01-02")));          // the first rate is null, none known yet
    assertEquals(new BigDecimal("1.30000000"), t.call("GBP", day("2024-01-04")));
    assertNull(t.call("GBP", day("2024-01-01")));          // before the first rate, which is null
    assertEquals(BigDecimal.ONE, t.call("USD", day("2024-01-03")));  // the reporting currency
    assertNull(t.call("JPY", day("2024-01-03")));          // no rate at all
    assertNull(t.call(null, day("2024-01-03")));
  }

  @Test
  void aFirstRateAfterTheAsOfDateIsTheWholeSeries() {
    // CHF starts on Feb 1, after the as-of date Jan 6: its series is that one day, every day uses it.
    FxRates.Table t = FxRates.Table.of(List.of(rate("CHF", "2024-02-01", "0.90"), rate("CHF", "2024-02-02", "0.95")),
        "USD", LocalDate.parse("2024-01-06"));
    assertEquals(new BigDecimal("0.90000000"), t.call("CHF", day("2024-01-03")));
    assertEquals(new BigDecimal("0.90000000"), t.call("CHF", day("2024-02-02")));
  }

  @Test
  void columnsOnADataset() {
    // Two amounts priced through Spark: EUR on Jan 3 (Jan 2's 1.10) and USD (1); the first-day columns.
    Dataset<Row> rates = spark().sql("SELECT * FROM VALUES ('EUR', DATE'2024-01-02', CAST(1.10 AS DECIMAL(18,8))), "
        + "('USD', DATE'2024-01-02', CAST(1 AS DECIMAL(18,8))) AS r(currency, rate_date, rate_to_reporting)");
    FxRates fx = FxRates.of(rates, "USD", D1.plusDays(5));
    Dataset<Row> amounts = spark().sql("SELECT * FROM VALUES ('EUR', DATE'2024-01-03'), ('USD', DATE'2024-01-03'), "
        + "('JPY', DATE'2024-01-03') AS a(currency, d)");
    Dataset<Row> out = fx.withFirstDay(fx.withRate(amounts, "currency", org.apache.spark.sql.functions.col("d"), "rate"), "currency", "first");
    assertEquals(List.of("EUR,2024-01-03,1.10000000,2024-01-02,false", "JPY,2024-01-03,null,null,true",
        "USD,2024-01-03,1.00000000,null,false"), rows(out));
  }

  @Test
  void priceableKeepsTheReportingCurrencyCurrenciesWithARateAndNulls() {
    // Rates for EUR and for GBP (a null one: it still has a rate row, priced by the lookup's rules);
    // none for JPY. USD is the reporting currency; a null currency is left to the KPIs.
    Dataset<Row> rates = spark().sql("SELECT * FROM VALUES ('EUR', DATE'2024-01-02', CAST(1.10 AS DECIMAL(18,8))), "
        + "('GBP', DATE'2024-01-02', CAST(NULL AS DECIMAL(18,8))) AS r(currency, rate_date, rate_to_reporting)");
    FxRates fx = FxRates.of(rates, "USD", D1.plusDays(5));
    Dataset<Row> amounts = spark().sql("SELECT * FROM VALUES ('EUR'), ('GBP'), ('USD'), ('JPY'), (CAST(NULL AS STRING)) AS a(currency)");
    assertEquals(List.of("EUR", "GBP", "USD", "null"), rows(amounts.filter(fx.priceable(org.apache.spark.sql.functions.col("currency")))));
    // The same split as the "no FX rate at all" column: JPY alone is missing.
    assertEquals(List.of("JPY"), rows(fx.withFirstDay(amounts, "currency", "first")
        .filter(org.apache.spark.sql.functions.col("first_missing")).select("currency")));
  }
}
