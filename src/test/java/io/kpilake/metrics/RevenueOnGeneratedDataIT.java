package io.kpilake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.NightlyJob;
import io.kpilake.SparkTestBase;
import io.kpilake.config.KpiConfig;
import io.kpilake.generate.Generator;
import io.kpilake.publish.KpiTable;
import io.kpilake.publish.KpiTables;
import io.kpilake.spark.Warehouse;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The revenue KPIs on generated data: the contract's invariants hold on every row, the tables are
 * documented and guarded, and a rerun for the same date rewrites nothing.
 */
class RevenueOnGeneratedDataIT extends SparkTestBase {

  private long count(String sql) {
    return spark().sql(sql).first().getLong(0);
  }

  @Test
  void invariantsDocumentationAndIdempotence() {
    Generator.Summary g = Generator.generate(new Generator.Params(250, 15, 3, landing(), LocalDate.parse("2024-01-01"), 60, 0.002));
    KpiConfig cfg = config();
    Warehouse wh = new Warehouse(spark(), cfg.warehousePath());
    wh.registerAll();
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

    // Documented and guarded: a comment on every table and column, provenance properties, constraints.
    Map<String, Long> versions = new HashMap<>();
    for (KpiTable t : KpiTables.REVENUE) {
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
    }
    // A rerun for the same date and inputs rewrites no published table.
    new NightlyJob(wh, cfg).run(g.lastDay());
    for (KpiTable t : KpiTables.REVENUE) {
      assertEquals(versions.get(t.name()), wh.table("kpi", t.name()).history(1).first().getLong(0), t.name());
    }
    assertEquals("skipped", spark().sql("SELECT status FROM ops.pipeline_runs WHERE step = 'revenue kpis' ORDER BY started_at DESC LIMIT 1")
        .first().getString(0));
  }
}
