package io.kpilake.model;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * FX conversion to the reporting currency: an amount measured on day X converts at the latest rate
 * on or before X; before a currency's first rate, at that first rate; the reporting currency at 1.
 *
 * <p>The rates are small (currencies x days) and read once per run: {@link #of} collects the current
 * rates to the driver and forward-fills one array of daily rates per currency, from its first rate
 * day to the as-of date. A lookup is then a column function over that table ({@code fx_rate}: an
 * array index, no join), so a conversion adds neither a broadcast job nor a stage to the plan that
 * uses it (docs/design.md, "FX lookups are a function, not a join").
 */
public final class FxRates {
  public static final org.apache.spark.sql.types.DecimalType RATE = DataTypes.createDecimalType(18, 8);

  private final Table table;
  private final UserDefinedFunction rate;
  private final String reportingCurrency;

  private FxRates(Table table, String reportingCurrency) {
    this.table = table;
    this.reportingCurrency = reportingCurrency;
    this.rate = org.apache.spark.sql.functions.udf(table, RATE).withName(FUNCTION);
  }

  /**
   * From the current rows of silver.fx_rates ({@code currency}, {@code rate_date},
   * {@code rate_to_reporting}): one Spark job, which collects them.
   */
  public static FxRates of(Dataset<Row> rates, String reportingCurrency, LocalDate asOf) {
    List<Row> rows = rates.filter(col("currency").notEqual(reportingCurrency))
        .select(col("currency"), col("rate_date"), col("rate_to_reporting").cast(RATE)).collectAsList();
    return new FxRates(Table.of(rows, reportingCurrency, asOf), reportingCurrency);
  }

  /** The SQL function a model calls: {@code fx_rate(currency, day)} ({@code day} a DATE), the rate as {@link #RATE}. */
  public static final String FUNCTION = "fx_rate";

  /** {@link #FUNCTION} for this run's rates, to register in a session ({@code SqlModel}). */
  public UserDefinedFunction function() {
    return rate;
  }

  /**
   * Adds {@code out}: the rate of {@code currencyCol} on day {@code day} (1 for the reporting
   * currency; null when the currency has no rate at all), as {@link #RATE}.
   */
  public Dataset<Row> withRate(Dataset<Row> df, String currencyCol, Column day, String out) {
    return df.withColumn(out, rate.apply(col(currencyCol), org.apache.spark.sql.functions.unix_date(day)));
  }

  /**
   * True where {@code currency} can be priced: the reporting currency, a currency with at least one
   * rate, or null (left to the KPIs' own rules). The other rows are what the run quarantines and
   * reports as "no FX rate at all"; a filter on the collected list, where a join with the data's
   * distinct currencies cost a shuffle and a broadcast per use.
   */
  public Column priceable(Column currency) {
    List<Object> known = new java.util.ArrayList<>(new java.util.TreeSet<>(table.series.keySet()));
    known.add(reportingCurrency);
    return currency.isNull().or(currency.isin(known.toArray()));
  }

  /**
   * Adds {@code out}: the day of the currency's first rate (null for the reporting currency and for
   * a currency without any rate), and {@code out + "_missing"}: true for a currency other than the
   * reporting one that has no rate at all.
   */
  public Dataset<Row> withFirstDay(Dataset<Row> df, String currencyCol, String out) {
    Column firstDay = lit(null).cast(DataTypes.DateType);
    for (Map.Entry<String, Series> e : new TreeMap<>(table.series).entrySet()) {
      firstDay = when(col(currencyCol).equalTo(lit(e.getKey())), lit(LocalDate.ofEpochDay(e.getValue().firstDay))).otherwise(firstDay);
    }
    Column isReporting = col(currencyCol).equalTo(lit(reportingCurrency));
    return df.withColumn(out, firstDay)
        .withColumn(out + "_missing", col(currencyCol).isNotNull().and(isReporting.unary_$bang()).and(col(out).isNull()));
  }

  /**
   * One currency's rates: the rate of each day from {@code firstDay} on, forward-filled, as unscaled
   * {@link #RATE} values ({@link Table#NONE}: no rate known yet). A primitive array keeps the
   * function small in every task that uses it.
   */
  private record Series(int firstDay, long[] daily) implements Serializable {}

  /**
   * The lookup {@code fx_rate(currency, day)}: 1 for the reporting currency; the
   * forward-filled rate of the day when the day is in the currency's series and a rate is known by
   * then; else the currency's first rate, the rate of its first day (before that day, after the
   * as-of date, or while its first rates are empty); null for an unknown or a null currency.
   */
  static final class Table implements UDF2<String, Object, BigDecimal>, Serializable {
    private static final long serialVersionUID = 1L;
    static final long NONE = Long.MIN_VALUE;
    private final HashMap<String, Series> series;
    private final String reportingCurrency;

    private Table(HashMap<String, Series> series, String reportingCurrency) {
      this.series = series;
      this.reportingCurrency = reportingCurrency;
    }

    /**
     * Rows of (currency, rate_date, rate as {@link #RATE}), the reporting currency excluded. Each
     * currency's series runs from its first rate day to {@code max(first day, asOf)}; a day's rate
     * is the latest non-null rate on or before it.
     */
    static Table of(List<Row> rows, String reportingCurrency, LocalDate asOf) {
      Map<String, TreeMap<Integer, Long>> byCurrency = new HashMap<>();
      for (Row r : rows) {
        int day = (int) toLocalDate(r.get(1)).toEpochDay();
        BigDecimal rate = r.getDecimal(2);
        byCurrency.computeIfAbsent(r.getString(0), c -> new TreeMap<>())
            .put(day, rate == null ? NONE : rate.setScale(RATE.scale()).unscaledValue().longValueExact());
      }
      HashMap<String, Series> series = new HashMap<>();
      int asOfDay = (int) asOf.toEpochDay();
      byCurrency.forEach((currency, rates) -> {
        int first = rates.firstKey();
        long[] daily = new long[Math.max(first, asOfDay) - first + 1];
        long last = NONE;
        for (int i = 0; i < daily.length; i++) {
          Long r = rates.get(first + i);
          last = r != null && r != NONE ? r : last;
          daily[i] = last;
        }
        series.put(currency, new Series(first, daily));
      });
      return new Table(series, reportingCurrency);
    }

    private static int dayNumber(Object day) {
      return day instanceof Integer n ? n : (int) toLocalDate(day).toEpochDay();
    }

    private static LocalDate toLocalDate(Object d) {
      return d instanceof LocalDate ld ? ld : ((java.sql.Date) d).toLocalDate();
    }

    /** {@code day}: a DATE (java.sql.Date or LocalDate, as Spark passes it) or its day number ({@code unix_date}). */
    @Override
    public BigDecimal call(String currency, Object day) {
      if (currency == null) {
        return null;
      }
      if (currency.equals(reportingCurrency)) {
        return BigDecimal.ONE;
      }
      Series s = series.get(currency);
      if (s == null) {
        return null;
      }
      long[] daily = s.daily();
      int i = day == null ? -1 : dayNumber(day) - s.firstDay();
      long r = i >= 0 && i < daily.length && daily[i] != NONE ? daily[i] : daily[0];
      return r == NONE ? null : BigDecimal.valueOf(r, RATE.scale());
    }
  }
}
