package io.kpilake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.NightlyJob;
import io.kpilake.SparkTestBase;
import io.kpilake.config.KpiConfig;
import io.kpilake.generate.Generator;
import io.kpilake.contract.KpiTable;
import io.kpilake.contract.PublishedTables;
import io.kpilake.spark.Warehouse;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Every KPI on generated data: the contract's invariants hold on every row, health scores carry a
 * real but imperfect signal, the tables are documented and guarded, and a rerun for the same date
 * rewrites nothing.
 */
class KpisOnGeneratedDataIT extends SparkTestBase {

  private long count(String sql) {
    return spark().sql(sql).first().getLong(0);
  }

  /**
   * No PII of feeds.md in a curated table: no column named billing_email or account_name, and no string
   * value that is an e-mail address or equals a customer's e-mail or (free-text) account name.
   */
  private void assertNoPii(String table) {
    for (org.apache.spark.sql.types.StructField f : spark().table("kpi." + table).schema().fields()) {
      assertTrue(!f.name().contains("email") && !f.name().equals("account_name"), "kpi." + table + "." + f.name());
      if (f.dataType() instanceof org.apache.spark.sql.types.StringType) {
        assertEquals(0, count("SELECT count(*) FROM kpi." + table + " WHERE `" + f.name() + "` LIKE '%@%' OR `" + f.name()
            + "` IN (SELECT billing_email FROM silver.accounts UNION SELECT account_name FROM silver.accounts)"),
            "PII in kpi." + table + "." + f.name());
      }
    }
  }

