package io.kpilake.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The SQL model runner: files, parameters, inputs. The models' numbers are tested with their tables (metrics tests). */
class SqlModelTest extends SparkTestBase {
  @Test
  void everyModelFileIsListedAndHashed() throws Exception {
    List<String> files;
    try (Stream<Path> s = Files.list(Path.of("src/main/resources/models"))) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).map(n -> n.substring(0, n.length() - 4)).sorted().toList();
    }
    assertEquals(files, SqlModel.ALL.stream().sorted().toList());
    assertTrue(SqlModel.hashAll().matches("[0-9a-f]{16}"));
    assertEquals(SqlModel.hashAll(), SqlModel.hashAll());
  }

  @Test
  void bindsInputsAndParametersAndLeavesNoViewBehind() {
    // retention over windows 1 and 2 of one account: MRR 10, 20, 0 in Jan, Feb, Mar.
    // w = 1: Feb (s 10, e 20: NRR 2.0), Mar (s 20, e 0: NRR 0.0); w = 2: Mar (s 10, e 0).
    Dataset<Row> am = spark().sql("SELECT * FROM VALUES "
        + "('a', DATE'2024-01-01', DATE'2024-01-01', 'smb', CAST(10 AS DECIMAL(18,2))), "
        + "('a', DATE'2024-02-01', DATE'2024-01-01', 'smb', CAST(20 AS DECIMAL(18,2))), "
        + "('a', DATE'2024-03-01', DATE'2024-01-01', 'smb', CAST(0 AS DECIMAL(18,2))) "
        + "AS t(account_id, month, cohort_month, segment, mrr)");
    Dataset<Row> r = SqlModel.of("retention").run(Map.of("account_mrr_monthly", am), Map.of("windows", org.apache.spark.sql.functions.array(org.apache.spark.sql.functions.lit(1), org.apache.spark.sql.functions.lit(2))));
    assertFalse(spark().catalog().tableExists("account_mrr_monthly"));
    assertRows(r.select("window_months", "month", "start_mrr", "end_mrr", "nrr"),
        "1,2024-02-01,10.00,20.00,2.0", "1,2024-03-01,20.00,0.00,0.0", "2,2024-03-01,10.00,0.00,0.0");
  }

  @Test
  void aFailingModelIsNamed() {
    // retention without its :windows parameter: Spark's analysis error, with the model's file.
    Dataset<Row> am = spark().sql("SELECT 'a' AS account_id, DATE'2024-01-01' AS month, DATE'2024-01-01' AS cohort_month, "
        + "'smb' AS segment, CAST(1 AS DECIMAL(18,2)) AS mrr");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SqlModel.of("retention").run(Map.of("account_mrr_monthly", am), Map.of()));
    assertTrue(e.getMessage().startsWith("KPI model models/retention.sql: ") && e.getMessage().contains("windows"), e.getMessage());
    assertFalse(spark().catalog().tableExists("account_mrr_monthly"));
  }

  @Test
  void anUnknownModelIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SqlModel.of("no_such_table"));
    assertTrue(e.getMessage().contains("models/no_such_table.sql"), e.getMessage());
  }
}
