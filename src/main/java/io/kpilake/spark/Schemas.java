package io.kpilake.spark;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Small helpers to declare documented schemas. */
public final class Schemas {
  private Schemas() {}

  public static StructField col(String name, DataType type, boolean nullable, String comment) {
    return new StructField(name, type, nullable, Metadata.empty()).withComment(comment);
  }

  public static StructField required(String name, DataType type, String comment) {
    return col(name, type, false, comment);
  }

  public static StructField optional(String name, DataType type, String comment) {
    return col(name, type, true, comment);
  }

  public static StructType struct(StructField... fields) {
    return new StructType(fields);
  }
}
