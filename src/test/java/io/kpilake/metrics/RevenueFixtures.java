package io.kpilake.metrics;

import io.kpilake.SparkTestBase;
import io.kpilake.model.FxRates;
import io.kpilake.model.RevenueModel;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Inline silver-shaped fixtures for the revenue tests (only the columns the KPIs read). */
abstract class RevenueFixtures extends SparkTestBase {
  static final String NO_ROWS = "";

  /** Rows "line_id, account_id, subscription_id, currency, status, type, amount, start, end". */
  static Dataset<Row> lines(String... rows) {
    return values("line_id STRING, account_id STRING, subscription_id STRING, currency STRING, invoice_status STRING, "
        + "line_type STRING, amount DECIMAL(18,2), period_start DATE, period_end DATE", rows);
  }

  /** Rows "subscription_id, account_id, ended_at, cancel_reason". */
  static Dataset<Row> subs(String... rows) {
    return values("subscription_id STRING, account_id STRING, ended_at TIMESTAMP, cancel_reason STRING", rows);
  }

  /** Rows "event_id, account_id, event_type, status, amount, currency, occurred_at". */
  static Dataset<Row> payments(String... rows) {
    return values("event_id STRING, account_id STRING, event_type STRING, status STRING, amount DECIMAL(18,2), "
        + "currency STRING, occurred_at TIMESTAMP", rows);
  }

  /** Rows "rate_date, currency, rate_to_reporting". */
  static Dataset<Row> rates(String... rows) {
    return values("rate_date DATE, currency STRING, rate_to_reporting DECIMAL(18,8)", rows);
  }

  /** Rows "account_id, segment, region, owner". */
  static Dataset<Row> accounts(String... rows) {
    return values("account_id STRING, segment STRING, region STRING, owner STRING", rows);
  }

  /** A DataFrame from a DDL schema and rows of comma-separated values ('null' = null). */
  static Dataset<Row> values(String ddl, String... rows) {
    org.apache.spark.sql.types.StructType schema = org.apache.spark.sql.types.StructType.fromDDL(ddl);
    java.util.List<Row> data = new java.util.ArrayList<>();
    for (String r : rows) {
      String[] v = r.split(",", -1);
      Object[] cells = new Object[schema.size()];
      for (int i = 0; i < schema.size(); i++) {
        String s = v[i].strip();
        cells[i] = s.equals("null") ? null : s;
      }
      data.add(org.apache.spark.sql.RowFactory.create(cells));
    }
    org.apache.spark.sql.types.StructType text = new org.apache.spark.sql.types.StructType(
        java.util.Arrays.stream(schema.fields()).map(f -> f.copy(f.name(), org.apache.spark.sql.types.DataTypes.StringType, true, f.metadata()))
            .toArray(org.apache.spark.sql.types.StructField[]::new));
    Dataset<Row> df = spark().createDataFrame(data, text);
    for (org.apache.spark.sql.types.StructField f : schema.fields()) {
      df = df.withColumn(f.name(), df.col(f.name()).cast(f.dataType()));
    }
    // Versioned fixtures (with _valid_to) are current where _valid_to is null; the others are all current.
    return java.util.Arrays.asList(schema.fieldNames()).contains("_valid_to")
        ? df.withColumn("_is_current", df.col("_valid_to").isNull())
        : df.withColumn("_is_current", org.apache.spark.sql.functions.lit(true));
  }

  static FxRates fx(Dataset<Row> rates, LocalDate asOf) {
    return FxRates.of(rates, "USD", asOf);
  }

  /** The account-month table exactly as the nightly job builds it. */
  static Dataset<Row> accountMonths(Dataset<Row> lines, Dataset<Row> subs, Dataset<Row> payments, Dataset<Row> rates,
      Dataset<Row> accounts, LocalDate asOf) {
    return KpiJob.accountMonths(RevenueModel.mrrLines(subs).apply(lines), subs, payments, accounts, fx(rates, asOf), asOf, 30);
  }
}
