package io.kpilake.model;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * FX conversion to the reporting currency: an amount measured on day X converts at the latest rate
 * on or before X; before a currency's first rate, at that first rate; the reporting currency at 1.
 * The daily table (currencies x days) is small and broadcast into every lookup: an equi-join, no
 * range join.
 */
public final class FxRates {
  public static final org.apache.spark.sql.types.DecimalType RATE = DataTypes.createDecimalType(18, 8);

  private final Dataset<Row> daily;
  private final Dataset<Row> first;
  private final String reportingCurrency;

  private FxRates(Dataset<Row> daily, Dataset<Row> first, String reportingCurrency) {
    this.daily = daily;
    this.first = first;
    this.reportingCurrency = reportingCurrency;
  }

  /** From the current rows of silver.fx_rates. */
  public static FxRates of(Dataset<Row> rates, String reportingCurrency, LocalDate asOf) {
    Dataset<Row> r = rates.select(col("currency"), col("rate_date"), col("rate_to_reporting").as("rate"))
        .filter(col("currency").notEqual(reportingCurrency));
    Dataset<Row> first = r.groupBy("currency").agg(expr("min_by(rate, rate_date)").as("first_rate"),
        expr("min(rate_date)").as("first_day"));
    Dataset<Row> days = first.select(col("currency"),
        expr("explode(sequence(first_day, greatest(first_day, date'" + asOf + "')))").as("rate_date"));
    Dataset<Row> daily = days.join(r, new String[] {"currency", "rate_date"}, "left")
        .withColumn("rate", expr("last(rate, true) OVER (PARTITION BY currency ORDER BY rate_date "
            + "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"))
        .select(col("currency").as("_fx_currency"), col("rate_date").as("_fx_day"), col("rate").as("_fx_rate"));
    return new FxRates(daily, first.select(col("currency").as("_fx_currency"), col("first_rate").as("_fx_first"),
        col("first_day").as("_fx_first_day")), reportingCurrency);
  }

  /**
   * Adds {@code out}: the rate of {@code currencyCol} on day {@code dayCol} (null when the currency
   * has no rate at all), and {@code out + "_early"}: true when the day is before the first rate.
   */
  public Dataset<Row> withRate(Dataset<Row> df, String currencyCol, Column day, String out) {
    Dataset<Row> joined = df.withColumn("_fx_lookup_day", day)
        .join(broadcast(daily), col(currencyCol).equalTo(col("_fx_currency")).and(col("_fx_lookup_day").equalTo(col("_fx_day"))), "left")
        .drop("_fx_currency", "_fx_day")
        .join(broadcast(first.drop("_fx_first_day")), col(currencyCol).equalTo(col("_fx_currency")), "left")
        .drop("_fx_currency");
    Column isReporting = col(currencyCol).equalTo(lit(reportingCurrency));
    return joined
        .withColumn(out, when(isReporting, lit(1).cast(RATE)).otherwise(coalesce(col("_fx_rate"), col("_fx_first")).cast(RATE)))
        .withColumn(out + "_early", isReporting.unary_$bang().and(col("_fx_rate").isNull()).and(col("_fx_first").isNotNull()))
        .drop("_fx_rate", "_fx_first", "_fx_lookup_day");
  }

  /**
   * Adds {@code out}: the day of the currency's first rate (null for the reporting currency and for
   * a currency without any rate), and {@code out + "_missing"}: true for a currency other than the
   * reporting one that has no rate at all. Only the small first-rate table is joined.
   */
  public Dataset<Row> withFirstDay(Dataset<Row> df, String currencyCol, String out) {
    Column isReporting = col(currencyCol).equalTo(lit(reportingCurrency));
    return df.join(broadcast(first.drop("_fx_first")), col(currencyCol).equalTo(col("_fx_currency")), "left")
        .withColumn(out + "_missing", col(currencyCol).isNotNull().and(isReporting.unary_$bang()).and(col("_fx_first_day").isNull()))
        .withColumnRenamed("_fx_first_day", out)
        .drop("_fx_currency");
  }
}
