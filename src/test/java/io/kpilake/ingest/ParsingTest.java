package io.kpilake.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kpilake.SparkTestBase;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Landing files to parsed records, on both read paths: small files read whole (Spark's binaryFile
 * source, many per task) and large ones streamed (binaryFiles). Both give the same rows: file, row
 * number, raw text, row error.
 */
class ParsingTest extends SparkTestBase {
  private static final String H = "rate_date,currency,rate_to_reporting";

  private List<String> parse(List<LandingFile> files, long wholeFileMaxBytes) {
    return rows(Parsing.parse(spark(), Feeds.FX_RATES, files, Map.of(), 100_000, 2, wholeFileMaxBytes)
        .selectExpr("regexp_extract(source_file, '[^/]+$', 0)", "row_number", "raw_record", "record['currency']", "row_error"));
  }

  @Test
  void smallFilesReadWholeAndLargeFilesStreamedGiveTheSameRows() {
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
    // Every file whole (the default for deliveries), every file streamed, and one of each: a.csv is
    // 77 bytes (header line 36 + 1, two record lines of 19 + 1), b.csv 72 (37 + 20 + 15), so a
    // threshold of 76 streams a.csv and reads b.csv whole.
    assertEquals(expected, parse(files, Long.MAX_VALUE));
    assertEquals(expected, parse(files, 0));
    long aSize = files.stream().filter(f -> f.path().endsWith("a.csv")).findFirst().orElseThrow().size();
    assertEquals(77, aSize);
    assertEquals(expected, parse(files, aSize - 1));
  }
}
