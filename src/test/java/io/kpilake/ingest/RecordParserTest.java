package io.kpilake.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kpilake.contract.FeedSpec;
import io.kpilake.contract.Feeds;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The executor-side parser on its own: row numbers, raw text, field counts, file verdicts. */
class RecordParserTest {
  private static List<RecordParser.Parsed> parse(FeedSpec feed, Map<String, String> renames, String format, String text) {
    return new RecordParser(feed, renames, 100_000)
        .parseAll(format, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void csvKeepsQuotedNewlinesCommasAndRowNumbers() {
    List<RecordParser.Parsed> r = parse(Feeds.ACCOUNTS, Map.of(), "csv",
        "account_id,account_name,updated_at\n"
            + "A1,\"Acme, Inc.\",2024-01-01T00:00:00Z\n"
            + "A2,\"Two\nLines\",2024-01-02T00:00:00Z\n"
            + "\n"
            + "A3,\"Say \"\"hi\"\"\",2024-01-03T00:00:00Z\n");
    assertEquals(3, r.size());
    assertEquals("Acme, Inc.", r.get(0).fields().get("account_name"));
    assertEquals("Two\nLines", r.get(1).fields().get("account_name"));
    assertEquals("Say \"hi\"", r.get(2).fields().get("account_name"));
    // Row numbers count data records: the quoted newline and the blank line start no new record.
    assertEquals(List.of(1L, 2L, 3L), r.stream().map(RecordParser.Parsed::rowNumber).toList());
    assertEquals("A2,\"Two\nLines\",2024-01-02T00:00:00Z", r.get(1).rawRecord());
    assertTrue(r.stream().allMatch(p -> p.rowError() == null && p.fileError() == null));
  }

  @Test
  void csvRowsWithTooFewOrTooManyFieldsAreRowErrorsNeverShifted() {
    List<RecordParser.Parsed> r = parse(Feeds.ACCOUNTS, Map.of(), "csv",
        "account_id,segment,updated_at\nA1,smb\nA2,smb,2024-01-01,extra\nA3,smb,2024-01-01\n");
    assertEquals("expected 3 fields (as in the header), found 2", r.get(0).rowError());
    assertEquals(Map.of(), r.get(0).fields());
    assertEquals("expected 3 fields (as in the header), found 4", r.get(1).rowError());
    assertNull(r.get(2).rowError());
    assertEquals("A2,smb,2024-01-01,extra", r.get(1).rawRecord());
  }

  @Test
  void csvWithoutARequiredColumnIsRefusedWhole() {
    List<RecordParser.Parsed> r = parse(Feeds.ACCOUNTS, Map.of(), "csv", "account_id,segment\nA1,smb\n");
    assertEquals(1, r.size());
    assertEquals(0, r.get(0).rowNumber());
    assertEquals("missing required column updated_at", r.get(0).fileError());
  }

  @Test
  void renamesMapExportColumnsToContractNames() {
    List<RecordParser.Parsed> r = parse(Feeds.ACCOUNTS, Map.of("account_id", "customer", "updated_at", "modified"), "csv",
        "customer,modified,custom_field\nC9,2024-01-01T00:00:00Z,x\n");
    assertEquals(Map.of("account_id", "C9", "updated_at", "2024-01-01T00:00:00Z", "custom_field", "x"), r.get(0).fields());
    List<RecordParser.Parsed> missing = parse(Feeds.ACCOUNTS, Map.of("account_id", "customer"), "csv",
        "id,updated_at\nC9,2024-01-01\n");
    assertEquals("missing required column account_id (configured as 'customer')", missing.get(0).fileError());
  }

  @Test
  void jsonLinesKeepLineNumbersAndFlagBadLines() {
    List<RecordParser.Parsed> r = parse(Feeds.ACTIVITIES, Map.of(), "json",
        "{\"activity_id\":\"C1\",\"account_id\":\"A1\",\"occurred_at\":\"2024-01-01T10:00:00Z\",\"n\":1.50}\n"
            + "\n"
            + "{\"activity_id\":\"C2\", broken\n"
            + "[1,2]\n"
            + "{\"activity_id\":\"C3\",\"account_id\":null,\"occurred_at\":\"2024-01-01\",\"extra\":{\"a\":1}}\n");
    assertEquals(4, r.size());
    assertEquals(List.of(1L, 3L, 4L, 5L), r.stream().map(RecordParser.Parsed::rowNumber).toList());
    assertEquals("1.50", r.get(0).fields().get("n"));
    assertTrue(r.get(1).rowError().startsWith("invalid JSON"), r.get(1).rowError());
    assertEquals("not a JSON object", r.get(2).rowError());
    assertNull(r.get(3).fields().get("account_id"));
    assertEquals("{\"a\":1}", r.get(3).fields().get("extra"));
  }

  @Test
  void jsonFileWhereNoRecordHasARequiredColumnIsRefused() {
    List<RecordParser.Parsed> r = parse(Feeds.ACTIVITIES, Map.of(), "json",
        "{\"activity_id\":\"C1\",\"occurred_at\":\"2024-01-01\"}\n");
    assertEquals("missing required column account_id (in no record of the file)", r.get(r.size() - 1).fileError());
  }

  @Test
  void emptyFileHasNoRecords() {
    assertEquals(List.of(), parse(Feeds.ACCOUNTS, Map.of(), "csv", ""));
    assertEquals(List.of(), parse(Feeds.ACTIVITIES, Map.of(), "json", "\n\n"));
  }
}
