package io.kpilake.contract;

import java.util.List;
import java.util.stream.Stream;

/** The curated tables a run publishes, as declared in {@link KpiTables} and {@link AccountKpiTables}. */
public final class PublishedTables {
  private PublishedTables() {}

  /** The tables of KPI values (each KPI column of them has a row in kpi.kpi_catalog). */
  public static final List<KpiTable> MEASURED = Stream.concat(KpiTables.REVENUE.stream(), AccountKpiTables.ALL.stream()).toList();

  /** Every table a run publishes: the measured tables and kpi.kpi_catalog. */
  public static final List<KpiTable> ALL = Stream.concat(MEASURED.stream(), Stream.of(KpiCatalogTable.TABLE)).toList();
}
