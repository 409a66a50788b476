package io.kpilake.publish;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** A curated table: name, comment, documented columns and CHECK constraints. */
public record KpiTable(String name, String comment, List<Col> columns, Map<String, String> checks) {

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
