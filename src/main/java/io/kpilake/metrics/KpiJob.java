package io.kpilake.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.kpilake.config.KpiConfig;
import io.kpilake.contract.FeedSpec;
import io.kpilake.contract.Feeds;
import io.kpilake.ingest.SilverTables;
import io.kpilake.model.FxRates;
import io.kpilake.model.RevenueModel;
import io.kpilake.ops.QualityGates;
import io.kpilake.ops.Retry;
import io.kpilake.ops.RunContext;
import io.kpilake.ops.StepLog;
import io.kpilake.contract.AccountKpiTables;
import io.kpilake.contract.KpiTable;
import io.kpilake.contract.KpiTables;
import io.kpilake.publish.PublishedCatalog;
import io.kpilake.contract.PublishedTables;
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
 * Every KPI of kpis.md: builds the account-month revenue once, derives the revenue KPIs (sections
 * 1-4, renewals) and the account KPIs (sections 5-7, {@link AccountKpis}) from it, checks the
 * quality gates ({@link KpiGates}), then publishes all tables. When the silver inputs and the policy are
 * the same as for the published tables, nothing is rewritten (a rerun changes no table version).
 */
public final class KpiJob {
  private final Warehouse wh;
  private final KpiConfig cfg;
  private final RunContext run;
  private final StepLog steps;
  private final SparkSession spark;
  private final boolean recompute;

  public KpiJob(Warehouse wh, KpiConfig cfg, RunContext run, StepLog steps) {
    this(wh, cfg, run, steps, false);
  }

  private KpiJob(Warehouse wh, KpiConfig cfg, RunContext run, StepLog steps, boolean recompute) {
    this.wh = wh;
    this.cfg = cfg;
    this.run = run;
    this.steps = steps;
    this.spark = wh.spark();
    this.recompute = recompute;
  }

  /** With {@code true}: recompute and republish even when inputs and policy are unchanged (backfill). */
  public KpiJob recompute(boolean always) {
    return new KpiJob(wh, cfg, run, steps, always);
  }

  /**
   * Silver tables that many KPI queries read. Each read of a Delta table in a query costs a Spark job
   * of its own (Delta's "Filtering files for query"), so these are read once per run into a lazy
   * local checkpoint (memory, spilling to the executors' disks). Activities too: the account step
   * reads them five times (the health history's change search, the signals). Usage, the largest
   * feed, is read twice: into a checkpoint too when the step is small data ({@link #readOnce}),
   * else a plain Delta scan each time.
   */
  private static final java.util.Set<FeedSpec> READ_ONCE = java.util.Set.of(Feeds.INVOICE_LINES, Feeds.SUBSCRIPTIONS,
      Feeds.PAYMENT_EVENTS, Feeds.ACCOUNTS, Feeds.FX_RATES, Feeds.TICKETS, Feeds.ACTIVITIES);
  private final Map<FeedSpec, Dataset<Row>> silverReads = new java.util.concurrent.ConcurrentHashMap<>();
  /** True when the run's KPI step is small data ({@link io.kpilake.spark.SmallData}); set by {@link #run}. */
  private boolean smallStep;

  /**
   * Driver threads that plan a step's tables. Planning (analysis, optimization, a Delta scan's
   * snapshot and file jobs) is one thread's work: two overlap on a two-core machine
   * (docs/design.md, "The KPI step plans two tables at a time").
   */
  static final int PLANNING_THREADS = 2;

  /** True when the KPIs read {@code feed} once, into a checkpoint (see {@link #READ_ONCE}). */
  private boolean readOnce(FeedSpec feed) {
    return READ_ONCE.contains(feed) || (smallStep && feed.equals(Feeds.USAGE_DAILY));
  }

  /**
   * Silver's lineage columns that no KPI reads: left out of every read, so that Delta does not
   * decode them and the checkpoints do not hold them (a file path and a SHA-256 in hex are most of
   * a row's bytes). The quarantine of records in unpriceable currencies reads the table itself.
   */
  private static final String[] NOT_READ = {"_source_file", "_file_order", "_row_number", "_run_id", "_hash"};

  /** A silver table as the KPIs read it, planned once per run (threads: one feed each, {@link #planSilverReads}). */
  private Dataset<Row> silver(FeedSpec feed) {
    Dataset<Row> read = silverReads.get(feed);
    if (read == null) {
      Dataset<Row> table = silverTable(feed).drop(NOT_READ);
      read = readOnce(feed) ? table.localCheckpoint(false) : table;
      silverReads.put(feed, read);
    }
    return read;
  }

