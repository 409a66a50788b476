package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.config.KpiConfig;
import io.kpilake.ingest.FeedSpec;
import io.kpilake.ingest.Feeds;
import io.kpilake.ingest.SilverTables;
import io.kpilake.model.FxRates;
import io.kpilake.model.RevenueModel;
import io.kpilake.ops.QualityGateFailure;
import io.kpilake.ops.RunContext;
import io.kpilake.ops.StepLog;
import io.kpilake.publish.KpiTable;
import io.kpilake.publish.KpiTables;
import io.kpilake.publish.Publisher;
import io.kpilake.spark.Warehouse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Sections 1-4 and renewals: builds the account-month revenue once, derives every revenue KPI
 * from it, checks the invariants (error gates), then publishes. When the silver inputs and the
 * policy are the same as for the published tables, nothing is rewritten (a rerun changes no table
 * version).
 */
public final class RevenueJob {
  private final Warehouse wh;
  private final KpiConfig cfg;
  private final RunContext run;
  private final StepLog steps;
  private final SparkSession spark;

  public RevenueJob(Warehouse wh, KpiConfig cfg, RunContext run, StepLog steps) {
    this.wh = wh;
    this.cfg = cfg;
    this.run = run;
    this.steps = steps;
    this.spark = wh.spark();
  }

  private Dataset<Row> silver(FeedSpec feed) {
    SilverTables.ensure(wh, feed);
    return wh.table("silver", feed.tableName()).toDF();
  }

  /** What the run reads: silver versions, as-of date and policy. Same inputs, same outputs. */
  String inputsFingerprint() {
    StringBuilder sb = new StringBuilder("as_of=" + run.asOf() + ";policy=" + run.policyHash());
    for (FeedSpec f : Feeds.ALL) {
      SilverTables.ensure(wh, f);
      sb.append(';').append(f.tableName()).append('=').append(wh.table("silver", f.tableName()).history(1).first().getLong(0));
    }
    return sb.toString();
  }

