package io.kpilake.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kpilake.contract.Feeds;
import io.kpilake.SparkTestBase;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Landing files to parsed records: file, row number, raw text, row error, the same however the
 * files are packed into parse tasks; and the packing itself.
 */
class ParsingTest extends SparkTestBase {
  private static final String H = "rate_date,currency,rate_to_reporting";

  private List<String> parse(List<LandingFile> files, int minPartitions, long taskBytes) {
    return rows(Parsing.parse(spark(), Feeds.FX_RATES, files, Map.of(), 100_000, minPartitions, taskBytes)
        .selectExpr("regexp_extract(source_file, '[^/]+$', 0)", "row_number", "raw_record", "record['currency']", "row_error"));
  }

  @Test
  void filesGiveTheSameRowsWhateverTheTasksTheyArePackedInto() {
    deliver("fx/rates", "2024-01-01", "a.csv", H, "2024-01-01,EUR,1.10", "2024-01-01,GBP,1.25");
    // Two records, the second one field short (a row error, not a shifted row).
    deliver("fx/rates", "2024-01-02", "b.csv", H, "2024-01-02,EUR,1.11", "2024-01-02,GBP");
    List<LandingFile> files = new LandingScanner(landing().toString(), spark().sparkContext().hadoopConfiguration())
        .list(Feeds.FX_RATES, LocalDate.parse("2024-01-31"));
    assertEquals(2, files.size());
    List<String> expected = List.of(
        "a.csv,1,2024-01-01,EUR,1.10,EUR,null",
        "a.csv,2,2024-01-01,GBP,1.25,GBP,null",
        "b.csv,1,2024-01-02,EUR,1.11,EUR,null",
        "b.csv,2,2024-01-02,GBP,null,expected 3 fields (as in the header), found 2");
    // Both files in one task (one task at least, no byte limit), one task each (two at least), and
    // one task each because of the byte limit: 1 byte a task, ceil((77 + 72) / 1) tasks capped at 2 files.
    assertEquals(expected, parse(files, 1, Long.MAX_VALUE));
    assertEquals(expected, parse(files, 2, Long.MAX_VALUE));
    assertEquals(expected, parse(files, 1, 1));
  }

  private static LandingFile file(String name, long size) {
    return new LandingFile("/l/" + name, "fx", "rates", LocalDate.parse("2024-01-01"), size, 0);
  }

  @Test
  void filesArePackedInOrderIntoTasksOfAboutEqualBytes() {
    List<LandingFile> four = List.of(file("a", 30), file("b", 30), file("c", 30), file("d", 30));
    // 120 bytes, 50 a task: max(1, ceil(120 / 50) = 3) = 3 tasks. A group closes once it holds its
    // share: after a + b (60 * 3 >= 120 * 1), after c (90 * 3 >= 120 * 2); d is the last.
    assertEquals(List.of(List.of("/l/a", "/l/b"), List.of("/l/c"), List.of("/l/d")), Parsing.packIntoTasks(four, 1, 50));
    // No byte limit, one task at least: everything in one task; four at least: one file each.
    assertEquals(List.of(List.of("/l/a", "/l/b", "/l/c", "/l/d")), Parsing.packIntoTasks(four, 1, Long.MAX_VALUE));
    assertEquals(4, Parsing.packIntoTasks(four, 4, Long.MAX_VALUE).size());
    // Never more tasks than files: 8 at least, 4 files.
    assertEquals(4, Parsing.packIntoTasks(four, 8, 1).size());
    // A big last file: two tasks of 100 bytes share 40 / 60; a + b + c + d (40 * 2 < 100 * 1) stay
    // together until only e is left for the second task.
    List<LandingFile> skewed = List.of(file("a", 10), file("b", 10), file("c", 10), file("d", 10), file("e", 60));
    assertEquals(List.of(List.of("/l/a", "/l/b", "/l/c", "/l/d"), List.of("/l/e")), Parsing.packIntoTasks(skewed, 2, 50));
  }

  @Test
  void aFilesOrderAndDeliveryDateAsColumnsAreTheScannersOwn() {
    LandingFile f = new LandingFile("s3a://lake/landing/fx/rates/dt=2024-01-05/part-2.csv", "fx", "rates",
        LocalDate.parse("2024-01-05"), 10, 0);
    org.apache.spark.sql.Column path = org.apache.spark.sql.functions.lit(f.path());
    org.apache.spark.sql.Row r = spark().range(1).select(LandingFile.fileOrder(path), LandingFile.deliveryDate(path).cast("date")).first();
    assertEquals("2024-01-05/part-2.csv", f.fileOrder());
    assertEquals(f.fileOrder(), r.getString(0));
    assertEquals(java.sql.Date.valueOf(f.dt()), r.getDate(1));
  }
}
