package io.kpilake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through {@code bin/kpi}, every command in a new JVM as a user runs it: generate,
 * nightly, then sql sees the tables with no registration step; and the demo.
 */
class CliEndToEndIT {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  private Run kpi(Path cwd, Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(new File(System.getProperty("kpi.home"), "bin/kpi").getAbsolutePath());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().put("KPI_SKIP_BUILD", "1");
    pb.environment().put("KPI_DRIVER_MEMORY", "2g");
    pb.environment().putAll(env);
    File out = tmp.resolve("out-" + System.nanoTime()).toFile();
    File err = tmp.resolve("err-" + System.nanoTime()).toFile();
    Process p = pb.redirectOutput(out).redirectError(err).start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "bin/kpi " + String.join(" ", args) + " timed out");
    return new Run(p.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8),
        java.nio.file.Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }

  @Test
  void generateNightlyThenSqlInNewProcesses() throws Exception {
    Path landing = tmp.resolve("landing");
    Map<String, String> env = Map.of("KPI_LANDING", landing.toString(), "KPI_WAREHOUSE", tmp.resolve("wh").toString());
    Run gen = kpi(tmp, env, "generate", "--accounts", "40", "--months", "3", "--seed", "5", "--bad-rate", "0",
        "--out", landing.toString());
    assertEquals(0, gen.code(), gen.err());
    assertEquals("last day: 2024-03-31", gen.out().strip());

    Run nightly = kpi(tmp, env, "nightly", "--as-of", "2024-03-31");
    assertEquals(0, nightly.code(), nightly.err());
    assertTrue(nightly.err().contains("ingest billing/invoice_lines"), nightly.err());

    // 40 accounts, all signed up before the last day, no bad records: 40 current CRM accounts.
    Run json = kpi(tmp, env, "sql", "SELECT count(*) AS n FROM silver.accounts WHERE _is_current", "--format", "json");
    assertEquals(0, json.code(), json.err());
    assertEquals("{\"n\":40}", json.out().strip());

    Run csv = kpi(tmp, env, "sql", "SELECT entity, sum(rows_quarantined) AS q FROM ops.ingested_files GROUP BY entity ORDER BY entity",
        "--format", "csv");
    assertEquals(0, csv.code(), csv.err());
    assertEquals(List.of("entity,q", "accounts,0", "activities,0", "invoice_lines,0", "payment_events,0", "rates,0",
        "subscriptions,0", "tickets,0", "usage_daily,0"), csv.out().strip().lines().toList());

    // The curated tables resolve as kpi.<name> in a new process; the bridge closes on every row.
    Run kpiRows = kpi(tmp, env, "sql", "SELECT count(*) > 0 AS published, count_if(mrr <> prev_mrr + new_mrr + reactivation_mrr "
        + "+ expansion_mrr - contraction_mrr - churned_mrr + fx_impact_mrr) AS broken FROM kpi.account_mrr_monthly", "--format", "csv");
    assertEquals(0, kpiRows.code(), kpiRows.err());
    assertEquals(List.of("published,broken", "true,0"), kpiRows.out().strip().lines().toList());

    Run health = kpi(tmp, env, "sql", "SELECT count(DISTINCT snapshot_date) AS snapshots, count_if(bucket = 'unknown') AS unknown "
        + "FROM kpi.account_health", "--format", "csv");
    assertEquals(0, health.code(), health.err());
    assertEquals(List.of("snapshots,unknown", "3,0"), health.out().strip().lines().toList());

    Run table = kpi(tmp, env, "sql", "SELECT step, status FROM ops.pipeline_runs WHERE step = 'nightly'");
    assertEquals(0, table.code(), table.err());
    assertTrue(table.out().contains("| nightly | succeeded |"), table.out());

    Run bad = kpi(tmp, env, "sql", "SELECT * FROM kpi.no_such_table");
    assertEquals(1, bad.code());
    assertTrue(bad.err().startsWith("kpi: failed: "), bad.err());
  }

  @Test
  void demoRunsOnAFreshDirectory() throws Exception {
    Run demo = kpi(tmp, Map.of(), "demo", "--accounts", "60", "--months", "3");
    assertEquals(0, demo.code(), demo.err());
    assertTrue(demo.out().contains("KPI Lake demo: 60 accounts, 3 months, as of 2024-03-31"), demo.out());
    assertTrue(demo.out().contains("billing/invoice_lines"), demo.out());
    assertTrue(demo.out().contains("MRR bridge, 2024-03-01"), demo.out());
    assertTrue(demo.out().contains("| fx_impact_mrr |") || demo.out().contains("fx_impact_mrr"), demo.out());
    assertTrue(demo.out().contains("Churn split"), demo.out());
    assertTrue(demo.out().contains("Health back-test"), demo.out());
    assertTrue(demo.out().contains("Value at risk"), demo.out());
    assertTrue(tmp.resolve("warehouse/silver/invoice_lines/_delta_log").toFile().isDirectory());
  }
}
