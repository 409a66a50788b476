package io.kpilake.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.contract.KpiTable;
import io.kpilake.contract.KpiTables;
import io.kpilake.SparkTestBase;
import io.kpilake.ops.OpsTables;
import io.kpilake.ops.RunContext;
import io.kpilake.spark.Warehouse;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/**
 * A run's tables become visible together: {@code kpi.*} in the catalog read the versions of the
 * latest complete publication, so a reader during a publish sees all of the previous results.
 */
class PublicationTest extends SparkTestBase {
  private static final KpiTable A = new KpiTable("pub_a", "Table A of the publication test",
      List.of(KpiTables.key("n", DataTypes.LongType, "A number")), Map.of("n_positive", "n > 0"));
  private static final KpiTable B = new KpiTable("pub_b", "Table B of the publication test",
      List.of(KpiTables.key("n", DataTypes.LongType, "Another number")), Map.of());

  private Map<String, Long> publish(Warehouse wh, String runTag, long a, long b) {
    Publisher p = new Publisher(wh, RunContext.start(LocalDate.parse("2024-01-31"), runTag), "inputs-" + runTag);
    Map<String, Long> versions = new LinkedHashMap<>();
    versions.put(A.name(), p.publish(A, spark().sql("SELECT CAST(" + a + " AS BIGINT) AS n")));
    versions.put(B.name(), p.publish(B, spark().sql("SELECT CAST(" + b + " AS BIGINT) AS n")));
    return versions;
  }

  /** A warehouse in which run 1 published A = 1 and B = 1, publication recorded. */
  private Warehouse publishedOnce(String dir) {
    Warehouse wh = new Warehouse(spark(), tmp.resolve(dir).toString());
    OpsTables.ensure(wh);
    Map<String, Long> first = publish(wh, "run1", 1, 1);
    new Publisher(wh, RunContext.start(LocalDate.parse("2024-01-31"), "run1"), "i").recordPublication(first);
    return wh;
  }

  /** What a new reader process sees: the catalog registered afresh from the warehouse. */
  private String read(Warehouse wh) {
    PublishedCatalog.registerAll(wh);
    return spark().sql("SELECT a.n, b.n FROM kpi.pub_a a CROSS JOIN kpi.pub_b b").first().mkString(",");
  }