  /**
   * Plans the read-once silver tables' checkpoints two at a time. Planning a Delta scan runs two
   * small Spark jobs (the snapshot's state and the file filter) and the driver's planning around
   * them, one thread's work that leaves the other core idle.
   */
  private void planSilverReads() {
    io.kpilake.ops.Parallel.map(Feeds.ALL.stream().filter(this::readOnce).toList(), PLANNING_THREADS, "kpi-read", this::silver);
  }

  /** A silver table, every column. It exists: {@link #inputsFingerprint}, the run's first step, ensured every feed's. */
  private Dataset<Row> silverTable(FeedSpec feed) {
    return wh.table("silver", feed.tableName()).toDF();
  }

  /** The SQL models' hash in {@link #inputsFingerprint}, after this key (a feed's table follows it). */
  private static final String MODELS = ";models=";

  /** True when {@code inputs} (a published table's {@code kpi.inputs}) names the SQL models of this build. */
  static boolean sameModels(String inputs) {
    return inputs != null && inputs.contains(MODELS + io.kpilake.model.SqlModel.hashAll() + ";");
  }

  /**
   * What the run reads: silver versions, as-of date, policy and the SQL models' definitions. Same
   * inputs, same outputs; a changed model file recomputes every table. Ensures every silver table
   * first (once per run: the KPI reads after it take them as they are).
   */
  String inputsFingerprint() {
    StringBuilder sb = new StringBuilder("as_of=" + run.asOf() + ";policy=" + run.policyHash() + MODELS + io.kpilake.model.SqlModel.hashAll());
    for (FeedSpec f : Feeds.ALL) {
      SilverTables.ensure(wh, f, cfg.ingest().silverDeletionVectors());
      sb.append(';').append(f.tableName()).append('=').append(wh.version("silver", f.tableName()));
    }
    return sb.toString();
  }

  /** The bytes of every silver table (from their Delta checksums; saturates when one is unknown). */
  private long silverBytes() {
    return wh.sizeInBytes("silver", Feeds.ALL.stream().map(FeedSpec::tableName).toList());
  }

  /**
   * What a run published: its rows per table, and the tables themselves as this run computed them
   * (held in memory until the process ends; the report is drawn from them). Both empty when the run
   * had nothing to recompute.
   */
  public record Published(Map<String, Long> rows, Map<KpiTable, Dataset<Row>> tables) {
    static final Published NOTHING = new Published(Map.of(), Map.of());
  }