  /** Computes, checks and publishes; returns the rows published per table (empty when skipped). */
  public Map<String, Long> run() {
    StepLog.Step step = steps.start("revenue kpis");
    String inputs = inputsFingerprint();
    if (inputs.equals(Publisher.inputsOf(wh, KpiTables.ACCOUNT_MRR_MONTHLY))
        && KpiTables.REVENUE.stream().allMatch(t -> inputs.equals(Publisher.inputsOf(wh, t)))) {
      step.end("skipped", null, null, null, "inputs and policy unchanged since the published run: nothing to recompute");
      return Map.of();
    }
    spark.sparkContext().setJobGroup("revenue", "revenue KPIs as of " + run.asOf(), false);
    try {
      Dataset<Row> lines = silver(Feeds.INVOICE_LINES);
      Dataset<Row> subs = silver(Feeds.SUBSCRIPTIONS);
      Dataset<Row> payments = silver(Feeds.PAYMENT_EVENTS);
      FxRates fx = FxRates.of(silver(Feeds.FX_RATES).filter(col("_is_current")), cfg.reportingCurrency(), run.asOf());

      Dataset<Row> mrrLines = RevenueModel.mrrLines(subs).apply(lines);
      List<String> fxNotes = fxNotes(mrrLines, payments, fx);
      Dataset<Row> priced = mrrLines.join(unpriceable(mrrLines, fx), new String[] {"currency"}, "left_anti");

      Dataset<Row> accountMonths = accountMonths(priced, subs, payments, silver(Feeds.ACCOUNTS), fx, run.asOf(),
          cfg.metrics().involuntaryWindowDays()).localCheckpoint(true);

      Map<KpiTable, Dataset<Row>> results = new LinkedHashMap<>();
      results.put(KpiTables.ACCOUNT_MRR_MONTHLY, accountMonths);
      results.put(KpiTables.MRR_MOVEMENTS_MONTHLY, MrrMetrics.movementsMonthly().apply(accountMonths).localCheckpoint(true));
      results.put(KpiTables.RETENTION, RetentionMetrics.retention(1, 3, 12).apply(accountMonths).localCheckpoint(true));
      results.put(KpiTables.COHORT_MATRIX, RetentionMetrics.cohortMatrix().apply(accountMonths).localCheckpoint(true));
      results.put(KpiTables.CHURN_MONTHLY, ChurnMetrics.churnMonthly().apply(accountMonths).localCheckpoint(true));
      results.put(KpiTables.LTV, LtvMetrics.ltv(run.asOf(), cfg.metrics().grossMargin(), cfg.metrics().maxLifetimeMonths())
          .apply(accountMonths).localCheckpoint(true));
      results.put(KpiTables.LTV_REALIZED, LtvMetrics.ltvRealized(payments.join(unpriceable(payments, fx), new String[] {"currency"},
          "left_anti"), fx, run.asOf()).apply(accountMonths).localCheckpoint(true));
      results.put(KpiTables.RENEWALS_MONTHLY, RenewalMetrics.renewalsMonthly(fx, run.asOf())
          .apply(RevenueModel.withCrmAttributes(silver(Feeds.ACCOUNTS)).apply(priced)).localCheckpoint(true));

      List<String> failures = RevenueGates.check(results.get(KpiTables.ACCOUNT_MRR_MONTHLY),
          results.get(KpiTables.MRR_MOVEMENTS_MONTHLY), results.get(KpiTables.RETENTION));
      if (!failures.isEmpty()) {
        step.end("failed", null, null, null, "quality gate: " + String.join("; ", failures));
        throw new QualityGateFailure("revenue KPIs not published: " + String.join("; ", failures));
      }
      Publisher publisher = new Publisher(wh, run, inputs);
      Map<String, Long> published = new LinkedHashMap<>();
      for (Map.Entry<KpiTable, Dataset<Row>> e : results.entrySet()) {
        published.put(e.getKey().name(), e.getValue().count());
      }
      for (Map.Entry<KpiTable, Dataset<Row>> e : results.entrySet()) {
        publisher.publish(e.getKey(), e.getValue());
      }
      wh.registerAll();
      long accountMonthRows = published.get(KpiTables.ACCOUNT_MRR_MONTHLY.name());
      step.succeeded(null, accountMonthRows, null, "published " + published.size() + " tables (" + StepLog.count(accountMonthRows)
          + " account-months)" + (fxNotes.isEmpty() ? "" : "; " + String.join("; ", fxNotes)));
      return published;
    } catch (QualityGateFailure e) {
      throw e;
    } catch (RuntimeException e) {
      step.failed(e.getMessage());
      throw e;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /** kpi.account_mrr_monthly from priced MRR lines ({@link RevenueModel#mrrLines}) and silver tables. */
  public static Dataset<Row> accountMonths(Dataset<Row> mrrLines, Dataset<Row> subs, Dataset<Row> payments, Dataset<Row> accounts,
      FxRates fx, java.time.LocalDate asOf, int involuntaryWindowDays) {
    return RevenueModel.lineMonths(asOf)
        .andThen(RevenueModel.accountMonthRevenue(fx))
        .andThen(RevenueModel.accountMonthGrid(asOf))
        .andThen(RevenueModel.movements())
        .andThen(RevenueModel.churnType(subs, payments, asOf, involuntaryWindowDays))
        .andThen(RevenueModel.withCrmAttributes(accounts))
        .apply(mrrLines);
  }

  /**
   * Invoice lines and payments in currencies without any rate go to ops.quarantine (contract:
   * feeds.md). Insert-only MERGE on (entity, file, row, reason): a rerun adds nothing twice.
   */
  private long quarantineUnpriceable(List<String> currencies) {
    Dataset<Row> rows = null;
    for (FeedSpec f : List.of(Feeds.INVOICE_LINES, Feeds.PAYMENT_EVENTS)) {
      org.apache.spark.sql.Column[] contract = f.columnNames().stream().map(org.apache.spark.sql.functions::col)
          .toArray(org.apache.spark.sql.Column[]::new);
      Dataset<Row> bad = silver(f).filter(col("_is_current").and(col("currency").isin(currencies.toArray())))
          .select(org.apache.spark.sql.functions.lit(run.runId()).as("run_id"), org.apache.spark.sql.functions.lit(f.source()).as("source"),
              org.apache.spark.sql.functions.lit(f.entity()).as("entity"), col("_source_file").as("file"), col("_row_number").as("row_number"),
              org.apache.spark.sql.functions.to_json(org.apache.spark.sql.functions.struct(contract)).as("raw_record"),
              expr("concat('currency: no FX rate at all for ', currency)").as("reason"),
              expr("current_timestamp()").as("quarantined_at"));
      rows = rows == null ? bad : rows.unionByName(bad);
    }
    Dataset<Row> src = rows.localCheckpoint(true);
    wh.table("ops", io.kpilake.ops.OpsTables.QUARANTINE).as("t")
        .merge(src.as("s"), "t.entity = s.entity AND t.file = s.file AND t.row_number = s.row_number AND t.reason = s.reason")
        .whenNotMatched().insertAll().execute();
    return src.count();
  }

  /** Currencies of {@code df} with no FX rate at all (their records are left out, and reported). */
  private Dataset<Row> unpriceable(Dataset<Row> df, FxRates fx) {
    Dataset<Row> currencies = df.select("currency").distinct().filter(col("currency").isNotNull());
    return fx.withRate(currencies, "currency", expr("current_date()"), "_r").filter(col("_r").isNull()).select("currency");
  }

  /** One readable note per FX problem: currencies without any rate, and amounts priced at a later first rate. */
  private List<String> fxNotes(Dataset<Row> mrrLines, Dataset<Row> payments, FxRates fx) {
    List<String> notes = new ArrayList<>();
    List<Row> missing = unpriceable(mrrLines.select("currency").unionByName(
        payments.filter(col("_is_current")).select("currency")), fx).collectAsList();
    if (!missing.isEmpty()) {
      List<String> codes = missing.stream().map(r -> r.getString(0)).toList();
      long n = quarantineUnpriceable(codes);
      notes.add("no FX rate at all for " + codes + ": " + n + " invoice line(s) and payment(s) quarantined, out of the KPIs");
    }
    long early = fx.withRate(mrrLines.select(col("currency"), col("period_start").as("d")), "currency", col("d"), "_r")
        .filter(col("_r_early")).count();
    if (early > 0) {
      notes.add(early + " MRR line(s) start before their currency's first FX rate and use that first rate");
    }
    return notes;
  }
}
