package io.kpilake.contract;

import static io.kpilake.contract.KpiTables.key;
import static org.apache.spark.sql.types.DataTypes.StringType;

import java.util.List;
import java.util.Set;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.NumericType;

/**
 * The declaration of {@code kpi.kpi_catalog} (kpis.md section 8) and which columns of the curated
 * tables are KPIs: a numeric measure (money, count, rate, score), not a numeric part of a grain
 * (window_months, months_since_start, horizon_days) nor days_to_renewal. The catalog's rows are
 * built by {@code publish.KpiCatalog}; configuration validates {@code kpi.catalog} keys against this.
 */
public final class KpiCatalogTable {
  private KpiCatalogTable() {}

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
}