  /** Computes, checks and publishes. */
  public Published run() {
    StepLog.Step step = steps.start("kpis");
    String inputs = inputsFingerprint();
    if (!recompute && PublishedTables.ALL.stream().allMatch(t -> inputs.equals(Publisher.inputsOf(wh, t)))) {
      Map<String, Long> current = Publisher.currentVersions(wh, PublishedTables.ALL);
      if (current.equals(Publisher.latestPublication(wh))) {
        step.end("skipped", null, null, null, "inputs and policy unchanged since the published run: nothing to recompute");
        return Published.NOTHING;
      }
      // Every table holds this run's results but the publication was never recorded (a run stopped
      // between its last table commit and the record): complete it, nothing to recompute.
      new Publisher(wh, run, inputs).recordPublication(current);
      PublishedCatalog.registerAll(wh);
      step.succeeded(null, null, null, "tables already computed for these inputs: publication completed");
      return Published.NOTHING;
    }
    long silverBytes = silverBytes();
    io.kpilake.spark.SmallData.configure(spark, cfg.spark(), silverBytes, "kpis");
    smallStep = io.kpilake.spark.SmallData.isSmall(cfg.spark(), silverBytes);
    StepLog.Step revenueStep = steps.start("revenue kpis");
    spark.sparkContext().setJobGroup("revenue", "revenue KPIs as of " + run.asOf(), false);
    try {
      planSilverReads();
      Dataset<Row> lines = silver(Feeds.INVOICE_LINES);
      Dataset<Row> subs = silver(Feeds.SUBSCRIPTIONS);
      Dataset<Row> payments = silver(Feeds.PAYMENT_EVENTS);
      FxRates fx = FxRates.of(silver(Feeds.FX_RATES).filter(col("_is_current")), cfg.reportingCurrency(), run.asOf());

      // Read four times (the FX notes, the account-month revenue, and the renewals' due lines and
      // covering lines): a lazy checkpoint, filled by the FX notes' job, so the lines are filtered
      // and joined with the subscriptions once.
      Dataset<Row> mrrLines = RevenueModel.mrrLines(subs).apply(lines).localCheckpoint(false);
      List<String> fxNotes = fxNotes(mrrLines, payments, fx);
      Dataset<Row> priced = mrrLines.filter(fx.priceable(col("currency")));

      // Account-month revenue, computed once: the KPIs build on it and the accounts-covered gate checks
      // that no later step loses an account of it.
      // Checkpoints are lazy: the row counts below materialize each one in the job that counts it.
      Dataset<Row> revenue = accountMonthRevenue(priced, fx, run.asOf()).localCheckpoint(false);
      Dataset<Row> accountMonths = accountMonthsFromRevenue(revenue, subs, payments, silver(Feeds.ACCOUNTS), run.asOf(),
          cfg.metrics().involuntaryWindowDays()).localCheckpoint(false);

      Map<KpiTable, Dataset<Row>> results = new LinkedHashMap<>();
      results.put(KpiTables.ACCOUNT_MRR_MONTHLY, accountMonths);
      Dataset<Row> pricedPayments = payments.filter(fx.priceable(col("currency")));
      Dataset<Row> accounts = silver(Feeds.ACCOUNTS);
      Map<KpiTable, java.util.function.Supplier<Dataset<Row>>> revenueTables = new LinkedHashMap<>();
      revenueTables.put(KpiTables.MRR_MOVEMENTS_MONTHLY, () -> MrrMetrics.movementsMonthly().apply(accountMonths));
      revenueTables.put(KpiTables.RETENTION, () -> RetentionMetrics.retention(1, 3, 12).apply(accountMonths));
      revenueTables.put(KpiTables.COHORT_MATRIX, () -> RetentionMetrics.cohortMatrix().apply(accountMonths));
      revenueTables.put(KpiTables.CHURN_MONTHLY, () -> ChurnMetrics.churnMonthly().apply(accountMonths));
      revenueTables.put(KpiTables.LTV, () -> LtvMetrics.ltv(run.asOf(), cfg.metrics().grossMargin(), cfg.metrics().maxLifetimeMonths())
          .apply(accountMonths));
      revenueTables.put(KpiTables.LTV_REALIZED, () -> LtvMetrics.ltvRealized(pricedPayments, fx, run.asOf()).apply(accountMonths));
      revenueTables.put(KpiTables.RENEWALS_MONTHLY, () -> RenewalMetrics.renewalsMonthly(fx, run.asOf())
          .apply(RevenueModel.withCrmAttributes(accounts).apply(priced)));
      results.putAll(checkpointAll(revenueTables));

      Map<String, Long> published = countRows(results);
      long accountMonthRows = published.get(KpiTables.ACCOUNT_MRR_MONTHLY.name());
      revenueStep.succeeded(null, accountMonthRows, null, StepLog.count(accountMonthRows) + " account-months, "
          + KpiTables.REVENUE.size() + " tables computed" + (fxNotes.isEmpty() ? "" : "; " + String.join("; ", fxNotes)));

      StepLog.Step accountStep = steps.start("account kpis");
      spark.sparkContext().setJobGroup("account-kpis", "health, back-test, value at risk, payments and support as of " + run.asOf(), false);
      Dataset<Row> tickets = silver(Feeds.TICKETS);
      HealthHistory.Plan history = recompute ? HealthHistory.Plan.full("recompute requested")
          : silverBytes < cfg.ops().incrementalMinSilverBytes() ? HealthHistory.Plan.full("silver below kpi.ops.incremental.min-silver-bytes")
          : HealthHistory.plan(wh, Publisher.latest(wh), run, this::silver, cfg.ops().incrementalMaxShare());
      Map<KpiTable, Dataset<Row>> account = AccountKpis.compute(new AccountKpis.Inputs(
              lines.filter(fx.priceable(col("currency"))), subs, silver(Feeds.ACCOUNTS),
              tickets, silver(Feeds.ACTIVITIES), silver(Feeds.USAGE_DAILY), pricedPayments, !tickets.isEmpty()),
          accountMonths, fx, cfg.metrics(), run.asOf(), history.reuse());
      results.putAll(account);
      results.put(io.kpilake.contract.KpiCatalogTable.TABLE, io.kpilake.publish.KpiCatalog.table(spark, cfg.catalog(), PublishedTables.MEASURED));
      Map<KpiTable, Dataset<Row>> accountAndCatalog = new LinkedHashMap<>(account);
      accountAndCatalog.put(io.kpilake.contract.KpiCatalogTable.TABLE, results.get(io.kpilake.contract.KpiCatalogTable.TABLE));
      published.putAll(countRows(accountAndCatalog));
      long healthRows = published.get(AccountKpiTables.ACCOUNT_HEALTH.name());
      accountStep.succeeded(null, healthRows, null, StepLog.count(healthRows) + " account health snapshots, "
          + AccountKpiTables.ALL.size() + " tables computed; " + history.describe());

      StepLog.Step gateStep = steps.start("kpi quality gates");
      spark.sparkContext().setJobGroup("kpi-gates", "quality gates on the KPIs as of " + run.asOf(), false);
      Dataset<Row> health = results.get(AccountKpiTables.ACCOUNT_HEALTH);
      List<QualityGates.Finding> findings = new ArrayList<>(KpiGates.invariants(results,
          history.reuse() == null ? health : history.reuse().computedOf(health)));
      findings.addAll(KpiGates.accountsCovered(revenue, run.asOf(), results));
      findings.addAll(KpiGates.rowCountDrop(wh, published, Publisher.latestPublication(wh), cfg.quality().gate(KpiConfig.QualitySettings.ROW_COUNT_DROP).max()));
      QualityGates.enforce(findings, cfg.quality(), gateStep, "KPI gates passed", "KPIs not published: ");

      StepLog.Step publishStep = steps.start("publish");
      spark.sparkContext().setJobGroup("publish", "publish kpi.* as of " + run.asOf(), false);
      Publisher publisher = new Publisher(wh, run, inputs);
      Retry retry = Retry.of(cfg.ops());
      // A night that keeps the health history replaces the latest snapshots only (null: whole).
      Publisher.Replacement healthPart = history.reuse() == null ? null : history.reuse().replacement(health);
      // Idempotent: a retry replaces the table's content again (a partial replacement, once
      // committed, no longer finds the table at its base version and replaces it whole); readers
      // follow the publication record.
      Map<String, Long> versions = publishAll(results, cfg.ops().parallelPublish(), (t, rows) -> retry.call("publish kpi." + t.name(),
          () -> publisher.publish(t, rows, published.get(t.name()), t.equals(AccountKpiTables.ACCOUNT_HEALTH) ? healthPart : null)));
      retry.run("record the publication", () -> publisher.recordPublication(versions));
      PublishedCatalog.registerAll(wh);
      publishStep.succeeded(null, published.values().stream().mapToLong(Long::longValue).sum(), null,
          "published " + published.size() + " tables");
      step.succeeded(null, accountMonthRows, null, "KPIs as of " + run.asOf() + " published");
      return new Published(Map.copyOf(published), java.util.Collections.unmodifiableMap(results));
    } catch (Exception e) {
      step.failed(e.getMessage());
      throw e;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /**
   * Publishes every table, {@code threads} at a time, and returns the version of each in the map's
   * order. The tables are independent Delta tables, each with its own commits; what overlaps is
   * per-commit latency (on two cores little: docs/design.md). When one fails, the others
   * still finish (their versions stay unrecorded, as after any failed run) and the first failure,
   * in table order, is thrown with the others attached.
   */
  static Map<String, Long> publishAll(Map<KpiTable, Dataset<Row>> results, int threads,
      java.util.function.BiFunction<KpiTable, Dataset<Row>, Long> publish) {
    List<KpiTable> tables = new ArrayList<>(results.keySet());
    List<Long> versions = io.kpilake.ops.Parallel.map(tables, threads, "kpi-publish", t -> publish.apply(t, results.get(t)));
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < tables.size(); i++) {
      out.put(tables.get(i).name(), versions.get(i));
    }
    return out;
  }

  /**
   * Each table's lazy local checkpoint, in the map's order, planned {@link #PLANNING_THREADS} at a
   * time: planning a table (analysis, optimization, physical planning) is one driver thread's work,
   * which leaves the other core idle.
   */
  static Map<KpiTable, Dataset<Row>> checkpointAll(Map<KpiTable, java.util.function.Supplier<Dataset<Row>>> tables) {
    List<KpiTable> keys = new ArrayList<>(tables.keySet());
    List<Dataset<Row>> planned = io.kpilake.ops.Parallel.map(keys, PLANNING_THREADS, "kpi-plan",
        t -> tables.get(t).get().localCheckpoint(false));
    Map<KpiTable, Dataset<Row>> out = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      out.put(keys.get(i), planned.get(i));
    }
    return out;
  }

