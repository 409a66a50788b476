package io.kpilake.contract;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The types of the feed contract (feeds.md) and the Spark type each becomes in silver. */
public enum ColumnType {
  STRING(DataTypes.StringType, "a string"),
  TIMESTAMP(DataTypes.TimestampType, "an ISO-8601 timestamp"),
  DATE(DataTypes.DateType, "a YYYY-MM-DD date"),
  /**
   * Money in major units: DECIMAL(18,2), exact (feeds.md: never floats). A value with non-zero
   * digits past the cents does not fit and is quarantined, never rounded (docs/design.md).
   */
  DECIMAL(DataTypes.createDecimalType(18, 2), "a decimal number"),
  /** FX rates need more scale than money. */
  RATE(DataTypes.createDecimalType(18, 8), "a decimal number"),
  INT(DataTypes.IntegerType, "a whole number"),
  BOOLEAN(DataTypes.BooleanType, "true or false");

  public final DataType sparkType;
  public final String description;

  ColumnType(DataType sparkType, String description) {
    this.sparkType = sparkType;
    this.description = description;
  }
}
