package io.kpilake.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A KPI model written in Spark SQL: {@code models/<name>.sql} on the class path
 * ({@code src/main/resources/models}), one file per table, read where the KPI is defined. A model
 * names its inputs as plain tables ({@code FROM account_mrr_monthly}) and its settings as named
 * parameter markers ({@code :windows}); {@link #run} binds both, so no value is pasted into SQL
 * text. The table's declaration (columns, comments, constraints) is the contract class the file's
 * header names.
 */
public final class SqlModel {
  /** Every model file, in the order their texts enter {@link #hashAll}. {@code SqlModelTest} checks the folder against it. */
  public static final List<String> ALL = List.of("mrr_lines", "account_month_revenue", "account_mrr_monthly",
      "mrr_movements_monthly", "retention", "cohort_matrix", "churn_monthly", "ltv",
      "ltv_realized", "renewals_monthly", "payments_monthly", "support_monthly", "support_monthly_months", "value_at_risk_renewal_dates", "value_at_risk", "value_at_risk_summary",
      "health_backtest_labels", "health_auc", "health_backtest");

  private static final Map<String, String> TEXTS = new ConcurrentHashMap<>();
  private static final Object SESSION_VIEWS = new Object();

  private final String name;
  private final String sql;

  private SqlModel(String name, String sql) {
    this.name = name;
    this.sql = sql;
  }

  /** The model {@code models/<name>.sql}. */
  public static SqlModel of(String name) {
    return new SqlModel(name, TEXTS.computeIfAbsent(name, SqlModel::read));
  }

  public String name() {
    return name;
  }

  /** The model's SQL text, as in its file. */
  public String sql() {
    return sql;
  }

  /**
   * The model's rows: each input is visible to the query under its name (a temporary view for the
   * analysis only: the result holds the inputs' plans, and the views are dropped before this
   * returns), each parameter bound to its marker.
   */
  public Dataset<Row> run(Map<String, Dataset<Row>> inputs, Map<String, Object> params) {
    return run(inputs, params, null);
  }

  /**
   * {@link #run(Map, Map)} with the run's FX rates as the SQL function {@code fx_rate(currency,
   * day)} ({@link FxRates#FUNCTION}), registered for the analysis only like the inputs.
   */
  public Dataset<Row> run(Map<String, Dataset<Row>> inputs, Map<String, Object> params, FxRates fx) {
    SparkSession spark = inputs.values().iterator().next().sparkSession();
    synchronized (SESSION_VIEWS) {
      try {
        inputs.forEach((view, df) -> df.createOrReplaceTempView(view));
        if (fx != null) {
          spark.udf().register(FxRates.FUNCTION, fx.function());
        }
        return spark.sql(sql, params);
      } catch (Exception e) {
        // Spark's AnalysisException is a checked exception in Java's terms, thrown undeclared.
        throw new IllegalStateException("KPI model models/" + name + ".sql: " + e.getMessage(), e);
      } finally {
        inputs.keySet().forEach(view -> spark.catalog().dropTempView(view));
        if (fx != null) {
          spark.sql("DROP TEMPORARY FUNCTION IF EXISTS " + FxRates.FUNCTION);
        }
      }
    }
  }

  /** A short SHA-256 of every model's name and text: part of a run's inputs, so that a definition change recomputes. */
  public static String hashAll() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String m : ALL) {
        md.update((m + "\n" + of(m).sql() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(String name) {
    String path = "/models/" + name + ".sql";
    try (InputStream in = SqlModel.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no KPI model " + path + " on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading KPI model " + path, e);
    }
  }
}