  /**
   * Rows per table, in the map's order, all in one Spark job (a union of one count per table),
   * which also fills every table's lazy local checkpoint. A checkpoint that several tables build on
   * is computed once: the first task to need a partition stores it, the others wait and read it.
   */
  static Map<String, Long> countRows(Map<KpiTable, Dataset<Row>> tables) {
    Dataset<Row> counts = null;
    for (Map.Entry<KpiTable, Dataset<Row>> e : tables.entrySet()) {
      Dataset<Row> c = e.getValue().groupBy().count().select(org.apache.spark.sql.functions.lit(e.getKey().name()).as("t"), col("count"));
      counts = counts == null ? c : counts.unionByName(c);
    }
    Map<String, Long> byName = new java.util.HashMap<>();
    for (Row r : counts.collectAsList()) {
      byName.put(r.getString(0), r.getLong(1));
    }
    Map<String, Long> out = new LinkedHashMap<>();
    tables.keySet().forEach(t -> out.put(t.name(), byName.get(t.name())));
    return out;
  }

  /** kpi.account_mrr_monthly from priced MRR lines ({@link RevenueModel#mrrLines}) and silver tables. */
  public static Dataset<Row> accountMonths(Dataset<Row> mrrLines, Dataset<Row> subs, Dataset<Row> payments, Dataset<Row> accounts,
      FxRates fx, java.time.LocalDate asOf, int involuntaryWindowDays) {
    return accountMonthsFromRevenue(accountMonthRevenue(mrrLines, fx, asOf), subs, payments, accounts, asOf, involuntaryWindowDays);
  }

