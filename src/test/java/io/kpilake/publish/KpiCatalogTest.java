package io.kpilake.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.contract.AccountKpiTables;
import io.kpilake.contract.PublishedTables;
import io.kpilake.contract.KpiCatalogTable;
import io.kpilake.config.ConfigError;
import io.kpilake.config.ConfigLoader;
import io.kpilake.config.KpiConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kpi.kpi_catalog covers every KPI column of every kpi table, and only real ones, from configuration. */
class KpiCatalogTest {
  @TempDir Path tmp;
  private final KpiConfig cfg = ConfigLoader.load(null, Map.of());
  private final List<Row> rows = KpiCatalog.rows(cfg.catalog(), PublishedTables.MEASURED);

  @Test
  void everyKpiColumnOfEveryTableHasExactlyOneRowAndEveryRowPointsAtARealColumn() {
    List<String> listed = new ArrayList<>();
    for (Row r : rows) {
      listed.add(r.getString(7) + "." + r.getString(0));
      for (int i = 0; i < r.length(); i++) {
        assertFalse(r.getString(i) == null || r.getString(i).isBlank(), "blank " + KpiCatalogTable.TABLE.columns().get(i).name() + " in " + r);
      }
      assertTrue(KpiCatalogTable.isKpi(PublishedTables.MEASURED, r.getString(7), r.getString(0)), r.getString(7) + "." + r.getString(0));
    }
    assertEquals(new HashSet<>(KpiCatalog.kpiColumns(PublishedTables.MEASURED)), new HashSet<>(listed));
    assertEquals(listed.size(), new HashSet<>(listed).size(), "one row per KPI");
    // Grain parts and attributes are not KPIs; measures of every kind are.
    Set<String> all = new HashSet<>(listed);
    assertFalse(all.contains("retention.window_months") || all.contains("value_at_risk.days_to_renewal"));
    assertTrue(all.containsAll(List.of("account_mrr_monthly.mrr", "retention.nrr", "churn_monthly.churned_accounts",
        "account_health.health_score", "health_backtest.auc", "support_monthly.avg_csat")));
    assertTrue(PublishedTables.ALL.contains(KpiCatalogTable.TABLE), "the catalog is published with the KPIs");
  }

  @Test
  void configurationGivesFormulaTargetAndOwnerAndColumnCommentsTheRest() {
    Row nrr = row("retention", "nrr");
    assertEquals("end_mrr / start_mrr over accounts with MRR > 0 at the window start (expansion included, new accounts excluded)",
        nrr.getString(2));
    assertEquals(">= 1.00 on the 12-month window", nrr.getString(5));
    assertEquals("Customer Success", nrr.getString(6));
    // No override: definition and formula are the column comment, target the default, owner the table's.
    Row failed = row("payments_monthly", "failed");
    String comment = AccountKpiTables.PAYMENTS_MONTHLY.columns().stream().filter(c -> c.name().equals("failed")).findFirst()
        .orElseThrow().comment();
    assertEquals(List.of(comment, comment, "no target set", "Billing Operations"),
        List.of(failed.getString(1), failed.getString(2), failed.getString(5), failed.getString(6)));
  }

  @Test
  void aCatalogEntryForAColumnThatIsNotAKpiIsAConfigurationErrorNamingTheKey() throws Exception {
    assertEquals("unknown KPI 'kpi.catalog.kpis.\"retention.window_months\"' (a key is \"<table>.<column>\" of a KPI column of a kpi table)",
        error("kpi.catalog.kpis { \"retention.window_months\" { target = \"1\" } }"));
    assertEquals("unknown configuration key 'kpi.catalog.kpis.\"retention.nrr\".goal' (fields: definition, formula, target, owner)",
        error("kpi.catalog.kpis { \"retention.nrr\" { goal = \"1\" } }"));
    assertTrue(error("kpi.catalog.tables.no_such_table { owner = x, data-source = y, frequency = z }")
        .startsWith("unknown configuration key 'kpi.catalog.tables.no_such_table"));
    // A new target changes the policy hash: the catalog is republished with it.
    Path conf = tmp.resolve("t.conf");
    Files.writeString(conf, "kpi.catalog.kpis { \"retention.nrr\" { target = \">= 1.05\" } }");
    KpiConfig changed = ConfigLoader.load(conf.toFile(), Map.of());
    assertFalse(changed.policyHash().equals(cfg.policyHash()));
    assertEquals(">= 1.05", changed.catalog().kpis().get("retention.nrr").target());
  }

  private String error(String hocon) throws Exception {
    Path conf = tmp.resolve("c" + System.nanoTime() + ".conf");
    Files.writeString(conf, hocon);
    return assertThrows(ConfigError.class, () -> ConfigLoader.load(conf.toFile(), Map.of())).getMessage();
  }

  private Row row(String table, String kpi) {
    return rows.stream().filter(r -> r.getString(7).equals(table) && r.getString(0).equals(kpi)).findFirst().orElseThrow();
  }
}