  @Test
  void invariantsDocumentationAndIdempotence() {
    Generator.Summary g = Generator.generate(new Generator.Params(250, 15, 3, landing(), LocalDate.parse("2024-01-01"), 60, 0.002));
    KpiConfig cfg = config();
    Warehouse wh = new Warehouse(spark(), cfg.warehousePath());
    io.kpilake.publish.PublishedCatalog.registerAll(wh);
    new NightlyJob(wh, cfg).run(g.lastDay());

    // Every account-month: the bridge, exactly one known movement, MRR never negative.
    assertEquals(0, count("SELECT count(*) FROM kpi.account_mrr_monthly WHERE mrr <> prev_mrr + new_mrr + reactivation_mrr "
        + "+ expansion_mrr - contraction_mrr - churned_mrr + fx_impact_mrr OR mrr < 0 OR movement IS NULL"));
    assertEquals(0, count("SELECT count(*) - count(DISTINCT account_id, month) FROM kpi.account_mrr_monthly"));
    // Every month and segment: the bridge.
    assertEquals(0, count("SELECT count(*) FROM kpi.mrr_movements_monthly WHERE start_mrr + new_mrr + expansion_mrr "
        + "+ reactivation_mrr - contraction_mrr - churned_mrr + fx_impact_mrr <> end_mrr"));
    // The segments sum to the all-segments roll-up.
    assertEquals(0, count("SELECT count(*) FROM (SELECT month, sum(end_mrr) e, sum(fx_impact_mrr) f FROM kpi.mrr_movements_monthly "
        + "GROUP BY month) s JOIN kpi.mrr_movements_rollup r USING (month) WHERE s.e <> r.end_mrr OR s.f <> r.fx_impact_mrr"));
    // Retention: nrr = end / start, 0 <= grr <= 1, grr <= nrr; roll-up ratios from summed components.
    assertEquals(0, count("SELECT count(*) FROM kpi.retention WHERE abs(nrr - CAST(end_mrr AS DOUBLE) / CAST(start_mrr AS DOUBLE)) > 1e-9 "
        + "OR grr < 0 OR grr > 1 OR grr > nrr + 1e-9"));
    assertEquals(0, count("SELECT count(*) FROM (SELECT window_months, month, sum(start_mrr) s, sum(end_mrr) e FROM kpi.retention "
        + "GROUP BY 1, 2) x JOIN kpi.retention_rollup r USING (window_months, month) WHERE r.cohort_month IS NULL AND r.segment = 'all' "
        + "AND (r.start_mrr <> x.s OR abs(r.nrr - CAST(x.e AS DOUBLE) / CAST(x.s AS DOUBLE)) > 1e-9)"));
    assertTrue(count("SELECT count(DISTINCT window_months) FROM kpi.retention") == 3);
    // The generator's behaviour shows up: churn of both types, reactivations, FX impact, renewals.
    assertTrue(count("SELECT count(*) FROM kpi.account_mrr_monthly WHERE churn_type = 'involuntary'") > 0);
    assertTrue(count("SELECT count(*) FROM kpi.account_mrr_monthly WHERE churn_type = 'voluntary'") > 0);
    assertTrue(count("SELECT count(*) FROM kpi.account_mrr_monthly WHERE fx_impact_mrr <> 0") > 0);
    assertTrue(count("SELECT sum(renewals_due) FROM kpi.renewals_monthly") > 0);

    // Health: one snapshot per active account and snapshot day; at D exactly the accounts active in month(D).
    assertEquals(0, count("SELECT count(*) - count(DISTINCT account_id, snapshot_date) FROM kpi.account_health"));
    assertEquals(count("SELECT count(*) FROM kpi.account_mrr_monthly WHERE mrr > 0 AND month = trunc(date'" + g.lastDay() + "', 'MM')"),
        count("SELECT count(*) FROM kpi.account_health WHERE snapshot_date = date'" + g.lastDay() + "'"));
    assertTrue(count("SELECT count(DISTINCT snapshot_date) FROM kpi.account_health") == 15);
    // The generator gives health a real, imperfect relation to churn: red and yellow churn more than green, 0.5 < AUC < 1.
    Row bt = spark().sql("SELECT sum(churned_within_90d) FILTER (WHERE bucket = 'green') / sum(accounts) FILTER (WHERE bucket = 'green'), "
        + "sum(churned_within_90d) FILTER (WHERE bucket IN ('red', 'yellow')) / sum(accounts) FILTER (WHERE bucket IN ('red', 'yellow')), "
        + "avg(auc), max(auc) FROM kpi.health_backtest").first();
    assertTrue(bt.getDouble(1) > bt.getDouble(0), "red/yellow churn " + bt.get(1) + " vs green " + bt.get(0));
    assertTrue(bt.getDouble(2) > 0.5 && bt.getDouble(3) < 1.0, "AUC mean " + bt.get(2) + ", max " + bt.get(3));
    // Value at risk: ARR = 12 x MRR of the health snapshot at D; the summary's widest horizon holds every account.
    assertEquals(0, count("SELECT count(*) FROM kpi.value_at_risk v JOIN kpi.account_health h ON h.account_id = v.account_id "
        + "AND h.snapshot_date = v.as_of_date WHERE v.arr <> 12 * h.mrr"));
    assertEquals(count("SELECT count(*) FROM kpi.value_at_risk"),
        count("SELECT sum(accounts_due) FROM kpi.value_at_risk_summary WHERE horizon_days = 120"));
    assertTrue(count("SELECT sum(failed_invoices) FROM kpi.payments_monthly") > 0);
    assertTrue(count("SELECT sum(recovered_invoices) FROM kpi.payments_monthly") > 0);
    assertEquals(count("SELECT count(*) FROM silver.tickets WHERE _is_current"), count("SELECT sum(tickets) FROM kpi.support_monthly"));

    // Documented and guarded: a comment on every table and column, provenance properties, constraints.
    Map<String, Long> versions = new HashMap<>();
    for (KpiTable t : PublishedTables.ALL) {
      List<Row> cols = spark().sql("DESCRIBE TABLE kpi." + t.name()).collectAsList();
      for (Row c : cols) {
        if (!c.getString(0).isBlank() && !c.getString(0).startsWith("#")) {
          assertTrue(c.getString(2) != null && !c.getString(2).isBlank(), t.name() + "." + c.getString(0) + " has no comment");
        }
      }
      Row detail = wh.table("kpi", t.name()).detail().first();
      assertTrue(detail.getString(detail.fieldIndex("description")).length() > 20, t.name());
      Map<String, String> props = detail.getJavaMap(detail.fieldIndex("properties"));
      assertEquals(g.lastDay().toString(), props.get("kpi.as_of_date"), t.name());
      assertEquals(cfg.policyHash(), props.get("kpi.policy_hash"), t.name());
      assertTrue(props.containsKey("kpi.run_id") && props.containsKey("kpi.app_version"), t.name());
      t.checks().keySet().forEach(k -> assertTrue(props.containsKey("delta.constraints." + k), t.name() + " lacks " + k));
      versions.put(t.name(), wh.table("kpi", t.name()).history(1).first().getLong(0));
      assertNoPii(t.name());
    }
    // A rerun for the same date and inputs rewrites no published table.
    new NightlyJob(wh, cfg).run(g.lastDay());
    for (KpiTable t : PublishedTables.ALL) {
      assertEquals(versions.get(t.name()), wh.table("kpi", t.name()).history(1).first().getLong(0), t.name());
    }
    assertEquals("skipped", spark().sql("SELECT status FROM ops.pipeline_runs WHERE step = 'kpis' ORDER BY started_at DESC LIMIT 1")
        .first().getString(0));
  }
}