  /** Revenue per account and month up to the as-of month, in the reporting currency. */
  static Dataset<Row> accountMonthRevenue(Dataset<Row> mrrLines, FxRates fx, java.time.LocalDate asOf) {
    return RevenueModel.accountMonthRevenue(fx, asOf).apply(mrrLines);
  }

  /** kpi.account_mrr_monthly from {@link #accountMonthRevenue}: the month grid, movements, churn type, CRM attributes. */
  static Dataset<Row> accountMonthsFromRevenue(Dataset<Row> revenue, Dataset<Row> subs, Dataset<Row> payments,
      Dataset<Row> accounts, java.time.LocalDate asOf, int involuntaryWindowDays) {
    return RevenueModel.accountMonths(subs, payments, accounts, asOf, involuntaryWindowDays).apply(revenue);
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
      Dataset<Row> bad = silverTable(f).filter(col("_is_current").and(col("currency").isin(currencies.toArray())))
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

  /**
   * One readable note per FX problem: currencies without any rate, and amounts priced at a later
   * first rate; found in one Spark job, against the small table of each currency's first rate.
   */
  private List<String> fxNotes(Dataset<Row> mrrLines, Dataset<Row> payments, FxRates fx) {
    List<String> notes = new ArrayList<>();
    // feeds.md: an amount measured before its currency's first rate uses that first rate, and the run
    // reports it: MRR lines (from their service start) and payments (realized LTV and recovered
    // amounts convert at the payment's day).
    Dataset<Row> uses = mrrLines.select(org.apache.spark.sql.functions.lit("line").as("kind"), col("currency"), col("period_start").as("d"))
        .unionByName(payments.filter(col("_is_current")).select(org.apache.spark.sql.functions.lit("payment").as("kind"), col("currency"),
            expr("to_date(occurred_at)").as("d")));
    Row found = fx.withFirstDay(uses, "currency", "_first").agg(
        expr("array_sort(collect_set(CASE WHEN _first_missing THEN currency END))").as("missing"),
        expr("count_if(kind = 'line' AND d < _first)").as("early_lines"),
        expr("count_if(kind = 'payment' AND d < _first)").as("early_payments")).first();
    List<String> codes = found.getList(0);
    if (!codes.isEmpty()) {
      long n = quarantineUnpriceable(codes);
      notes.add("no FX rate at all for " + codes + ": " + n + " invoice line(s) and payment(s) quarantined, out of the KPIs");
    }
    if (found.getLong(1) > 0) {
      notes.add(found.getLong(1) + " MRR line(s) start before their currency's first FX rate and use that first rate");
    }
    if (found.getLong(2) > 0) {
      notes.add(found.getLong(2) + " payment(s) occurred before their currency's first FX rate and use that first rate");
    }
    return notes;
  }
}