  @Test
  void readersSeeTheWholePreviousPublicationUntilTheNewOneIsRecorded() {
    Warehouse wh = publishedOnce("wh");
    assertEquals("1,1", read(wh));

    // Run 2 has rewritten A but not yet B: a reader still sees run 1 everywhere.
    Publisher p2 = new Publisher(wh, RunContext.start(LocalDate.parse("2024-02-29"), "run2"), "inputs-run2");
    long a2 = p2.publish(A, spark().sql("SELECT CAST(2 AS BIGINT) AS n"));
    assertEquals("1,1", read(wh));
    // Both rewritten, publication not recorded yet (a crash here): still run 1.
    long b2 = p2.publish(B, spark().sql("SELECT CAST(2 AS BIGINT) AS n"));
    assertEquals("1,1", read(wh));
    // The one commit to ops.published_versions switches readers to run 2, all tables at once.
    p2.recordPublication(Map.of(A.name(), a2, B.name(), b2));
    assertEquals("2,2", read(wh));
    assertEquals(Map.of(A.name(), a2, B.name(), b2), Publisher.latestPublication(wh));

    // The pinned names keep the table and column comments for analysts.
    assertEquals("A number", spark().sql("DESCRIBE TABLE kpi.pub_a").first().getString(2));

    // The CHECK constraint, set when the table was created, guards every later write.
    Exception violated = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> p2.publish(A, spark().sql("SELECT CAST(-1 AS BIGINT) AS n")));
    org.junit.jupiter.api.Assertions.assertTrue(String.valueOf(violated.getMessage()).contains("n_positive"), violated.getMessage());
  }

  @Test
  void theLatestPublicationComesFromItsCommitWithoutASparkJobAndAgreesWithTheRows() {
    Warehouse wh = publishedOnce("wh-commit");
    Map<String, Long> second = publish(wh, "run2", 2, 2);
    new Publisher(wh, RunContext.start(LocalDate.parse("2024-02-29"), "run2"), "i").recordPublication(second);
    io.kpilake.spark.JobCounter jobs = io.kpilake.spark.JobCounter.get();
    long before = jobs.jobs();
    Publisher.Publication fromCommit = Publisher.latest(wh);
    assertEquals(before, jobs.jobs(), "read from the Delta log, no Spark job");
    assertEquals(second, fromCommit.versions());
    assertEquals(LocalDate.parse("2024-02-29"), fromCommit.asOf());
    // The same publication as the table's rows say: run, date, versions and the instant, to the microsecond.
    long version = wh.version("ops", OpsTables.PUBLISHED_VERSIONS);
    assertEquals(Publisher.readLatest(wh, version), fromCommit);
  }

  @Test
  void aLatestCommitWithoutThePublicationFallsBackToTheRows() {
    // A warehouse published before the commit metadata existed: its last commit appends the rows only.
    Warehouse wh = publishedOnce("wh-old");
    Publisher.Publication expected = Publisher.latest(wh);
    java.sql.Timestamp later = new java.sql.Timestamp(expected.publishedAt().getTime() + 1000);
    spark().createDataFrame(List.of(org.apache.spark.sql.RowFactory.create("run-old", java.sql.Date.valueOf("2024-03-31"), A.name(), 7L, later)),
        OpsTables.PUBLISHED_VERSIONS_SCHEMA).write().format("delta").mode("append").save(wh.path("ops", OpsTables.PUBLISHED_VERSIONS));
    assertTrue(wh.commitUserMetadata("ops", OpsTables.PUBLISHED_VERSIONS, wh.version("ops", OpsTables.PUBLISHED_VERSIONS)).isEmpty());
    Publisher.Publication p = Publisher.latest(wh);
    assertEquals("run-old", p.runId());
    assertEquals(Map.of(A.name(), 7L), p.versions());
    assertEquals(LocalDate.parse("2024-03-31"), p.asOf());
  }

  @Test
  void theLatestPublicationIsReadOncePerVersionOfItsTable() throws Exception {
    Warehouse wh = publishedOnce("wh-latest");
    io.kpilake.spark.JobCounter jobs = io.kpilake.spark.JobCounter.get();
    Publisher.Publication first = Publisher.latest(wh);
    long before = jobs.jobs();
    // Asked again, the table unchanged: the same answer, no Spark job.
    assertEquals(first, Publisher.latest(wh));
    assertEquals(before, jobs.jobs());
    // A new publication is a new version: read again.
    Map<String, Long> second = publish(wh, "run2", 2, 2);
    new Publisher(wh, RunContext.start(LocalDate.parse("2024-02-29"), "run2"), "i").recordPublication(second);
    assertEquals(second, Publisher.latestPublication(wh));
    assertEquals(LocalDate.parse("2024-02-29"), Publisher.publishedAsOf(wh));
    // The warehouse deleted and published once again at the same path: ops.published_versions is at
    // the same version number as the first time, but a new table (a new Delta table id): read again.
    org.apache.commons.io.FileUtils.deleteDirectory(tmp.resolve("wh-latest").toFile());
    Warehouse again = publishedOnce("wh-latest");
    Publisher.Publication third = Publisher.latest(again);
    assertEquals(LocalDate.parse("2024-01-31"), third.asOf());
    assertEquals(first.versions(), third.versions());
    org.junit.jupiter.api.Assertions.assertNotEquals(first.runId(), third.runId());
  }

  /**
   * A night that recomputes nothing keeps its publication, so the report already written for it
   * is kept too: only when the dated file and latest.html both name the publication's run.
   */
  @Test
  void theReportOfAnUnchangedPublicationIsKeptOnlyWhenBothFilesNameItsRun() throws Exception {
    Warehouse wh = publishedOnce("report");
    assertEquals(null, io.kpilake.publish.report.ReportJob.upToDate(wh), "no report written yet");
    Publisher.Publication p = Publisher.latest(wh);
    java.nio.file.Path reports = java.nio.file.Files.createDirectories(tmp.resolve("report/reports"));
    String ours = "<header><p>" + io.kpilake.publish.report.HtmlReport.runStamp(p.asOf(), p.runId()) + "</p></header>";
    String older = "<header><p>" + io.kpilake.publish.report.HtmlReport.runStamp(p.asOf(), "an-older-run") + "</p></header>";
    java.nio.file.Files.writeString(reports.resolve("kpi-report-2024-01-31.html"), ours);
    assertEquals(null, io.kpilake.publish.report.ReportJob.upToDate(wh), "latest.html is missing");
    java.nio.file.Files.writeString(reports.resolve("latest.html"), older);
    assertEquals(null, io.kpilake.publish.report.ReportJob.upToDate(wh), "latest.html is another run's");
    java.nio.file.Files.writeString(reports.resolve("latest.html"), ours);
    assertEquals(io.kpilake.publish.report.ReportJob.pathFor(wh, p.asOf()), io.kpilake.publish.report.ReportJob.upToDate(wh));
    java.nio.file.Files.writeString(reports.resolve("kpi-report-2024-01-31.html"), older);
    assertEquals(null, io.kpilake.publish.report.ReportJob.upToDate(wh), "the dated report is another run's");
  }

  private static final KpiTable H = new KpiTable("pub_h", "One row set per as-of date",
      List.of(KpiTables.key("as_of_date", DataTypes.DateType, "The run's as-of date"), KpiTables.key("n", DataTypes.LongType, "A number")),
      Map.of()).keepingHistoryBy("as_of_date");

  private long publishHistory(Warehouse wh, String asOf, String ns) {
    Publisher p = new Publisher(wh, RunContext.start(LocalDate.parse(asOf), "run-" + asOf), "inputs");
    return p.publish(H, spark().sql("SELECT DATE'" + asOf + "' AS as_of_date, CAST(n AS BIGINT) AS n FROM VALUES " + ns + " AS t(n)"));
  }

  @Test
  void aHistoryTableKeepsEveryAsOfDateAndARerunReplacesOnlyItsOwn() {
    // kpis.md: value_at_risk's grain is (as_of_date, account_id): a later run adds its date, earlier
    // dates stay readable without time travel, a rerun of a date replaces that date only.
    Warehouse wh = new Warehouse(spark(), tmp.resolve("wh5").toString());
    publishHistory(wh, "2024-01-31", "(1), (2)");
    publishHistory(wh, "2024-02-29", "(3)");
    long v = publishHistory(wh, "2024-01-31", "(5)");
    assertRows(spark().read().format("delta").load(wh.path("kpi", H.name())).select("as_of_date", "n"),
        "2024-01-31,5", "2024-02-29,3");
    // The row-count gate compares a publication's own date: 1 row as of 2024-01-31 (not the table's 2).
    assertEquals(1L, Publisher.rowCount(wh, H.name(), v));
  }

  private static final KpiTable L = new KpiTable("pub_l", "Snapshots laid out by date",
      List.of(KpiTables.key("d", DataTypes.DateType, "Snapshot day"), KpiTables.key("n", DataTypes.LongType, "A number")),
      Map.of()).laidOutBy("d");

  @Test
  void aPartialReplacementKeepsTheOtherRowsOnlyWhileTheTableIsAtItsBaseVersion() {
    Warehouse wh = new Warehouse(spark(), tmp.resolve("wh6").toString());
    Publisher p1 = new Publisher(wh, RunContext.start(LocalDate.parse("2024-02-10"), "run1"), "inputs");
    long v1 = p1.publish(L, spark().sql("SELECT * FROM VALUES (DATE'2024-01-31', 1L), (DATE'2024-02-10', 2L) AS t(d, n)"), 2L);
    // Laid out by d: each file holds a contiguous range of days (two rows here, one or two files).
    assertRows(spark().read().format("delta").load(wh.path("kpi", L.name())).selectExpr("d", "n"), "2024-01-31,1", "2024-02-10,2");

    // The next night (as of 2024-02-11) keeps 2024-01-31, replaces the rows from 2024-02-10 on with its 2024-02-11 row.
    // The publish is given the whole table (2 rows) and the part (1 row): it writes the part only.
    Publisher p2 = new Publisher(wh, RunContext.start(LocalDate.parse("2024-02-11"), "run2"), "inputs");
    Dataset<Row> whole = spark().sql("SELECT * FROM VALUES (DATE'2024-01-31', 1L), (DATE'2024-02-11', 3L) AS t(d, n)");
    Dataset<Row> part = spark().sql("SELECT DATE'2024-02-11' AS d, 3L AS n");
    long v2 = p2.publish(L, whole, 2L, new Publisher.Replacement("d >= DATE'2024-02-10'", part, v1));
    assertRows(spark().read().format("delta").load(wh.path("kpi", L.name())).selectExpr("d", "n"), "2024-01-31,1", "2024-02-11,3");
    // One data commit: it deleted the one row from 2024-02-10 on, rewrote the file that held it (with
    // 2024-01-31 too when the layout put both days in one file: 1 row copied, else 0) and added the
    // part (1 row): 1 or 2 rows written, never a rewrite of rows the predicate leaves in other files.
    Row op = spark().sql("DESCRIBE HISTORY delta.`" + wh.path("kpi", L.name()) + "`").filter("version = " + (v2 - 1))
        .selectExpr("operation", "operationParameters['predicate']", "operationMetrics").first();
    assertEquals("WRITE", op.getString(0));
    assertTrue(op.getString(1).contains("2024-02-10"), op.getString(1));
    Map<String, String> metrics = op.getJavaMap(2);
    assertEquals("1", metrics.get("numDeletedRows"), metrics.toString());
    long copied = Long.parseLong(metrics.get("numCopiedRows"));
    assertTrue(copied <= 1, metrics.toString());
    assertEquals(String.valueOf(1 + copied), metrics.get("numOutputRows"), metrics.toString());

    // A part based on an older version (a write came in between: here run 2's) is not applied: the whole table is written.
    Publisher p3 = new Publisher(wh, RunContext.start(LocalDate.parse("2024-02-12"), "run3"), "inputs");
    Dataset<Row> whole3 = spark().sql("SELECT * FROM VALUES (DATE'2024-01-31', 7L), (DATE'2024-02-12', 4L) AS t(d, n)");
    p3.publish(L, whole3, 2L, new Publisher.Replacement("d >= DATE'2024-02-11'", spark().sql("SELECT DATE'2024-02-12' AS d, 4L AS n"), v1));
    assertRows(spark().read().format("delta").load(wh.path("kpi", L.name())).selectExpr("d", "n"), "2024-01-31,7", "2024-02-12,4");
  }

  @Test
  void theRowCountGateReadsTheStampedCountAndCountsTablesWithoutOne() {
    Warehouse wh = publishedOnce("wh3");
    long v1 = Publisher.latestPublication(wh).get(A.name());
    // Published without a count (tables from before kpi.row_count): counted, 1 row.
    assertEquals(null, wh.properties("kpi", A.name()).get(Publisher.ROW_COUNT));
    assertEquals(1L, Publisher.rowCount(wh, A.name(), v1));
    // Published with the caller's count: 3 rows written (1, 2, 3), kpi.row_count = 3, read from the log.
    Publisher p = new Publisher(wh, RunContext.start(LocalDate.parse("2024-02-29"), "run2"), "inputs-run2");
    long v2 = p.publish(A, spark().sql("SELECT id AS n FROM range(1, 4)"), 3L);
    assertEquals("3", wh.properties("kpi", A.name()).get(Publisher.ROW_COUNT));
    assertEquals(3L, Publisher.rowCount(wh, A.name(), v2));

    // An out-of-band append of 2 rows (4, 5) commits after the stamp: that version is counted,
    // 3 + 2 = 5 rows, not the stamped 3; the stamped version still reads its stamp, 3.
    spark().sql("SELECT id AS n FROM range(4, 6)").write().format("delta").mode("append").save(wh.path("kpi", A.name()));
    long v3 = wh.version("kpi", A.name());
    assertEquals("3", wh.properties("kpi", A.name()).get(Publisher.ROW_COUNT));
    assertEquals(5L, Publisher.rowCount(wh, A.name(), v3));
    assertEquals(3L, Publisher.rowCount(wh, A.name(), v2));
  }

  @Test
  void theRowCountGateComparesWithThePublishedVersionNotAnUnrecordedWrite() {
    Warehouse wh = publishedOnce("wh4");
    // Run 2 publishes 10 rows of A and records it: the published version has 10 rows.
    Publisher p2 = new Publisher(wh, RunContext.start(LocalDate.parse("2024-02-29"), "run2"), "inputs-run2");
    Map<String, Long> run2 = Map.of(A.name(), p2.publish(A, spark().sql("SELECT id AS n FROM range(1, 11)"), 10L));
    p2.recordPublication(run2);
    // Run 3 writes 1 row and crashes before recording: readers still see run 2's 10 rows.
    Publisher p3 = new Publisher(wh, RunContext.start(LocalDate.parse("2024-03-31"), "run3"), "inputs-run3");
    p3.publish(A, spark().sql("SELECT CAST(1 AS BIGINT) AS n"), 1L);
    Map<String, Long> published = Publisher.latestPublication(wh);
    assertEquals(run2, Map.of(A.name(), published.get(A.name())));

    // Run 4 would publish 4 rows. Against the published 10: 4 < (1 - 0.5) * 10 = 5, a finding.
    // (Against run 3's unrecorded 1 row it would wrongly pass: 4 >= 0.5.)
    List<io.kpilake.ops.QualityGates.Finding> f = io.kpilake.metrics.KpiGates.rowCountDrop(wh, Map.of(A.name(), 4L), published, 0.5);
    assertEquals(1, f.size());
    org.junit.jupiter.api.Assertions.assertTrue(f.get(0).message().contains("the 10 published"), f.get(0).message());
    // 5 rows: 5 >= 5, passes. A table in no publication (B is, but "pub_c" is not) passes too.
    assertEquals(List.of(), io.kpilake.metrics.KpiGates.rowCountDrop(wh, Map.of(A.name(), 5L, "pub_c", 0L), published, 0.5));
  }

  @Test
  void sqlRegistersOnlyTheTablesItNames() {
    Warehouse wh = publishedOnce("wh2");
    assertEquals(List.of("kpi.pub_a"), PublishedCatalog.registerFor(wh, "SELECT n FROM kpi.pub_a WHERE n > 0"));
    assertEquals(List.of("kpi.pub_a", "kpi.pub_b"), PublishedCatalog.registerFor(wh, "SHOW TABLES IN kpi").stream().sorted().toList());
    assertEquals(List.of("kpi.pub_b"), PublishedCatalog.registerFor(wh, "select * from `kpi`.`pub_b`"));
  }
}
