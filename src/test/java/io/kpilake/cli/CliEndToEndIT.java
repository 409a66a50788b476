package io.kpilake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.kpilake.e2e.KpiCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through {@code bin/kpi} as a user runs it: generate, nightly, then a new {@code sql}
 * process sees the tables with no registration step; and the demo. The other reads, the backfill
 * and the argument checks run the same command line in this JVM ({@link KpiCli#runInProcess}): a
 * new JVM and Spark for each cost 15-60 s and prove nothing the new processes here do not.
 */
class CliEndToEndIT {
  @TempDir Path tmp;

  private KpiCli.Run kpi(Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
    return new KpiCli(tmp.resolve("logs")).run(cwd, env, args);
  }

  /** The same command in this JVM (KpiCli#runInProcess): for reads whose new process proves nothing more. */
  private KpiCli.Run kpiHere(Map<String, String> env, String... args) throws IOException {
    return KpiCli.runInProcess(tmp.resolve("conf"), env, args);
  }

  @Test
  void generateNightlyThenSqlInNewProcesses() throws Exception {
    Path landing = tmp.resolve("landing");
    Map<String, String> env = Map.of("KPI_LANDING", landing.toString(), "KPI_WAREHOUSE", tmp.resolve("wh").toString());
    KpiCli.Run gen = kpi(tmp, env, "generate", "--accounts", "40", "--months", "3", "--seed", "5", "--bad-rate", "0",
        "--out", landing.toString());
    assertEquals(0, gen.code(), gen.err());
    assertEquals("last day: 2024-03-31", gen.out().strip());

    KpiCli.Run nightly = kpi(tmp, env, "nightly", "--as-of", "2024-03-31");
    assertEquals(0, nightly.code(), nightly.err());
    // Progress on stdout; stderr stays free for an error (cli.md: the error is the first line there).
    assertTrue(nightly.out().contains("ingest billing/invoice_lines"), nightly.out());
    assertEquals("", nightly.err().strip(), nightly.err());

    // 40 accounts, all signed up before the last day, no bad records: 40 current CRM accounts.
    KpiCli.Run json = kpiHere(env, "sql", "SELECT count(*) AS n FROM silver.accounts WHERE _is_current", "--format", "json");
    assertEquals(0, json.code(), json.err());
    assertEquals("{\"n\":40}", json.out().strip());

    KpiCli.Run csv = kpiHere(env, "sql", "SELECT entity, sum(rows_quarantined) AS q FROM ops.ingested_files GROUP BY entity ORDER BY entity",
        "--format", "csv");
    assertEquals(0, csv.code(), csv.err());
    assertEquals(List.of("entity,q", "accounts,0", "activities,0", "invoice_lines,0", "payment_events,0", "rates,0",
        "subscriptions,0", "tickets,0", "usage_daily,0"), csv.out().strip().lines().toList());

    // The curated tables resolve as kpi.<name> in a new process; the bridge closes on every row.
    KpiCli.Run kpiRows = kpi(tmp, env, "sql", "SELECT count(*) > 0 AS published, count_if(mrr <> prev_mrr + new_mrr + reactivation_mrr "
        + "+ expansion_mrr - contraction_mrr - churned_mrr + fx_impact_mrr) AS broken FROM kpi.account_mrr_monthly", "--format", "csv");
    assertEquals(0, kpiRows.code(), kpiRows.err());
    assertEquals(List.of("published,broken", "true,0"), kpiRows.out().strip().lines().toList());

    KpiCli.Run health = kpiHere(env, "sql", "SELECT count(DISTINCT snapshot_date) AS snapshots, count_if(bucket = 'unknown') AS unknown "
        + "FROM kpi.account_health", "--format", "csv");
    assertEquals(0, health.code(), health.err());
    assertEquals(List.of("snapshots,unknown", "3,0"), health.out().strip().lines().toList());

    KpiCli.Run table = kpiHere(env, "sql", "SELECT step, status FROM ops.pipeline_runs WHERE step = 'nightly'");
    assertEquals(0, table.code(), table.err());
    assertTrue(table.out().contains("| nightly | succeeded |"), table.out());

    // Backfill: the dates are checked first (exit 2), then every KPI is recomputed and republished
    // although no input changed (a nightly would skip), with the same results.
    KpiCli.Run backwards = kpiHere(env, "backfill", "--from", "2024-03-31", "--to", "2024-03-01");
    assertEquals(2, backwards.code(), backwards.err());
    assertTrue(backwards.err().startsWith("kpi: --from 2024-03-31 is after --to 2024-03-01"), backwards.err());
    KpiCli.Run rollback = kpiHere(env, "backfill", "--from", "2024-01-01", "--to", "2024-02-29");
    assertEquals(2, rollback.code(), rollback.err());
    assertTrue(rollback.err().startsWith("kpi: --to 2024-02-29 is before the as-of date of the published tables (2024-03-31)"),
        rollback.err());
    // In this JVM: a batch command in a new process is the nightly above (its progress on stdout);
    // the backfill's own line is read back from its run record, where the same step message goes.
    KpiCli.Run backfill = kpiHere(env, "backfill", "--from", "2024-02-01", "--to", "2024-03-31");
    assertEquals(0, backfill.code(), backfill.err());
    KpiCli.Run restated = kpiHere(env, "sql", "SELECT message FROM ops.pipeline_runs WHERE step = 'backfill' AND status = 'succeeded'",
        "--format", "csv");
    assertEquals(0, restated.code(), restated.err());
    assertTrue(restated.out().contains("history from 2024-02-01 to 2024-03-31 restated"), restated.out());
    KpiCli.Run runs = kpiHere(env, "sql", "SELECT count(DISTINCT run_id) AS publications, "
        + "(SELECT count(*) FROM ops.pipeline_runs WHERE step = 'publish' AND status = 'succeeded') AS publishes "
        + "FROM ops.published_versions", "--format", "csv");
    assertEquals(List.of("publications,publishes", "2,2"), runs.out().strip().lines().toList(), runs.err());

    KpiCli.Run bad = kpiHere(env, "sql", "SELECT * FROM kpi.no_such_table");
    assertEquals(1, bad.code());
    assertTrue(bad.err().startsWith("kpi: failed: "), bad.err());
  }

  @Test
  void demoRunsOnAFreshDirectory() throws Exception {
    KpiCli.Run demo = kpi(tmp, Map.of(), "demo", "--accounts", "60", "--months", "3");
    assertEquals(0, demo.code(), demo.err());
    assertTrue(demo.out().contains("KPI Lake demo: 60 accounts, 3 months, as of 2024-03-31"), demo.out());
    assertTrue(demo.out().contains("billing/invoice_lines"), demo.out());
    assertTrue(demo.out().contains("MRR bridge, 2024-03-01"), demo.out());
    assertTrue(demo.out().contains("| fx_impact_mrr |") || demo.out().contains("fx_impact_mrr"), demo.out());
    assertTrue(demo.out().contains("Churn split"), demo.out());
    assertTrue(demo.out().contains("Health back-test"), demo.out());
    assertTrue(demo.out().contains("Value at risk"), demo.out());
    assertTrue(tmp.resolve("warehouse/silver/invoice_lines/_delta_log").toFile().isDirectory());
    String report = tmp.resolve("warehouse/reports/kpi-report-2024-03-31.html").toAbsolutePath().normalize().toString();
    assertTrue(demo.out().contains("Report (open in a browser, works offline): "), demo.out());
    assertTrue(java.nio.file.Files.readString(java.nio.file.Path.of(report)).contains("<h1>KPI Lake report</h1>"));
  }
}
