package io.kpilake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.spark.Codegen;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A small step runs Spark's plans interpreted, a large one compiles generated code
 * ({@link Codegen}): both give the same rows, here for the account months (window functions,
 * decimal money, dates) and the KPI tables built on them.
 */
class CompiledAndInterpretedTest extends RevenueFixtures {
  private static final long MIN = 64L << 20;

  /** Back to what surefire gives every unit test (pom.xml: interpreted). */
  @AfterEach
  void backToInterpreted() {
    Codegen.forDataSize(spark(), Map.of(), 0, MIN, "tests");
  }

  @Test
  void theModeFollowsTheStepsDataSize() {
    Codegen.forDataSize(spark(), Map.of(), MIN - 1, MIN, "small");
    assertEquals("false", spark().conf().get("spark.sql.codegen.wholeStage"));
    assertEquals("NO_CODEGEN", spark().conf().get("spark.sql.codegen.factoryMode"));
    Codegen.forDataSize(spark(), Map.of(), MIN, MIN, "large");
    assertEquals("true", spark().conf().get("spark.sql.codegen.wholeStage"));
    assertEquals("FALLBACK", spark().conf().get("spark.sql.codegen.factoryMode"));
    // 0 always compiles; an entry in kpi.spark.conf wins (the session keeps what it was given).
    Codegen.forDataSize(spark(), Map.of(), 0, 0, "always");
    assertEquals("true", spark().conf().get("spark.sql.codegen.wholeStage"));
    Codegen.forDataSize(spark(), Map.of("spark.sql.codegen.wholeStage", "true"), 0, MIN, "user");
    assertEquals("true", spark().conf().get("spark.sql.codegen.wholeStage"));
  }

  @Test
  void compiledAndInterpretedPlansGiveTheSameRows() {
    LocalDate asOf = LocalDate.parse("2024-03-31");
    Dataset<Row> lines = lines(
        "L1,A,SA,USD,paid,recurring,100.00,2024-01-01,2024-02-01",
        "L2,A,SA,EUR,open,recurring,300.00,2024-02-01,2024-05-01",
        "L3,B,SB,USD,paid,recurring,1200.00,2024-01-15,2025-01-15",
        "L4,C,SC,USD,paid,recurring,90.00,2024-01-01,2024-02-01",
        "L5,A,null,USD,paid,one_time,999.00,null,null");
    Dataset<Row> subs = subs("SA,A,null,null", "SB,B,null,null", "SC,C,2024-01-31 10:00:00,customer_request");
    Dataset<Row> rates = rates("2024-01-01,EUR,1.10", "2024-03-01,EUR,1.20");

    Codegen.forDataSize(spark(), Map.of(), 0, MIN, "interpreted");
    List<List<String>> interpreted = kpis(lines, subs, rates, asOf);
    Codegen.forDataSize(spark(), Map.of(), MIN, MIN, "compiled");
    List<List<String>> compiled = kpis(lines, subs, rates, asOf);
    assertFalse(interpreted.get(0).isEmpty());
    assertTrue(interpreted.stream().noneMatch(List::isEmpty), "every table has rows");
    assertEquals(interpreted, compiled);
  }

  private static List<List<String>> kpis(Dataset<Row> lines, Dataset<Row> subs, Dataset<Row> rates, LocalDate asOf) {
    Dataset<Row> am = accountMonths(lines, subs, payments(), rates, accounts("A,SMB,emea,kim"), asOf);
    return List.of(rows(am), rows(MrrMetrics.movementsMonthly().apply(am)), rows(RetentionMetrics.retention(1, 3).apply(am)),
        rows(ChurnMetrics.churnMonthly().apply(am)), rows(RetentionMetrics.cohortMatrix().apply(am)));
  }
}
