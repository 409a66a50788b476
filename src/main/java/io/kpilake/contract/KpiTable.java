package io.kpilake.contract;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A curated table: name, comment, documented columns and CHECK constraints. A table with a
 * {@code historyColumn} (the run's as-of date) keeps one row set per value of it: a publish
 * replaces only its own as-of date's rows (kpis.md's grain for value at risk); every other table
 * is replaced whole, as each publication holds the whole history up to its as-of date. A table with
 * a {@code layoutColumn} is written range-partitioned by it: each file holds a contiguous range of
 * its values, so a filter on it (a reader's, or a publish that replaces the latest rows only) skips
 * the other files by their min/max statistics.
 */
public record KpiTable(String name, String comment, List<Col> columns, Map<String, String> checks, String historyColumn,
    String layoutColumn) {

  public KpiTable(String name, String comment, List<Col> columns, Map<String, String> checks) {
    this(name, comment, columns, checks, null, null);
  }

  /** This table, keeping a row set per value of {@code column} (the run's as-of date). */
  public KpiTable keepingHistoryBy(String column) {
    return new KpiTable(name, comment, columns, checks, column, layoutColumn);
  }

  /** This table, written range-partitioned by {@code column}. */
  public KpiTable laidOutBy(String column) {
    return new KpiTable(name, comment, columns, checks, historyColumn, column);
  }

  public boolean keepsHistory() {
    return historyColumn != null;
  }

  /** A documented column; {@code kpi} marks the KPI measures listed in kpi.kpi_catalog. */
  public record Col(String name, DataType type, boolean nullable, String comment) {}

  public StructType schema() {
    return new StructType(columns.stream()
        .map(c -> new StructField(c.name(), c.type(), c.nullable(), org.apache.spark.sql.types.Metadata.empty()).withComment(c.comment()))
        .toArray(StructField[]::new));
  }

  public List<String> columnNames() {
    return columns.stream().map(Col::name).toList();
  }
}
