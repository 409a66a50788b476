package io.kpilake.spark;

import java.io.Serializable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** One pure transformation, {@code Dataset<Row> -> Dataset<Row>}; jobs compose them. */
@FunctionalInterface
public interface Transform extends Serializable {
  Dataset<Row> apply(Dataset<Row> in);

  default Transform andThen(Transform next) {
    return in -> next.apply(apply(in));
  }
}
