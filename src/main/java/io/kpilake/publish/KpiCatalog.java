package io.kpilake.publish;

import static io.kpilake.publish.KpiTables.key;
import static org.apache.spark.sql.types.DataTypes.StringType;

import io.kpilake.config.KpiConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.NumericType;

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

  public static final KpiTable TABLE = new KpiTable("kpi_catalog",
      "One row per KPI column of every kpi.* table: definition, formula, data source, frequency, target and owner "
          + "(configuration kpi.catalog); kpi names a column of table_name.",
      List.of(
          key("kpi", StringType, "The KPI: a column of table_name"),
          key("definition", StringType, "What the number means"),
          key("formula", StringType, "How it is computed"),
          key("data_source", StringType, "Landing feeds it is computed from"),
          key("frequency", StringType, "How often it is recomputed and at which grain"),
          key("target", StringType, "The target the business set, or 'no target set'"),
          key("owner", StringType, "Team accountable for the number"),
          key("table_name", StringType, "The kpi table holding it (kpi.<table_name>)")),
      KpiTables.checks());

  private static final Set<String> NOT_KPIS = Set.of("window_months", "months_since_start", "horizon_days", "days_to_renewal");

  /** A numeric measure: money, count, rate or score, not a numeric part of the grain. */
  public static boolean isKpi(KpiTable.Col c) {
    return (c.type() instanceof NumericType || c.type() instanceof DecimalType) && !NOT_KPIS.contains(c.name());
  }

  /** Whether {@code table.column} names a KPI column of one of {@code tables}. */
  public static boolean isKpi(List<KpiTable> tables, String table, String column) {
    return tables.stream().filter(t -> t.name().equals(table))
        .anyMatch(t -> t.columns().stream().anyMatch(c -> c.name().equals(column) && isKpi(c)));
  }

  /** The catalog rows for {@code tables} (in table, then column order). */
  public static List<Row> rows(KpiConfig.CatalogSettings cfg, List<KpiTable> tables) {
    List<Row> out = new ArrayList<>();
    for (KpiTable t : tables) {
      KpiConfig.CatalogTable info = cfg.tables().get(t.name());
      if (info == null) {
        throw new IllegalStateException("kpi.catalog.tables has no entry for kpi." + t.name());
      }
      for (KpiTable.Col c : t.columns()) {
        if (!isKpi(c)) {
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
    return spark.createDataFrame(rows(cfg, tables), TABLE.schema());
  }

  /** Every KPI column of {@code tables}, as {@code table.column}. */
  public static List<String> kpiColumns(List<KpiTable> tables) {
    List<String> out = new ArrayList<>();
    tables.forEach(t -> t.columns().stream().filter(KpiCatalog::isKpi).forEach(c -> out.add(t.name() + "." + c.name())));
    return out;
  }
}
