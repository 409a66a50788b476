package io.kpilake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.config.KpiConfig;
import io.kpilake.spark.SmallData;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A small step runs Spark's plans interpreted and without automatic broadcast joins, a large one
 * compiles generated code and broadcasts ({@link SmallData}): both give the same rows, here for
 * the account months (window functions, decimal money, dates, FX) and two KPI tables built on them.
 */
class SmallAndLargeStepsTest extends RevenueFixtures {
  private static final long SMALL_BELOW = 8L << 20;

  /** Back to what surefire gives every unit test (pom.xml: interpreted; Spark's broadcast default; 2 shuffle partitions). */
  @AfterEach
  void backToTheTestDefaults() {
    spark().conf().set("spark.sql.codegen.wholeStage", "false");
    spark().conf().set("spark.sql.codegen.factoryMode", "NO_CODEGEN");
    spark().conf().unset("spark.sql.autoBroadcastJoinThreshold");
    spark().conf().unset("spark.sql.optimizer.disableHints");
    spark().conf().set("spark.sql.shuffle.partitions", "2");
  }

  @Test
  void theSettingsFollowTheStepsDataSize() {
    SmallData.configure(spark(), settings(SMALL_BELOW, Map.of()), SMALL_BELOW - 1, "small");
    assertEquals(List.of("false", "NO_CODEGEN", "-1", "true", "1"), settings());
    SmallData.configure(spark(), settings(SMALL_BELOW, Map.of()), SMALL_BELOW, "large");
    assertEquals(List.of("true", "FALLBACK", "10485760", "false", "5"), settings());
    // 0: Spark's defaults (and kpi.spark.shuffle-partitions) for every step, however small.
    SmallData.configure(spark(), settings(0, Map.of()), 0, "never small");
    assertEquals(List.of("true", "FALLBACK", "10485760", "false", "5"), settings());
    // With a partition size, a large step has one partition per 64 MB of its data, at least one per
    // core (the tests' local[2]: 2) and at most 5: 8 MB -> 1 -> 2 cores; 200 MB -> 3.1 -> 4; 1 GB -> 16 -> 5.
    SmallData.configure(spark(), settings(SMALL_BELOW, 64L << 20, Map.of()), SMALL_BELOW, "large, sized");
    assertEquals(List.of("true", "FALLBACK", "10485760", "false", "2"), settings());
    SmallData.configure(spark(), settings(SMALL_BELOW, 64L << 20, Map.of()), 200L << 20, "larger, sized");
    assertEquals("4", settings().get(4));
    SmallData.configure(spark(), settings(SMALL_BELOW, 64L << 20, Map.of()), 1L << 30, "largest, sized");
    assertEquals("5", settings().get(4));
    // An entry for any of the four code-generation, broadcast and hint keys in kpi.spark.conf wins:
    // the session keeps what it was given for those four; the shuffle partitions still follow the size.
    SmallData.configure(spark(), settings(SMALL_BELOW, Map.of("spark.sql.autoBroadcastJoinThreshold", "1048576")), 0, "user");
    assertEquals(List.of("true", "FALLBACK", "10485760", "false", "1"), settings());
    // So does one for spark.sql.shuffle.partitions, for that key alone.
    spark().conf().set("spark.sql.shuffle.partitions", "3");
    SmallData.configure(spark(), settings(SMALL_BELOW, Map.of("spark.sql.shuffle.partitions", "3")), 0, "user partitions");
    assertEquals(List.of("false", "NO_CODEGEN", "-1", "true", "3"), settings());
  }

  /** kpi.spark settings with 5 shuffle partitions for every large step, the given small-data threshold and Spark entries. */
  private static KpiConfig.SparkSettings settings(long smallBelow, Map<String, String> conf) {
    return settings(smallBelow, 0, conf);
  }

  /** kpi.spark settings with at most 5 shuffle partitions, one per {@code partitionBytes} of a large step's data. */
  private static KpiConfig.SparkSettings settings(long smallBelow, long partitionBytes, Map<String, String> conf) {
    return new KpiConfig.SparkSettings("local[2]", "kpi-lake-tests", 5, partitionBytes, false, smallBelow, conf);
  }

  @Test
  void smallAndLargeStepsGiveTheSameRows() {
    LocalDate asOf = LocalDate.parse("2024-03-31");
    Dataset<Row> lines = lines(
        "L1,A,SA,USD,paid,recurring,100.00,2024-01-01,2024-02-01",
        "L2,A,SA,EUR,open,recurring,300.00,2024-02-01,2024-05-01",
        "L3,B,SB,USD,paid,recurring,1200.00,2024-01-15,2025-01-15",
        "L4,C,SC,USD,paid,recurring,90.00,2024-01-01,2024-02-01",
        "L5,A,null,USD,paid,one_time,999.00,null,null");
    Dataset<Row> subs = subs("SA,A,null,null", "SB,B,null,null", "SC,C,2024-01-31 10:00:00,customer_request");
    Dataset<Row> rates = rates("2024-01-01,EUR,1.10", "2024-03-01,EUR,1.20");

    SmallData.configure(spark(), settings(SMALL_BELOW, Map.of()), 0, "small");
    List<List<String>> small = kpis(lines, subs, rates, asOf);
    SmallData.configure(spark(), settings(SMALL_BELOW, Map.of()), SMALL_BELOW, "large");
    List<List<String>> large = kpis(lines, subs, rates, asOf);
    assertTrue(small.stream().noneMatch(List::isEmpty), "every table has rows");
    assertEquals(small, large);
  }

  private static List<String> settings() {
    return List.of(spark().conf().get("spark.sql.codegen.wholeStage"), spark().conf().get("spark.sql.codegen.factoryMode"),
        spark().conf().get("spark.sql.autoBroadcastJoinThreshold"), spark().conf().get("spark.sql.optimizer.disableHints"),
        spark().conf().get("spark.sql.shuffle.partitions"));
  }

  private static List<List<String>> kpis(Dataset<Row> lines, Dataset<Row> subs, Dataset<Row> rates, LocalDate asOf) {
    Dataset<Row> am = accountMonths(lines, subs, payments(), rates, accounts("A,SMB,emea,kim"), asOf);
    // Compiling is the cost of this test (about 30 s): the account months and two tables on them.
    return List.of(rows(am), rows(MrrMetrics.movementsMonthly().apply(am)), rows(RetentionMetrics.retention(1, 3).apply(am)));
  }
}
