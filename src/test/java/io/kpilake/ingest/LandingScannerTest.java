package io.kpilake.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.contract.Feeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which landing files a feed's listing takes: no Spark, Hadoop's local file system. */
class LandingScannerTest {
  @TempDir
  Path landing;

  private void file(String relative) throws IOException {
    Path p = landing.resolve("fx/rates").resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, "rate_date,currency,rate_to_reporting\n");
  }

  /**
   * What the scanner lists, the same both ways: folder by folder (local file systems, HDFS) and as
   * one recursive listing (object stores; here on the local file system).
   */
  private List<String> listed(String asOf) {
    LandingScanner scanner = new LandingScanner(landing.toString(), new Configuration());
    List<String> byFolder = names(scanner.list(Feeds.FX_RATES, LocalDate.parse(asOf), false));
    assertEquals(byFolder, names(scanner.list(Feeds.FX_RATES, LocalDate.parse(asOf), true)), "flat listing");
    assertEquals(byFolder, names(scanner.list(Feeds.FX_RATES, LocalDate.parse(asOf))), "listing chosen by file system");
    return byFolder;
  }

  private static List<String> names(List<LandingFile> files) {
    return files.stream().map(f -> f.dt() + " " + f.path().substring(f.path().indexOf("fx/rates/") + "fx/rates/".length())).toList();
  }

  @Test
  void onlyFilesDirectlyInADtFolderUpToTheAsOfDateInDeliveryOrder() throws IOException {
    file("dt=2024-01-02/b.csv");
    file("dt=2024-01-01/z.csv");
    file("dt=2024-01-01/a.csv");
    file("dt=2024-01-01/_SUCCESS");         // a writer's marker
    file("dt=2024-01-01/.a.csv.crc");       // a checksum file
    file("dt=2024-01-01/nested/deep.csv");  // deeper than a dt= folder
    file("archive/old.csv");                // not in a dt= folder
    file("top.csv");                        // in the feed's folder itself
    file("dt=2024-02-01/late.csv");         // delivered after the as-of date
    assertEquals(List.of("2024-01-01 dt=2024-01-01/a.csv", "2024-01-01 dt=2024-01-01/z.csv", "2024-01-02 dt=2024-01-02/b.csv"),
        listed("2024-01-31"));
  }

  @Test
  void aFeedWithoutAFolderIsEmpty() {
    assertEquals(List.of(), listed("2024-01-31"));
  }

  @Test
  void aDtFolderThatIsNotADateIsAnErrorNamingIt() throws IOException {
    file("dt=2024-13-01/a.csv");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> listed("2024-01-31"));
    assertTrue(e.getMessage().contains("dt=2024-13-01") && e.getMessage().contains("is not dt=YYYY-MM-DD"), e.getMessage());
  }
}
