package io.kpilake.cli;

import io.kpilake.NightlyJob;
import io.kpilake.config.KpiConfig;
import io.kpilake.generate.Generator;
import io.kpilake.ingest.IngestJob;
import io.kpilake.publish.ResultFormatter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", description = "Generate a sample landing area, run the nightly pipeline on it and print a summary.")
public final class DemoCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(names = "--accounts", defaultValue = "2000", description = "Accounts in the sample (default ${DEFAULT-VALUE})")
  int accounts;

  @Option(names = "--months", defaultValue = "24", description = "Months of history (default ${DEFAULT-VALUE})")
  int months;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--landing", defaultValue = "./demo-landing", description = "Where the sample is written (default ${DEFAULT-VALUE})")
  Path landing;

  PrintStream out = System.out;

  @Override
  public Integer call() {
    AppContext base = common.context(true);
    LocalDate start = LocalDate.parse("2024-01-01");
    Generator.Params params = new Generator.Params(accounts, months, seed, landing, start, 120, 0.002);
    Path marker = landing.resolve("_generated");
    String signature = accounts + "/" + months + "/" + seed + "/" + start;
    if (!signature.equals(read(marker))) {
      Generator.generate(params);
      write(marker, signature);
    }
    KpiConfig cfg = base.config.withPaths(landing.toAbsolutePath().toString(), base.config.warehousePath());
    AppContext ctx = AppContext.of(cfg);
    NightlyJob.Result result = new NightlyJob(ctx.warehouse(), cfg).run(params.lastDay());

    out.println();
    out.println("KPI Lake demo: " + accounts + " accounts, " + months + " months, as of " + params.lastDay());
    out.println("landing:   " + landing.toAbsolutePath());
    out.println("warehouse: " + cfg.warehousePath());
    out.println();
    out.println(String.format(Locale.ROOT, "%-26s %6s %12s %12s %12s %12s", "feed (this run)", "files", "read", "accepted",
        "quarantined", "duplicate"));
    for (IngestJob.FeedResult r : result.ingested()) {
      out.println(String.format(Locale.ROOT, "%-26s %6d %,12d %,12d %,12d %,12d", r.feed().name(), r.files(), r.read(),
          r.accepted(), r.quarantined(), r.duplicate()));
    }
    out.println();
    out.println("Why records were quarantined (all runs):");
    ResultFormatter.print(ctx.warehouse().spark().sql(
        "SELECT source, entity, regexp_replace(reason, \"'[^']*'\", \"'...'\") AS reason, count(*) AS records "
            + "FROM ops.quarantine GROUP BY 1, 2, 3 ORDER BY records DESC LIMIT 15"), ResultFormatter.Format.table, 100, out);
    printKpiSummary(ctx, params.lastDay());
    out.println();
    if (result.report() != null) {
      String report = result.report().contains(":") ? result.report() : Path.of(result.report()).toAbsolutePath().normalize().toString();
      out.println("Report (open in a browser, works offline): " + report);
    }
    out.println("Try: bin/kpi sql \"SELECT * FROM kpi.mrr_movements_monthly ORDER BY month DESC, segment LIMIT 12\"");
    out.println("     bin/kpi sql \"SELECT account_id, owner, renewal_date, arr, health_score, bucket FROM kpi.value_at_risk "
        + "WHERE at_risk AND as_of_date = '" + params.lastDay() + "' ORDER BY arr DESC LIMIT 10\"");
    return Main.OK;
  }

  private void printKpiSummary(AppContext ctx, LocalDate asOf) {
    var spark = ctx.warehouse().spark();
    String month = "trunc(date'" + asOf + "', 'MM')";
    out.println();
    out.println("MRR bridge, " + asOf.withDayOfMonth(1) + " (all segments, reporting currency):");
    ResultFormatter.print(spark.sql("SELECT start_mrr, new_mrr, expansion_mrr, reactivation_mrr, contraction_mrr, churned_mrr, "
        + "fx_impact_mrr, end_mrr, end_accounts FROM kpi.mrr_movements_rollup WHERE month = " + month), ResultFormatter.Format.table, 10, out);
    out.println();
    out.println("12-month NRR and GRR by segment, window ending " + asOf.withDayOfMonth(1) + ":");
    ResultFormatter.print(spark.sql("SELECT segment, start_accounts, start_mrr, end_mrr, round(nrr, 3) AS nrr, round(grr, 3) AS grr, "
        + "round(logo_retention, 3) AS logo_retention FROM kpi.retention_rollup WHERE window_months = 12 AND cohort_month IS NULL "
        + "AND month = " + month + " ORDER BY segment = 'all', segment"), ResultFormatter.Format.table, 10, out);
    out.println();
    out.println("Churn split, last 3 months (all segments):");
    ResultFormatter.print(spark.sql("SELECT month, churn_type, sum(churned_accounts) AS churned_accounts, "
        + "CAST(sum(churned_mrr) AS DECIMAL(18,2)) AS churned_mrr, "
        + "round(sum(churned_accounts) / max(start_total), 4) AS logo_churn_rate FROM (SELECT *, sum(start_accounts) "
        + "OVER (PARTITION BY month, churn_type) AS start_total FROM kpi.churn_monthly) WHERE month > add_months(" + month + ", -3) "
        + "GROUP BY month, churn_type ORDER BY month, churn_type"), ResultFormatter.Format.table, 10, out);
    out.println();
    out.println("Health back-test, latest mature snapshot (churn within 90 days by bucket; AUC 0.5 = no signal, 1.0 = perfect):");
    ResultFormatter.print(spark.sql("SELECT snapshot_date, bucket, accounts, churned_within_90d, round(churn_rate, 4) AS churn_rate, "
        + "round(auc, 3) AS auc FROM kpi.health_backtest WHERE snapshot_date = (SELECT max(snapshot_date) FROM kpi.health_backtest) "
        + "ORDER BY array_position(array('green', 'yellow', 'red', 'unknown'), bucket)"), ResultFormatter.Format.table, 10, out);
    out.println();
    out.println("Value at risk: renewals due by horizon (cumulative, all owners), as of " + asOf + ":");
    ResultFormatter.print(spark.sql("SELECT horizon_days, sum(accounts_due) AS accounts_due, CAST(sum(arr_due) AS DECIMAL(18,2)) AS arr_due, "
        + "sum(accounts_at_risk) AS accounts_at_risk, CAST(sum(arr_at_risk) AS DECIMAL(18,2)) AS arr_at_risk "
        + "FROM kpi.value_at_risk_summary WHERE as_of_date = DATE'" + asOf + "' GROUP BY horizon_days ORDER BY horizon_days"),
        ResultFormatter.Format.table, 10, out);
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p).strip() : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path p, String s) {
    try {
      Files.writeString(p, s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
