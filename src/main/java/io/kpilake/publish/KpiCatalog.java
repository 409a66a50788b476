package io.kpilake.publish;

import io.kpilake.config.KpiConfig;
import io.kpilake.contract.KpiCatalogTable;
import io.kpilake.contract.KpiTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * {@code kpi.kpi_catalog} (kpis.md section 8): one row per KPI column of every published table, so
 * every number on a dashboard has a written definition, a formula, a source, a cadence, a target
 * and an owner. A KPI column is a numeric measure (money, count, rate, score) of a curated table;
 * numeric parts of a grain (window_months, months_since_start, horizon_days) and days_to_renewal
 * are attributes, not KPIs. Definitions default to the column comments written with the table;
 * data source, cadence and owner come per table, formula, target and owner per KPI from
 * {@code kpi.catalog} in the configuration.
 */
public final class KpiCatalog {
  private KpiCatalog() {}

  /** The catalog rows for {@code tables} (in table, then column order). */
  public static List<Row> rows(KpiConfig.CatalogSettings cfg, List<KpiTable> tables) {
    List<Row> out = new ArrayList<>();
    for (KpiTable t : tables) {
      KpiConfig.CatalogTable info = cfg.tables().get(t.name());
      if (info == null) {
        throw new IllegalStateException("kpi.catalog.tables has no entry for kpi." + t.name());
      }
      for (KpiTable.Col c : t.columns()) {
        if (!KpiCatalogTable.isKpi(c)) {
          continue;
        }
        KpiConfig.CatalogKpi k = cfg.kpis().getOrDefault(t.name() + "." + c.name(), KpiConfig.CatalogKpi.NONE);
        String definition = k.definition() != null ? k.definition() : c.comment();
        out.add(RowFactory.create(c.name(), definition, k.formula() != null ? k.formula() : c.comment(), info.dataSource(),
            info.frequency(), k.target() != null ? k.target() : cfg.defaultTarget(),
            k.owner() != null ? k.owner() : info.owner(), t.name()));
      }
    }
    return out;
  }

  public static Dataset<Row> table(SparkSession spark, KpiConfig.CatalogSettings cfg, List<KpiTable> tables) {
    return spark.createDataFrame(rows(cfg, tables), KpiCatalogTable.TABLE.schema());
  }

  /** Every KPI column of {@code tables}, as {@code table.column}. */
  public static List<String> kpiColumns(List<KpiTable> tables) {
    List<String> out = new ArrayList<>();
    tables.forEach(t -> t.columns().stream().filter(KpiCatalogTable::isKpi).forEach(c -> out.add(t.name() + "." + c.name())));
    return out;
  }
}
